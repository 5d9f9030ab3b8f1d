"""The review queue: calls with a failed fatal item first, then those the scorer was least
sure of; only calls nobody has reviewed yet."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...analytics import Link, Table
from ...api.deps import Store
from ...auth import User, mask_text
from ...storage import CallStore, ReviewStore
from ...storage.calls import CallQuery
from ..export import download
from ..rendering import language, render, translations
from .common import Reviewer, reviews_of, settings_of

router = APIRouter()


@dataclass(frozen=True)
class QueueLine:
    call_id: int
    file_name: str
    total: float
    confidence: float
    fatal: bool
    #: the fatal items failed, or the items the scorer was unsure of
    items: tuple[str, ...]


def review_queue(store: CallStore, reviews: ReviewStore, limit: int) -> list[QueueLine]:
    lines: dict[int, QueueLine] = {}
    fatal, _ = store.list_calls(CallQuery(fatal=True, sort="score", order="asc", limit=limit))
    for summary in fatal:
        if reviews.history(summary.id):
            continue
        record = store.get_call(summary.id)
        failed = tuple(
            f"{item.item_id}: fail ({item.confidence:.2f})"
            for item in (record.score.items if record and record.score else ())
            if item.fatal and item.verdict == "fail"
        )
        assert summary.score is not None
        lines[summary.id] = QueueLine(
            summary.id,
            summary.file_name,
            summary.score.total,
            summary.score.confidence,
            True,
            failed,
        )
    for waiting in reviews.queue(limit):
        if waiting.call_id not in lines:
            lines[waiting.call_id] = QueueLine(
                waiting.call_id,
                waiting.file_name,
                waiting.total,
                waiting.confidence,
                False,
                waiting.items,
            )
    ordered = sorted(lines.values(), key=lambda line: (not line.fatal, line.confidence))
    return ordered[:limit]


def _shown(lines: list[QueueLine], user: User) -> list[QueueLine]:
    if user.sees_pii:
        return lines
    return [
        QueueLine(l.call_id, mask_text(l.file_name), l.total, l.confidence, l.fatal, l.items)
        for l in lines
    ]


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, store: Store, user: Reviewer) -> HTMLResponse:
    lines = review_queue(store, reviews_of(request), settings_of(request).web_page_size)
    return render(request, "review.html", user=user, lines=_shown(lines, user))


@router.get("/review.{fmt}")
def export_review(fmt: str, request: Request, store: Store, user: Reviewer) -> Response:
    lines = _shown(
        review_queue(store, reviews_of(request), settings_of(request).web_export_max_rows), user
    )
    t = translations(language(request))
    base_url = str(request.base_url).rstrip("/")
    table = Table(
        t["review_queue"],
        ("#", t["file"], t["score"], t["confidence"], t["fatal"], t["unsure_items"]),
        tuple(
            (
                Link(f"#{l.call_id}", f"{base_url}/calls/{l.call_id}"),
                l.file_name,
                l.total,
                l.confidence,
                t["yes"] if l.fatal else t["no"],
                "、".join(l.items),
            )
            for l in lines
        ),
    )
    return download({"review": table}, "review-queue", fmt)
