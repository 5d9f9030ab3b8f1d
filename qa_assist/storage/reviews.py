"""Human review of automatic scores: overrides with comments, confirmations, comments that
change nothing, the audit trail, the review queue and the human labels that calibration
compares with. Agents' acceptance and disputes are in ``disputes.py``, on the same primitives.

The machine's score row is never changed: a person's verdicts live beside it and the reviewed
score is the automatic one with them applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import ParamSpec, TypeVar, cast, get_args

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..score import CallScore, ItemResult, Override, Verdict
from ..score.calibration import HumanScore
from ..score.types import earned_points, overridden
from .calls import retry_locked
from .tables import AuditRow, CallRow, DisputeRow, ItemReviewRow, ScoreRow, utcnow

VERDICTS: tuple[str, ...] = get_args(Verdict)
#: The longest name the columns hold (PostgreSQL refuses a longer one; SQLite would keep it).
NAME_LENGTH = 64


P = ParamSpec("P")
R = TypeVar("R")
#: Attempts of a review write that keeps losing a race for an item's first verdict.
RACED_ATTEMPTS = 3


def retry_raced(write: Callable[P, R]) -> Callable[P, R]:
    """Two people giving an item its first verdict at once both insert its row: the one
    refused by the unique key does it again, now as an update of the other's."""

    @wraps(write)
    def attempt(*args: P.args, **kwargs: P.kwargs) -> R:
        for number in range(1, RACED_ATTEMPTS + 1):
            try:
                return write(*args, **kwargs)
            except IntegrityError:
                if number == RACED_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    return attempt


class ReviewError(ValueError):
    """A review that cannot be recorded (an unknown verdict, no reviewer named)."""


class ReviewTargetMissing(ReviewError):
    """No such call, no score for it, no such item in its score, or no such dispute."""


class ReviewConflict(ReviewError):
    """An action the review's state does not allow now: a second open dispute of an item, a
    dispute resolved already, a result accepted while a dispute of it is open."""


@dataclass(frozen=True)
class AuditEntry:
    call_id: int
    #: None when the action concerns the whole call (accepting its result, a comment on it)
    item_id: str | None
    #: override, confirm, comment, accept, dispute, dispute_upheld or dispute_rejected
    action: str
    #: who did it: the signed-in user's name, or ``--by`` on the command line
    reviewer: str
    at: datetime
    #: the state before and after: an item's verdict and points (and its dispute's status),
    #: a call's total
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
    #: disputes of its agent waiting for an answer (these calls come first)
    open_disputes: int = 0


def checked_name(name: str, what: str = "the reviewer's name") -> str:
    name = name.strip()
    if not name:
        raise ReviewError(f"a review needs {what}")
    if len(name) > NAME_LENGTH:
        raise ReviewError(f"{what} is longer than {NAME_LENGTH} characters")
    return name


def checked_verdict(verdict: str) -> Verdict:
    if verdict not in VERDICTS:
        raise ReviewError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    return cast(Verdict, verdict)


def latest_score(session: Session, call_id: int) -> ScoreRow:
    """The call's newest automatic score, the one people review."""
    if session.get(CallRow, call_id) is None:
        raise ReviewTargetMissing(f"no call with id {call_id}")
    row = session.scalar(
        select(ScoreRow).where(ScoreRow.call_id == call_id).order_by(ScoreRow.id.desc())
    )
    if row is None:
        raise ReviewTargetMissing(f"call {call_id} has not been scored")
    return row


def reviewed(session: Session, score_row: ScoreRow) -> CallScore:
    """The automatic score with people's verdicts applied."""
    rows = session.scalars(select(ItemReviewRow).where(ItemReviewRow.score_id == score_row.id))
    return with_reviews(CallScore.from_dict(score_row.payload), rows)


def with_reviews(score: CallScore, rows: Iterable[ItemReviewRow]) -> CallScore:
    """``score`` with the verdicts of these item reviews (of that score) applied."""
    auto = {item.item_id: item.verdict for item in score.items}
    return overridden(
        score,
        {
            row.item_id: Override(
                cast(Verdict, row.verdict),
                row.reviewer,
                row.comment,
                row.updated_at.isoformat(),
                auto[row.item_id],
            )
            for row in rows
        },
    )


def item_of(score: CallScore, call_id: int, item_id: str) -> ItemResult:
    for item in score.items:
        if item.item_id == item_id:
            return item
    known = ", ".join(item.item_id for item in score.items)
    raise ReviewTargetMissing(f"call {call_id} has no item {item_id!r}: {known}")


def verdict_state(item: ItemResult, **extra: str) -> dict:
    """What the audit trail records of an item: its verdict and points (and more, e.g. its
    dispute's status)."""
    return {"verdict": item.verdict, "points": item.points, **extra}


def audit(
    session: Session,
    score_row: ScoreRow,
    item_id: str | None,
    action: str,
    who: str,
    before: dict,
    after: dict,
    comment: str,
) -> AuditRow:
    row = AuditRow(
        call_id=score_row.call_id,
        score_id=score_row.id,
        item_id=item_id,
        action=action,
        reviewer=who,
        before=before,
        after=after,
        comment=comment,
        at=utcnow(),
    )
    session.add(row)
    return row


def set_verdict(
    session: Session,
    score_row: ScoreRow,
    item: ItemResult,
    verdict: Verdict,
    reviewer: str,
    comment: str,
    action: str,
    dispute: tuple[str, str] | None = None,
) -> None:
    """A person's verdict on an item (``item`` is its reviewed state before), and its audit
    entry under ``action``; ``dispute`` is the item's dispute status before and after, when a
    dispute's resolution set the verdict."""
    review = session.scalar(
        select(ItemReviewRow).where(
            ItemReviewRow.score_id == score_row.id, ItemReviewRow.item_id == item.item_id
        )
    )
    if review is None:
        review = ItemReviewRow(
            score_id=score_row.id, call_id=score_row.call_id, item_id=item.item_id
        )
        session.add(review)
    # An item a person overrode stays "override" when they later confirm it.
    changed = verdict != item.verdict
    review.action = "override" if changed or review.action == "override" else "confirm"
    review.verdict, review.reviewer, review.comment = verdict, reviewer, comment
    review.updated_at = utcnow()
    before = verdict_state(item)
    after = {"verdict": verdict, "points": earned_points(verdict, item.max_points)}
    if dispute is not None:
        before["dispute"], after["dispute"] = dispute
    audit(session, score_row, item.item_id, action, reviewer, before, after, comment)
    session.flush()
    store_reviewed_totals(session, score_row)


def store_reviewed_totals(session: Session, score_row: ScoreRow) -> None:
    """Keep the score row's reviewed total and fatal flag in step with people's verdicts."""
    score = reviewed(session, score_row)
    edited = any(
        item.override is not None and item.override.verdict != item.override.auto_verdict
        for item in score.items
    )
    score_row.reviewed_total = score.total if edited else None
    score_row.reviewed_fatal_failure = score.fatal_failure if edited else None


def audit_entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        row.call_id,
        row.item_id,
        row.action,
        row.reviewer,
        row.at,
        row.before,
        row.after,
        row.comment,
    )


class ReviewStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def reviewed_score(self, call_id: int) -> CallScore:
        """The newest automatic score of the call with people's verdicts applied."""
        with self.sessions() as session:
            return reviewed(session, latest_score(session, call_id))

    def call_agent(self, call_id: int) -> str | None:
        """The agent id the call carries (who may accept or dispute its result)."""
        with self.sessions() as session:
            call = session.get(CallRow, call_id)
            if call is None:
                raise ReviewTargetMissing(f"no call with id {call_id}")
            return call.agent_id

    @retry_locked
    @retry_raced
    def _record(
        self,
        call_id: int,
        item_ids: list[str] | None,
        verdict: str | None,
        reviewer: str,
        comment: str,
    ) -> CallScore:
        new = checked_verdict(verdict) if verdict is not None else None
        reviewer = checked_name(reviewer)
        with self.sessions.begin() as session:
            row = latest_score(session, call_id)
            current = reviewed(session, row)
            names = item_ids if item_ids is not None else [i.item_id for i in current.items]
            for item_id in names:
                item = item_of(current, call_id, item_id)
                target = new or item.verdict
                action = "confirm" if target == item.verdict else "override"
                set_verdict(session, row, item, target, reviewer, comment, action)
        return self.reviewed_score(call_id)

    def override(
        self, call_id: int, item_id: str, verdict: str, reviewer: str, comment: str = ""
    ) -> CallScore:
        """Set a person's verdict on one item; returns the reviewed score."""
        return self._record(call_id, [item_id], verdict, reviewer, comment)

    def confirm(
        self, call_id: int, reviewer: str, comment: str = "", item_ids: list[str] | None = None
    ) -> CallScore:
        """A person agrees with the current verdicts (of all items, or those named)."""
        return self._record(call_id, item_ids, None, reviewer, comment)

    @retry_locked
    def comment(
        self, call_id: int, author: str, text: str, item_id: str | None = None
    ) -> AuditEntry:
        """A remark on an item, or on the whole call, that changes no verdict."""
        author = checked_name(author, "the author's name")
        if not text.strip():
            raise ReviewError("a comment needs its text")
        with self.sessions.begin() as session:
            row = latest_score(session, call_id)
            current = reviewed(session, row)
            if item_id is None:
                state = {"total": current.total}
            else:
                state = verdict_state(item_of(current, call_id, item_id))
            entry = audit(session, row, item_id, "comment", author, state, state, text.strip())
            session.flush()
            return audit_entry(entry)

    def history(self, call_id: int) -> list[AuditEntry]:
        with self.sessions() as session:
            rows = session.scalars(
                select(AuditRow).where(AuditRow.call_id == call_id).order_by(AuditRow.id)
            )
            return [audit_entry(row) for row in rows]

    def queue(self, limit: int = 50) -> list[QueuedCall]:
        """Calls an agent disputes, then calls whose newest score needs a person and that nobody
        has reviewed, least sure first."""
        with self.sessions() as session:
            latest = {
                row.call_id: row for row in session.scalars(select(ScoreRow).order_by(ScoreRow.id))
            }
            reviewed_scores = set(session.scalars(select(ItemReviewRow.score_id).distinct()))
            names = dict(session.execute(select(CallRow.id, CallRow.file_name)).all())
            disputed: dict[int, list[str]] = {}
            for call_id, item_id in session.execute(
                select(DisputeRow.call_id, DisputeRow.item_id)
                .where(DisputeRow.status == "open")
                .order_by(DisputeRow.id)
            ):
                disputed.setdefault(call_id, []).append(item_id)
        waiting = []
        for call_id, row in latest.items():
            score = CallScore.from_dict(row.payload)
            open_items = disputed.get(call_id, [])
            if not open_items and (not score.needs_review or row.id in reviewed_scores):
                continue
            unsure = tuple(f"{item_id}: disputed" for item_id in open_items) + tuple(
                f"{item.item_id}: {item.verdict} ({item.confidence:.2f})"
                for item in score.items
                if item.verdict == "needs_review"
                or (item.verdict in ("pass", "fail") and item.confidence == score.confidence)
            )
            waiting.append(
                QueuedCall(
                    call_id, names[call_id], score.total, score.confidence, unsure, len(open_items)
                )
            )
        return sorted(waiting, key=lambda call: (-call.open_disputes, call.confidence))[:limit]

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
