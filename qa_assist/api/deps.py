"""Shared request dependencies: what the lifespan built, handed to routes by type."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..storage import CallStore


def _store(request: Request) -> CallStore:
    return request.app.state.store


Store = Annotated[CallStore, Depends(_store)]
