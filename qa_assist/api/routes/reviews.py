"""Human review of a call's score: the reviewed score with its disputes and audit trail; item
overrides, confirmations and comments by QA specialists; the agent's acceptance of the result
or dispute (申诉) of an item, and its resolution; the queue of calls waiting for a person.

Every action answers with the call's review as it now stands. Who acted is the signed-in user,
never a name in the body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ...auth import User, mask_score
from ...score import CallScore, Verdict
from ...storage import (
    AgentOptions,
    AuditEntry,
    Dispute,
    DisputeStatus,
    DisputeStore,
    QueuedCall,
    ReviewConflict,
    ReviewError,
    ReviewStore,
    ReviewTargetMissing,
)
from ..deps import require

router = APIRouter(tags=["reviews"])

#: The longest comment, reason or answer taken (a note, not a document).
TEXT_LENGTH = 4000

Reader = Annotated[User, Depends(require("calls:read"))]
Reviewer = Annotated[User, Depends(require("reviews:write"))]


@dataclass(frozen=True)
class Stores:
    reviews: ReviewStore
    disputes: DisputeStore


def _stores(request: Request) -> Stores:
    sessions = request.app.state.store.sessions
    return Stores(ReviewStore(sessions), DisputeStore(sessions))


Reviews = Annotated[Stores, Depends(_stores)]


class OverrideIn(BaseModel):
    verdict: Verdict
    comment: str = Field(default="", max_length=TEXT_LENGTH)


class ConfirmIn(BaseModel):
    comment: str = Field(default="", max_length=TEXT_LENGTH)
    #: the items agreed with; all when left out
    item_ids: list[str] | None = None


class CommentIn(BaseModel):
    text: str = Field(min_length=1, max_length=TEXT_LENGTH)
    #: the item it is about; the whole call when left out
    item_id: str | None = None


class AcceptIn(BaseModel):
    comment: str = Field(default="", max_length=TEXT_LENGTH)


class DisputeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=TEXT_LENGTH)


class ResolveIn(BaseModel):
    outcome: str = Field(description="upheld (the verdict changes) or rejected")
    comment: str = Field(min_length=1, max_length=TEXT_LENGTH, description="the agent's answer")
    verdict: Verdict | None = Field(
        default=None, description="the item's verdict when upheld; a disputed fail becomes pass"
    )


@dataclass(frozen=True)
class Review:
    score: CallScore
    #: the call's disputes, oldest first
    disputes: list[Dispute]
    #: the agent's acceptance of this result; None while not accepted
    accepted: AuditEntry | None
    history: list[AuditEntry]
    #: what the call's agent may do now: accept the result, dispute which items
    agent_options: AgentOptions


@dataclass(frozen=True)
class Queue:
    data: list[QueuedCall]
    count: int


@dataclass(frozen=True)
class Disputes:
    data: list[Dispute]
    count: int


T = TypeVar("T")


def _answer(action: Callable[[], T]) -> T:
    try:
        return action()
    except ReviewTargetMissing as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    except ReviewConflict as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    except ReviewError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None


def _readable(stores: Stores, user: User, call_id: int) -> str | None:
    """The call's agent id; a call the user may not read is as good as missing."""
    agent_id = _answer(lambda: stores.reviews.call_agent(call_id))
    if not user.may_read_call(agent_id):
        raise HTTPException(status_code=404, detail=f"no call with id {call_id}")
    return agent_id


def _own(stores: Stores, user: User, call_id: int) -> None:
    """Only the call's agent accepts or disputes its result."""
    agent_id = _readable(stores, user, call_id)
    if user.agent_id is None or user.agent_id != agent_id:
        raise HTTPException(
            status_code=403,
            detail=f"only the call's agent may accept or dispute its result: call {call_id} "
            "is not one of your calls",
        )


def _review(stores: Stores, user: User, call_id: int) -> Review:
    score = _answer(lambda: stores.reviews.reviewed_score(call_id))
    return Review(
        score if user.sees_pii else mask_score(score),
        stores.disputes.list(call_id=call_id, limit=1000)[0],
        stores.disputes.acceptance(call_id),
        stores.reviews.history(call_id),
        stores.disputes.agent_options(call_id),
    )


@router.get("/calls/{call_id}/review", response_model=Review)
def get_review(call_id: int, user: Reader, stores: Reviews) -> Review:
    _readable(stores, user, call_id)
    return _review(stores, user, call_id)


@router.post("/calls/{call_id}/items/{item_id}/override", response_model=Review)
def override_item(
    call_id: int, item_id: str, body: OverrideIn, user: Reviewer, stores: Reviews
) -> Review:
    _answer(
        lambda: stores.reviews.override(call_id, item_id, body.verdict, user.name, body.comment)
    )
    return _review(stores, user, call_id)


@router.post("/calls/{call_id}/confirm", response_model=Review)
def confirm_call(call_id: int, body: ConfirmIn, user: Reviewer, stores: Reviews) -> Review:
    _answer(lambda: stores.reviews.confirm(call_id, user.name, body.comment, body.item_ids))
    return _review(stores, user, call_id)


@router.post("/calls/{call_id}/comments", response_model=Review)
def comment(call_id: int, body: CommentIn, user: Reader, stores: Reviews) -> Review:
    """A remark on the call or an item that changes no verdict: by a reviewer, or by the
    call's agent."""
    _readable(stores, user, call_id)
    _answer(lambda: stores.reviews.comment(call_id, user.name, body.text, body.item_id))
    return _review(stores, user, call_id)


@router.post("/calls/{call_id}/accept", response_model=Review)
def accept(call_id: int, body: AcceptIn, user: Reader, stores: Reviews) -> Review:
    """The call's agent accepts its reviewed result."""
    _own(stores, user, call_id)
    _answer(lambda: stores.disputes.accept(call_id, user.name, body.comment))
    return _review(stores, user, call_id)


@router.post("/calls/{call_id}/items/{item_id}/dispute", response_model=Review)
def dispute(call_id: int, item_id: str, body: DisputeIn, user: Reader, stores: Reviews) -> Review:
    """The call's agent disputes an item's verdict (申诉), with a reason."""
    _own(stores, user, call_id)
    _answer(lambda: stores.disputes.dispute(call_id, item_id, user.name, body.reason))
    return _review(stores, user, call_id)


@router.get("/disputes", response_model=Disputes)
def list_disputes(
    user: Reader,
    stores: Reviews,
    status: Annotated[DisputeStatus | None, Query(description="open, upheld or rejected")] = None,
    call_id: int | None = None,
    agent_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Disputes:
    """Disputes oldest first; an agent sees those of their own calls only."""
    if user.role == "agent":
        if agent_id is not None and agent_id != user.agent_id:
            return Disputes([], 0)
        agent_id = user.agent_id
    found, count = stores.disputes.list(status, call_id, agent_id, limit, offset)
    return Disputes(found, count)


@router.post("/disputes/{dispute_id}/resolve", response_model=Review)
def resolve_dispute(dispute_id: int, body: ResolveIn, user: Reviewer, stores: Reviews) -> Review:
    """A reviewer answers a dispute: upheld changes the item's verdict, rejected keeps it."""
    resolved = _answer(
        lambda: stores.disputes.resolve(
            dispute_id, body.outcome, user.name, body.comment, body.verdict
        )
    )
    return _review(stores, user, resolved.call_id)


@router.get("/review-queue", response_model=Queue)
def review_queue(
    user: Reviewer, stores: Reviews, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> Queue:
    """Calls with open disputes, then calls the scorer was unsure of, least sure first."""
    waiting = stores.reviews.queue(limit)
    return Queue(waiting, len(waiting))
