"""Liveness, readiness and metrics for load balancers, orchestrators and Prometheus; open to
all, as the operators' tools that scrape them hold no account."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError

from ...storage.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])


@dataclass(frozen=True)
class Readiness:
    #: "ready" or "not ready"
    status: str
    #: what is wrong, when not ready
    problems: list[str]


@router.get("/health")
def health() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


def _problems(request: Request) -> list[str]:
    state = request.app.state
    problems = []
    try:
        with state.store.sessions() as session:
            revision = current_revision(session.connection())
        if revision != head_revision():
            problems.append(f"database at revision {revision}, not {head_revision()}")
    except SQLAlchemyError as error:
        problems.append(f"database unreachable: {error.__class__.__name__}: {error}")
    if state.settings.worker_enabled and not state.worker.alive:
        problems.append("the job worker is not running")
    return problems


@router.get(
    "/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready, with the reasons."}},
)
def ready(request: Request) -> JSONResponse:
    """The database answers at the newest schema and, when enabled, the job worker runs."""
    problems = _problems(request)
    body = Readiness("not ready" if problems else "ready", problems)
    return JSONResponse(asdict(body), status_code=503 if problems else 200)


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus text format: jobs by status, job processing seconds, calls stored."""
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
