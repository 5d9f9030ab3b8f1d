"""Scored calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from ...storage import CallQuery, CallRecord, CallSort, CallSummary, SortOrder
from ..deps import Store

router = APIRouter(prefix="/calls", tags=["calls"])


@dataclass(frozen=True)
class CallList:
    data: list[CallSummary]
    #: every call the filters select, not only this page
    count: int


def call_query(
    date_from: Annotated[
        date | datetime | None,
        Query(description="ISO 8601; on the call's time, else when it was stored. A date: "
        "from the start of that day."),
    ] = None,
    date_to: Annotated[
        date | datetime | None,
        Query(description="ISO 8601, exclusive. A date: up to the end of that day."),
    ] = None,
    agent_id: str | None = None,
    team: str | None = None,
    scenario: str | None = None,
    min_score: Annotated[float | None, Query(ge=0, le=100)] = None,
    max_score: Annotated[float | None, Query(ge=0, le=100)] = None,
    fatal: Annotated[bool | None, Query(description="A fatal item failed.")] = None,
    needs_review: Annotated[bool | None, Query(description="Waits for a person.")] = None,
    sort: CallSort = "call_time",
    order: SortOrder = "desc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CallQuery:
    return CallQuery(
        date_from=date_from,
        date_to=date_to,
        agent_id=agent_id,
        team=team,
        scenario=scenario,
        min_score=min_score,
        max_score=max_score,
        fatal=fatal,
        needs_review=needs_review,
        sort=sort,
        order=order,
        limit=limit,
        offset=offset,
    )


@router.get("", response_model=CallList)
def list_calls(store: Store, query: Annotated[CallQuery, Depends(call_query)]) -> CallList:
    """Calls with the headline of their newest score (no transcript: see `GET /calls/{id}`)."""
    records, count = store.list_calls(query)
    return CallList(data=records, count=count)


@router.get("/{call_id}", response_model=CallRecord)
def get_call(call_id: int, store: Store) -> CallRecord:
    record = store.get_call(call_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"no call with id {call_id}")
    return record
