"""Signing in and out, and the accounts themselves (administrators only)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from ...auth import (
    ROLE_NAMES,
    ApiToken,
    LoginThrottle,
    RoleName,
    TooManyAttempts,
    User,
    UserError,
    UserStore,
    WeakPassword,
)
from ..deps import SESSION_COOKIE, Users, require, signed_in

router = APIRouter(tags=["auth"])

Admin = Annotated[User, Depends(require("users:admin"))]


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64, pattern=r"^[\w.@-]+$")
    role: RoleName = Field(description=f"One of {', '.join(ROLE_NAMES)}.")
    password: str | None = Field(
        default=None, max_length=1024, description="None: an account for API tokens only."
    )
    display_name: str = Field(default="", max_length=128)
    agent_id: str | None = Field(
        default=None, max_length=64, description="For agents: the agent id their calls carry."
    )


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool | None = None
    password: str | None = Field(default=None, max_length=1024)


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=128, description="What the token is for.")


class IssuedToken(BaseModel):
    token: str = Field(description="Shown once: only its hash is stored.")


class UserList(BaseModel):
    data: list[User]
    count: int


def start_session(users: UserStore, user: User, response: Response, request: Request) -> None:
    """Set the session cookie of a user who just signed in."""
    settings = request.app.state.settings
    lifetime = timedelta(hours=settings.session_hours)
    response.set_cookie(
        SESSION_COOKIE,
        users.open_session(user, lifetime),
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        # Lax: the cookie is not sent with another site's POST, which stops cross-site forms.
        samesite="lax",
        secure=settings.session_cookie_secure,
    )


def end_session(users: UserStore, request: Request, response: Response) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        users.close_session(cookie)
    response.delete_cookie(SESSION_COOKIE)


def _refused(error: UserError | WeakPassword) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error))


def sign_in(request: Request, users: UserStore, username: str, password: str) -> User | None:
    """The user these credentials name, None when they are wrong; raises TooManyAttempts,
    without checking the password, while this account has failed too often from this client."""
    throttle: LoginThrottle = request.app.state.login_throttle
    client = request.client.host if request.client else ""
    wait = throttle.wait_seconds(username, client)
    if wait:
        raise TooManyAttempts(math.ceil(wait))
    user = users.authenticate(username, password)
    if user is None:
        throttle.failed(username, client)
    else:
        throttle.succeeded(username, client)
    return user


@router.post(
    "/auth/login",
    response_model=User,
    responses={429: {"description": "Too many failed sign-ins; see Retry-After."}},
)
def login(body: Credentials, users: Users, request: Request, response: Response) -> User:
    """Check a name and password and start a browser session (cookie)."""
    try:
        user = sign_in(request, users, body.username, body.password)
    except TooManyAttempts as refused:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=str(refused),
            headers={"Retry-After": f"{refused.seconds:.0f}"},
        ) from None
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="wrong username or password")
    start_session(users, user, response, request)
    return user


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(users: Users, request: Request, response: Response) -> None:
    end_session(users, request, response)


@router.get("/auth/me", response_model=User)
def me(user: Annotated[User, Depends(signed_in)]) -> User:
    return user


@router.get("/users", response_model=UserList)
def list_users(_: Admin, users: Users) -> UserList:
    accounts = users.list()
    return UserList(data=accounts, count=len(accounts))


@router.post("/users", response_model=User, status_code=status.HTTP_201_CREATED)
def create_user(body: NewUser, _: Admin, users: Users) -> User:
    try:
        return users.create(
            body.username, body.role, body.password, body.display_name, body.agent_id
        )
    except (UserError, WeakPassword) as error:
        raise _refused(error) from None


@router.patch("/users/{username}", response_model=User)
def change_user(username: str, body: UserChange, admin: Admin, users: Users) -> User:
    try:
        if body.password is not None:
            users.set_password(username, body.password)
        if body.active is not None:
            if not body.active and username == admin.username:
                raise UserError("an administrator cannot deactivate their own account")
            users.set_active(username, body.active)
    except (UserError, WeakPassword) as error:
        raise _refused(error) from None
    changed = users.get(username)
    assert changed is not None
    return changed


@router.post("/users/{username}/tokens", response_model=IssuedToken, status_code=201)
def issue_token(username: str, body: TokenRequest, _: Admin, users: Users) -> IssuedToken:
    try:
        return IssuedToken(token=users.issue_token(username, body.name))
    except UserError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None


@router.get("/users/{username}/tokens", response_model=list[ApiToken])
def list_tokens(username: str, _: Admin, users: Users) -> list[ApiToken]:
    try:
        return users.tokens(username)
    except UserError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None


@router.delete("/users/{username}/tokens/{token_id}", status_code=204)
def revoke_token(username: str, token_id: int, _: Admin, users: Users) -> None:
    try:
        users.revoke_token(username, token_id)
    except UserError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
