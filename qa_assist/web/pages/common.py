"""What several page modules share: the signed-in user of a permission, the stores, and the
call-time column shown in lists."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from ...api.deps import page_user
from ...auth import User
from ...settings import Settings
from ...storage import DisputeStore, ReviewStore

CallReader = Annotated[User, Depends(page_user("calls:read"))]
Reviewer = Annotated[User, Depends(page_user("reviews:write"))]
AssistUser = Annotated[User, Depends(page_user("assist:use"))]
DashboardReader = Annotated[User, Depends(page_user("dashboard:read"))]
Uploader = Annotated[User, Depends(page_user("calls:upload"))]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def reviews_of(request: Request) -> ReviewStore:
    return ReviewStore(request.app.state.store.sessions)


def disputes_of(request: Request) -> DisputeStore:
    return DisputeStore(request.app.state.store.sessions)


def shown_time(moment: datetime | None) -> str:
    # Stored in UTC, shown in the server's time zone (where the call centre is).
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""
