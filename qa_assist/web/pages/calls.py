"""The call list (filters, sort, paging, export) and a call's page (player, transcript,
rubric items with evidence; in place: overrides, the agent's acceptance and disputes, their
resolution, comments; the audit trail; metrics timeline)."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ...analytics import Link, Table
from ...api.deps import Store
from ...auth import User, mask_call, mask_score, mask_text
from ...score import SCENARIOS
from ...storage import Dispute
from ...storage.calls import CallSummary
from ..export import download
from ..filters import call_filters
from ..rendering import language, render, translations
from ..review_actions import review_actions
from ..timeline import timeline
from .common import CallReader, disputes_of, reviews_of, settings_of, shown_time

router = APIRouter()

VERDICTS = ("pass", "fail", "not_applicable", "needs_review")
#: A dispute's answers, as the resolve form offers them.
OUTCOMES = ("upheld", "rejected")


def _shown(summary: CallSummary, user: User) -> CallSummary:
    return summary if user.sees_pii else replace(summary, file_name=mask_text(summary.file_name))


@router.get("/", response_class=HTMLResponse)
def call_list_page(request: Request, store: Store, user: CallReader) -> HTMLResponse:
    filters = call_filters(request.query_params, user, settings_of(request).web_page_size)
    summaries, count = store.list_calls(filters.query)
    pages = max(1, -(-count // filters.query.limit))
    return render(
        request,
        "calls.html",
        user=user,
        calls=[_shown(s, user) for s in summaries],
        count=count,
        filters=filters,
        pages=pages,
        scenarios=SCENARIOS,
        shown_time=shown_time,
    )


def call_table(summaries: list[CallSummary], t: dict[str, str], base_url: str) -> Table:
    yes_no = {True: t["yes"], False: t["no"]}
    return Table(
        t["calls"],
        (
            "#",
            t["call_time"],
            t["file"],
            t["agent"],
            t["team"],
            t["scenario"],
            t["duration"],
            t["score"],
            t["auto_score"],
            t["fatal"],
            t["needs_review"],
        ),
        tuple(
            (
                Link(f"#{s.id}", f"{base_url}/calls/{s.id}"),
                shown_time(s.call_time or s.created_at),
                s.file_name,
                s.agent_id,
                s.team,
                t.get(s.scenario, s.scenario),
                round(s.duration, 1) if s.duration is not None else None,
                s.score.total if s.score else None,
                s.score.auto_total if s.score and s.score.edited else None,
                yes_no[s.score.fatal_failure] if s.score else None,
                yes_no[s.score.needs_review] if s.score else None,
            )
            for s in summaries
        ),
    )


@router.get("/calls.{fmt}")
def export_calls(fmt: str, request: Request, store: Store, user: CallReader) -> Response:
    """Every call the list's filters select (up to ``web_export_max_rows``), not one page."""
    settings = settings_of(request)
    filters = call_filters(request.query_params, user, settings.web_page_size)
    summaries, _ = store.list_calls(
        replace(filters.query, offset=0, limit=settings.web_export_max_rows)
    )
    base_url = str(request.base_url).rstrip("/")
    table = call_table(
        [_shown(s, user) for s in summaries], translations(language(request)), base_url
    )
    return download({"calls": table}, "calls", fmt)


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(call_id: int, request: Request, store: Store, user: CallReader) -> HTMLResponse:
    record = store.get_call(call_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"no call with id {call_id}")
    if not user.may_read_call(record.agent_id):
        raise HTTPException(status_code=403, detail=f"call {call_id} is not one of your calls")
    reviews, disputes = reviews_of(request), disputes_of(request)
    # People's verdicts applied: the page shows what the call's score is now.
    score = reviews.reviewed_score(call_id) if record.score else None
    raised = disputes.list(call_id=call_id, limit=1000)[0] if score else []
    # Read before the trail, so the trail holds the acceptance.
    acceptance = disputes.acceptance(call_id) if score else None
    history = reviews.history(call_id) if score else []
    actions = (
        review_actions(user, record.agent_id, disputes.agent_options(call_id)) if score else None
    )
    if not user.sees_pii:
        record = mask_call(record)
        score = mask_score(score) if score else None
    by_item: dict[str, list[Dispute]] = {}
    for dispute in raised:
        by_item.setdefault(dispute.item_id, []).append(dispute)
    return render(
        request,
        "call.html",
        user=user,
        call=record,
        score=score,
        history=history,
        disputes=by_item,
        acceptance=acceptance,
        actions=actions,
        timeline=timeline(record.transcript) if record.transcript else None,
        verdicts=VERDICTS,
        outcomes=OUTCOMES,
        shown_time=shown_time,
    )
