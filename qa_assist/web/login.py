"""The sign-in page and signing out, for browsers (machines use API tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..api.deps import Users
from ..api.routes.auth import end_session, sign_in, start_session
from ..auth import TooManyAttempts
from .rendering import render

router = APIRouter(include_in_schema=False)


def _local(next_url: str) -> str:
    # Only paths of this site: "//evil.example" or "https://..." would make the page an open
    # redirect for phishing.
    return next_url if next_url.startswith("/") and not next_url.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=_local(next), failed=False, wait=None)


@router.post("/login", response_model=None)
def login_form(
    request: Request,
    users: Users,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        user = sign_in(request, users, username, password)
    except TooManyAttempts as refused:
        page = render(
            request,
            "login.html",
            status_code=429,
            next=_local(next),
            failed=False,
            wait=refused.seconds,
        )
        page.headers["Retry-After"] = f"{refused.seconds:.0f}"
        return page
    if user is None:
        return render(
            request, "login.html", status_code=401, next=_local(next), failed=True, wait=None
        )
    response = RedirectResponse(_local(next), status_code=303)
    start_session(users, user, response, request)
    return response


@router.post("/logout")
def logout_form(request: Request, users: Users) -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    end_session(users, request, response)
    return response
