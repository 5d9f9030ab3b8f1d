"""The figures of each call the dashboard and the daily report sum up, read from the database:
who took it, when, its newest score (with people's verdicts applied) and what it was about."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from ..score import CallScore
from ..storage.reviews import with_reviews
from ..storage.tables import CallRow, ItemReviewRow, ScoreRow, TranscriptRow
from ..triage import extract_entities
from .categories import Categorised
from .groups import UNASSIGNED


@dataclass(frozen=True)
class CallFacts:
    call_id: int
    file_name: str
    agent: str
    team: str
    scenario: str
    #: the day of the call (its call time, else the day it was stored)
    day: date
    duration: float | None
    category: Categorised
    #: the newest score with people's verdicts applied (``CallScore.to_dict()``), None while
    #: unscored
    score: dict[str, Any] | None

    @property
    def total(self) -> float | None:
        return self.score["total"] if self.score else None

    @property
    def percent(self) -> float | None:
        """The total as a share of the rubric's points, 0-100."""
        if not self.score or not self.score.get("max_total"):
            return None
        return 100 * self.score["total"] / self.score["max_total"]

    @property
    def fatal(self) -> bool:
        return bool(self.score and self.score["fatal_failure"])

    @property
    def needs_review(self) -> bool:
        return bool(self.score and self.score["needs_review"])

    @property
    def confidence(self) -> float | None:
        return self.score["confidence"] if self.score else None


def _vehicle_models(transcript: dict[str, Any]) -> tuple[str, ...]:
    """The models the customer named (a bare brand says too little to alert on)."""
    said = "。".join(
        turn["text"] for turn in transcript.get("turns", []) if turn.get("speaker") != "agent"
    )
    mentions = extract_entities(said).vehicle_models if said else []
    return tuple(dict.fromkeys(f"{m.brand} {m.model}" for m in mentions if m.model))


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _day(row: CallRow) -> date:
    return (row.call_time or row.created_at).date()


def _chunks(ids: list[int], size: int = 900) -> Iterator[list[int]]:
    # SQLite allows a limited number of bound values per statement.
    for first in range(0, len(ids), size):
        yield ids[first : first + size]


def load_facts(
    sessions: sessionmaker[Session],
    call_ids: Collection[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    agent: str | None = None,
    team: str | None = None,
) -> list[CallFacts]:
    """Facts of the calls named, or of those on the days ``start`` to ``end`` (inclusive) of
    the agent and team given; ordered by call id."""
    conditions = []
    if call_ids is not None:
        conditions.append(CallRow.id.in_(list(call_ids)))
    if start is not None and end is not None:
        low, high = _utc(start), _utc(end + timedelta(days=1))
        conditions.append(
            or_(
                and_(CallRow.call_time.is_not(None), CallRow.call_time >= low),
                and_(CallRow.call_time.is_(None), CallRow.created_at >= low),
            )
        )
        conditions.append(
            or_(
                and_(CallRow.call_time.is_not(None), CallRow.call_time < high),
                and_(CallRow.call_time.is_(None), CallRow.created_at < high),
            )
        )
    if agent:
        conditions.append(CallRow.agent_id == agent)
    if team:
        conditions.append(CallRow.team == team)
    with sessions() as session:
        rows = list(session.scalars(select(CallRow).where(*conditions).order_by(CallRow.id)))
        ids = [row.id for row in rows]
        scores: dict[int, dict[str, Any]] = {}
        models: dict[int, tuple[str, ...]] = {}
        for chunk in _chunks(ids):
            newest: dict[int, tuple[int, dict[str, Any]]] = {}
            for call_id, score_id, payload in session.execute(
                select(ScoreRow.call_id, ScoreRow.id, ScoreRow.payload)
                .where(ScoreRow.call_id.in_(chunk))
                .order_by(ScoreRow.id)
            ):
                newest[call_id] = (score_id, payload)
            reviews: dict[int, list[ItemReviewRow]] = {}
            for review in session.scalars(
                select(ItemReviewRow).where(ItemReviewRow.call_id.in_(chunk))
            ):
                reviews.setdefault(review.score_id, []).append(review)
            for call_id, (score_id, payload) in newest.items():
                scores[call_id] = (
                    with_reviews(CallScore.from_dict(payload), reviews[score_id]).to_dict()
                    if score_id in reviews
                    else payload
                )
            for call_id, payload in session.execute(
                select(TranscriptRow.call_id, TranscriptRow.payload).where(
                    TranscriptRow.call_id.in_(chunk)
                )
            ):
                models[call_id] = _vehicle_models(payload)
    return [
        CallFacts(
            call_id=row.id,
            file_name=row.file_name,
            agent=row.agent_id or UNASSIGNED,
            team=row.team or UNASSIGNED,
            scenario=row.scenario,
            day=_day(row),
            duration=row.duration,
            category=Categorised(row.ticket_type, row.ticket_subsystem, models.get(row.id, ())),
            score=scores.get(row.id),
        )
        for row in rows
    ]
