"""Shared request dependencies: what the lifespan built, handed to routes by type, and who is
asking (``require`` for the API, ``page_user`` for pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status

from ..auth import User, UserStore, permissions
from ..storage import CallStore

#: The browser session's cookie.
SESSION_COOKIE = "qa_assist_session"


def _store(request: Request) -> CallStore:
    return request.app.state.store


def _users(request: Request) -> UserStore:
    return request.app.state.users


Store = Annotated[CallStore, Depends(_store)]
Users = Annotated[UserStore, Depends(_users)]


class LoginRequired(Exception):
    """An anonymous browser asked for a page: answered with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def login_redirect_url(next_url: str) -> str:
    return f"/login?next={quote(next_url, safe='')}"


def signed_in_user(request: Request) -> User | None:
    """The user behind the request's bearer token or session cookie, if any is valid."""
    users: UserStore = request.app.state.users
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials:
        return users.user_for_token(credentials.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    return users.user_for_session(cookie) if cookie else None


def _checked(permission: str) -> None:
    if permission not in permissions():
        # A typo in a route's permission must fail at import, not let everyone in.
        raise ValueError(f"unknown permission {permission!r}")


def _refuse_missing(user: User, permission: str) -> None:
    if not user.can(permission):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"role {user.role!r} may not do this (needs {permission!r})",
        )


def require(permission: str) -> Callable[[Request], User]:
    """A dependency giving the signed-in user who holds ``permission``: 401 without valid
    credentials, 403 when the user's role lacks it."""
    _checked(permission)

    def dependency(request: Request) -> User:
        user = signed_in_user(request)
        if user is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="sign in, or send an API token as 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        _refuse_missing(user, permission)
        return user

    return dependency


def signed_in(request: Request) -> User:
    """A dependency giving whoever is signed in, whatever their role."""
    user = signed_in_user(request)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="not signed in")
    return user


def page_user(permission: str) -> Callable[[Request], User]:
    """``require`` for pages: an anonymous browser is sent to the login page, and back here
    after signing in."""
    _checked(permission)

    def dependency(request: Request) -> User:
        user = signed_in_user(request)
        if user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(target)
        _refuse_missing(user, permission)
        return user

    return dependency
