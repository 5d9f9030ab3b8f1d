"""The sign-in page and signing out, for browsers (machines use API tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..api.deps import Users
from ..api.routes.auth import end_session, start_session
from .rendering import render

router = APIRouter(include_in_schema=False)


def _local(next_url: str) -> str:
    # Only paths of this site: "//evil.example" or "https://..." would make the page an open
    # redirect for phishing.
    return next_url if next_url.startswith("/") and not next_url.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=_local(next), failed=False)


@router.post("/login", response_model=None)
def login_form(
    request: Request,
    users: Users,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    user = users.authenticate(username, password)
    if user is None:
        return render(request, "login.html", status_code=401, next=_local(next), failed=True)
    response = RedirectResponse(_local(next), status_code=303)
    start_session(users, user, response, request)
    return response


@router.post("/logout")
def logout_form(request: Request, users: Users) -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    end_session(users, request, response)
    return response
