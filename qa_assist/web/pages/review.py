"""The review queue: the agents' open disputes first (oldest first, each with its call and
item), then calls with a failed fatal item, then those the scorer was least sure of; only
calls nobody has reviewed yet and that wait for no dispute's answer."""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...analytics import Link, Table
from ...api.deps import Store
from ...auth import User, mask_text
from ...storage import CallStore, Dispute, DisputeStore, ReviewStore
from ...storage.calls import CallQuery
from ..export import download
from ..rendering import language, render, translations
from .common import Reviewer, disputes_of, reviews_of, settings_of, shown_time

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


@dataclass(frozen=True)
class DisputeLine:
    dispute: Dispute
    #: the disputed item's title (its id when the rubric no longer has it)
    title_zh: str
    title_en: str

    @property
    def link(self) -> str:
        """The disputed item on its call's page."""
        return f"/calls/{self.dispute.call_id}#item-{self.dispute.item_id}"


def open_disputes(disputes: DisputeStore, reviews: ReviewStore, limit: int) -> list[DisputeLine]:
    found, _ = disputes.list(status="open", limit=limit)
    titles: dict[int, dict[str, tuple[str, str]]] = {}
    lines = []
    for dispute in found:
        if dispute.call_id not in titles:
            score = reviews.reviewed_score(dispute.call_id)
            titles[dispute.call_id] = {i.item_id: (i.title_zh, i.title_en) for i in score.items}
        zh, en = titles[dispute.call_id].get(dispute.item_id, (dispute.item_id, dispute.item_id))
        lines.append(DisputeLine(dispute, zh, en))
    return lines


def review_queue(
    store: CallStore, reviews: ReviewStore, limit: int, disputed: frozenset[int] = frozenset()
) -> list[QueueLine]:
    """Fatal, then unsure calls; the ``disputed`` calls are left out (listed above them)."""
    lines: dict[int, QueueLine] = {}
    fatal, _ = store.list_calls(CallQuery(fatal=True, sort="score", order="asc", limit=limit))
    for summary in fatal:
        if summary.id in disputed or reviews.history(summary.id):
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
        if waiting.call_id not in lines and waiting.call_id not in disputed:
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
    return [replace(line, file_name=mask_text(line.file_name)) for line in lines]


def _shown_disputes(lines: list[DisputeLine], user: User) -> list[DisputeLine]:
    if user.sees_pii:
        return lines
    return [
        replace(line, dispute=replace(line.dispute, file_name=mask_text(line.dispute.file_name)))
        for line in lines
    ]


@dataclass(frozen=True)
class Queued:
    disputes: list[DisputeLine]
    calls: list[QueueLine]


def _queued(request: Request, store: CallStore, user: User, limit: int) -> Queued:
    reviews = reviews_of(request)
    disputes = open_disputes(disputes_of(request), reviews, limit)
    disputed = frozenset(line.dispute.call_id for line in disputes)
    calls = review_queue(store, reviews, limit, disputed)
    return Queued(_shown_disputes(disputes, user), _shown(calls, user))


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, store: Store, user: Reviewer) -> HTMLResponse:
    queued = _queued(request, store, user, settings_of(request).web_page_size)
    return render(
        request,
        "review.html",
        user=user,
        disputes=queued.disputes,
        lines=queued.calls,
        shown_time=shown_time,
    )


@router.get("/review.{fmt}")
def export_review(fmt: str, request: Request, store: Store, user: Reviewer) -> Response:
    queued = _queued(request, store, user, settings_of(request).web_export_max_rows)
    lang = language(request)
    t = translations(lang)
    base_url = str(request.base_url).rstrip("/")
    calls = Table(
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
            for l in queued.calls
        ),
    )
    disputes = Table(
        t["open_disputes"],
        (
            "#",
            t["file"],
            t["agent"],
            t["item"],
            t["disputed_verdict"],
            t["raised_by"],
            t["raised_at"],
            t["dispute_reason"],
        ),
        tuple(
            (
                Link(f"#{line.dispute.call_id}", f"{base_url}{line.link}"),
                line.dispute.file_name,
                line.dispute.agent_id,
                line.title_zh if lang == "zh" else line.title_en,
                t[line.dispute.verdict],
                line.dispute.raised_by,
                shown_time(line.dispute.raised_at),
                line.dispute.reason,
            )
            for line in queued.disputes
        ),
    )
    tables = {"review": calls, "disputes": disputes}
    return download(tables, "review-queue", fmt, request.query_params.get("table"))
