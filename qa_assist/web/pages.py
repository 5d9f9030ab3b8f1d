"""Server-rendered pages (jinja2), Chinese by default with an English switch (``?lang=en``)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from ..api.deps import Store
from .rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def call_list_page(request: Request, store: Store) -> HTMLResponse:
    records, count = store.list_calls(limit=200)
    return render(request, "calls.html", calls=records, count=count)


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(call_id: int, request: Request, store: Store) -> HTMLResponse:
    record = store.get_call(call_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"no call with id {call_id}")
    return render(request, "call.html", call=record)
