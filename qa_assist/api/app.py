"""The FastAPI application: JSON API under /api/v1, pages for people at /."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

from .. import __version__
from ..auth import LoginThrottle, UserStore
from ..jobs import JobStore, JobWorker, ServiceMetrics
from ..models import ModelRegistry
from ..settings import Settings, get_settings
from ..storage import CallStore, open_database
from ..web import static_files
from ..web.login import router as login_router
from ..web.pages import router as pages_router
from .deps import LoginRequired, login_redirect_url
from .routes import auth, calls, health, jobs, kb, reviews, rubrics, tickets

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Only the database opens at start-up: models load when a request first needs them.
        app.state.settings = settings
        app.state.store = CallStore(open_database(settings.resolved_database_url))
        app.state.users = UserStore(app.state.store.sessions)
        app.state.login_throttle = LoginThrottle(
            settings.login_max_failures, settings.login_lockout_seconds
        )
        app.state.registry = ModelRegistry(settings)
        app.state.jobs = JobStore(
            app.state.store.sessions, settings.job_stale_seconds, settings.job_max_attempts
        )
        app.state.metrics = ServiceMetrics(app.state.jobs, app.state.store)
        app.state.worker = JobWorker(
            settings,
            app.state.jobs,
            app.state.registry,
            app.state.store,
            on_done=app.state.metrics.observe_job,
        )
        if settings.worker_enabled:
            app.state.worker.start()
        try:
            yield
        finally:
            app.state.worker.stop()

    app = FastAPI(title="qa_assist", version=__version__, lifespan=lifespan)
    app.include_router(health.router)
    app.include_router(auth.router, prefix=API_PREFIX)
    app.include_router(calls.router, prefix=API_PREFIX)
    app.include_router(jobs.router, prefix=API_PREFIX)
    app.include_router(reviews.router, prefix=API_PREFIX)
    app.include_router(rubrics.router, prefix=API_PREFIX)
    app.include_router(tickets.router, prefix=API_PREFIX)
    app.include_router(kb.router, prefix=API_PREFIX)
    app.include_router(login_router)
    app.include_router(pages_router)
    app.mount("/static", static_files(), name="static")

    @app.exception_handler(LoginRequired)
    async def _to_login(_: Request, error: LoginRequired) -> RedirectResponse:
        return RedirectResponse(login_redirect_url(error.next_url), status_code=303)

    return app
