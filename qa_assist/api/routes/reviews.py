"""Human review of a call's score: the reviewed score with its audit trail, item overrides,
and the queue of calls the scorer was unsure of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ...score import CallScore, Verdict
from ...storage import AuditEntry, QueuedCall, ReviewError, ReviewStore, ReviewTargetMissing

router = APIRouter(tags=["reviews"])


def _reviews(request: Request) -> ReviewStore:
    return ReviewStore(request.app.state.store.sessions)


Reviews = Annotated[ReviewStore, Depends(_reviews)]


class OverrideIn(BaseModel):
    verdict: Verdict
    reviewer: str = Field(min_length=1, max_length=64)
    comment: str = ""


@dataclass(frozen=True)
class Review:
    score: CallScore
    history: list[AuditEntry]


@dataclass(frozen=True)
class Queue:
    data: list[QueuedCall]
    count: int


def _answer(store: ReviewStore, call_id: int, action) -> Review:  # type: ignore[no-untyped-def]
    try:
        score = action()
    except ReviewError as error:
        status = 404 if isinstance(error, ReviewTargetMissing) else 422
        raise HTTPException(status_code=status, detail=str(error)) from None
    return Review(score, store.history(call_id))


@router.get("/calls/{call_id}/review", response_model=Review)
def get_review(call_id: int, store: Reviews) -> Review:
    return _answer(store, call_id, lambda: store.reviewed_score(call_id))


@router.post("/calls/{call_id}/items/{item_id}/override", response_model=Review)
def override_item(call_id: int, item_id: str, body: OverrideIn, store: Reviews) -> Review:
    return _answer(
        store,
        call_id,
        lambda: store.override(call_id, item_id, body.verdict, body.reviewer, body.comment),
    )


@router.get("/review-queue", response_model=Queue)
def review_queue(store: Reviews, limit: int = Query(default=50, ge=1, le=500)) -> Queue:
    waiting = store.queue(limit)
    return Queue(waiting, len(waiting))
