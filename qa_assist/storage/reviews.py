"""Human review of automatic scores: overrides with comments, confirmations, the audit trail,
the review queue and the human labels that calibration compares with.

The machine's score row is never changed: a person's verdicts live beside it and the reviewed
score is the automatic one with them applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..score import CallScore, Override, Verdict
from ..score.calibration import HumanScore
from ..score.types import overridden
from .tables import AuditRow, CallRow, ItemReviewRow, ScoreRow, utcnow

VERDICTS = ("pass", "fail", "not_applicable", "needs_review")


class ReviewError(ValueError):
    """A review that cannot be recorded (an unknown verdict, no reviewer named)."""


class ReviewTargetMissing(ReviewError):
    """No such call, no score for it, or no such item in its score."""


@dataclass(frozen=True)
class AuditEntry:
    call_id: int
    item_id: str
    action: str
    reviewer: str
    at: datetime
    before: dict
    after: dict
    comment: str


@dataclass(frozen=True)
class QueuedCall:
    call_id: int
    file_name: str
    total: float
    confidence: float
    #: the items that need a person, with the reason
    items: tuple[str, ...]


def _latest_score(session: Session, call_id: int) -> ScoreRow:
    if session.get(CallRow, call_id) is None:
        raise ReviewTargetMissing(f"no call with id {call_id}")
    row = session.scalar(
        select(ScoreRow).where(ScoreRow.call_id == call_id).order_by(ScoreRow.id.desc())
    )
    if row is None:
        raise ReviewTargetMissing(f"call {call_id} has not been scored")
    return row


def _overrides(session: Session, score_row: ScoreRow, score: CallScore) -> dict[str, Override]:
    rows = session.scalars(select(ItemReviewRow).where(ItemReviewRow.score_id == score_row.id))
    auto = {item.item_id: item.verdict for item in score.items}
    return {
        row.item_id: Override(
            cast(Verdict, row.verdict),
            row.reviewer,
            row.comment,
            row.updated_at.isoformat(),
            auto[row.item_id],
        )
        for row in rows
    }


class ReviewStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def reviewed_score(self, call_id: int) -> CallScore:
        """The newest automatic score of the call with people's verdicts applied."""
        with self.sessions() as session:
            row = _latest_score(session, call_id)
            score = CallScore.from_dict(row.payload)
            return overridden(score, _overrides(session, row, score))

    def _record(
        self,
        call_id: int,
        item_ids: list[str] | None,
        verdict: Verdict | None,
        reviewer: str,
        comment: str,
    ) -> CallScore:
        if verdict is not None and verdict not in VERDICTS:
            raise ReviewError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        if not reviewer.strip():
            raise ReviewError("a review needs the reviewer's name")
        with self.sessions.begin() as session:
            row = _latest_score(session, call_id)
            score = CallScore.from_dict(row.payload)
            current = overridden(score, _overrides(session, row, score))
            known = {item.item_id: item for item in current.items}
            for item_id in item_ids if item_ids is not None else list(known):
                if item_id not in known:
                    raise ReviewTargetMissing(
                        f"call {call_id} has no item {item_id!r}: {', '.join(known)}"
                    )
                before = known[item_id]
                new = verdict or before.verdict
                action = "confirm" if new == before.verdict else "override"
                review = session.scalar(
                    select(ItemReviewRow).where(
                        ItemReviewRow.score_id == row.id, ItemReviewRow.item_id == item_id
                    )
                )
                if review is None:
                    review = ItemReviewRow(score_id=row.id, call_id=call_id, item_id=item_id)
                    session.add(review)
                # An item a person overrode stays "override" when they later confirm it.
                review.action = (
                    "override" if action == "override" or review.action == "override" else "confirm"
                )
                review.verdict, review.reviewer, review.comment = new, reviewer, comment
                review.updated_at = utcnow()
                session.add(
                    AuditRow(
                        call_id=call_id,
                        score_id=row.id,
                        item_id=item_id,
                        action=action,
                        reviewer=reviewer,
                        before={"verdict": before.verdict, "points": before.points},
                        after={
                            "verdict": new,
                            "points": before.max_points
                            if new in ("pass", "not_applicable")
                            else 0.0,
                        },
                        comment=comment,
                    )
                )
        return self.reviewed_score(call_id)

    def override(
        self, call_id: int, item_id: str, verdict: Verdict, reviewer: str, comment: str = ""
    ) -> CallScore:
        """Set a person's verdict on one item; returns the reviewed score."""
        return self._record(call_id, [item_id], verdict, reviewer, comment)

    def confirm(
        self, call_id: int, reviewer: str, comment: str = "", item_ids: list[str] | None = None
    ) -> CallScore:
        """A person agrees with the current verdicts (of all items, or those named)."""
        return self._record(call_id, item_ids, None, reviewer, comment)

    def history(self, call_id: int) -> list[AuditEntry]:
        with self.sessions() as session:
            rows = session.scalars(
                select(AuditRow).where(AuditRow.call_id == call_id).order_by(AuditRow.id)
            )
            return [
                AuditEntry(
                    r.call_id, r.item_id, r.action, r.reviewer, r.at, r.before, r.after, r.comment
                )
                for r in rows
            ]

    def queue(self, limit: int = 50) -> list[QueuedCall]:
        """Calls whose newest score needs a person and that nobody has reviewed, least sure first."""
        with self.sessions() as session:
            latest = {
                row.call_id: row for row in session.scalars(select(ScoreRow).order_by(ScoreRow.id))
            }
            reviewed = set(session.scalars(select(ItemReviewRow.score_id).distinct()))
            names = dict(session.execute(select(CallRow.id, CallRow.file_name)).all())
        waiting = []
        for call_id, row in latest.items():
            score = CallScore.from_dict(row.payload)
            if not score.needs_review or row.id in reviewed:
                continue
            unsure = tuple(
                f"{item.item_id}: {item.verdict} ({item.confidence:.2f})"
                for item in score.items
                if item.verdict == "needs_review"
                or (item.verdict in ("pass", "fail") and item.confidence == score.confidence)
            )
            waiting.append(
                QueuedCall(call_id, names[call_id], score.total, score.confidence, unsure)
            )
        return sorted(waiting, key=lambda call: call.confidence)[:limit]

    def human_scores(self) -> list[tuple[CallScore, HumanScore]]:
        """Every reviewed call's automatic score and the people's verdicts on it."""
        with self.sessions() as session:
            reviews = session.scalars(select(ItemReviewRow).order_by(ItemReviewRow.score_id))
            by_score: dict[int, dict[str, str]] = {}
            calls: dict[int, int] = {}
            for review in reviews:
                by_score.setdefault(review.score_id, {})[review.item_id] = review.verdict
                calls[review.score_id] = review.call_id
            return [
                (
                    CallScore.from_dict(session.get_one(ScoreRow, score_id).payload),
                    HumanScore(str(calls[score_id]), items),
                )
                for score_id, items in by_score.items()
            ]
