"""Scored calls."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Query

from ...storage import CallRecord
from ..deps import Store

router = APIRouter(prefix="/calls", tags=["calls"])


@dataclass(frozen=True)
class CallList:
    data: list[CallRecord]
    count: int


@router.get("", response_model=CallList)
def list_calls(
    store: Store,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> CallList:
    records, count = store.list_calls(limit=limit, offset=offset)
    return CallList(data=records, count=count)


@router.get("/{call_id}", response_model=CallRecord)
def get_call(call_id: int, store: Store) -> CallRecord:
    record = store.get_call(call_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"no call with id {call_id}")
    return record
