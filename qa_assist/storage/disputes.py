"""The agent's side of a review: accepting a call's scored result, or disputing (申诉) one
item's verdict with a reason; and a QA specialist's resolution of the dispute, upheld (the
verdict changes, as an override) or rejected, with a comment. Every step is in the audit trail.

An agent accepts the result as it stands: not while a dispute of theirs waits for an answer,
and an item accepted cannot be disputed afterwards unless a person has changed its verdict
since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast, get_args

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..score import Verdict
from .calls import retry_locked
from .reviews import (
    AuditEntry,
    ReviewConflict,
    ReviewError,
    ReviewTargetMissing,
    audit,
    audit_entry,
    checked_name,
    checked_verdict,
    item_of,
    latest_score,
    retry_raced,
    reviewed,
    set_verdict,
    verdict_state,
)
from .tables import AuditRow, CallRow, DisputeRow, ScoreRow, utcnow

DisputeStatus = Literal["open", "upheld", "rejected"]
DISPUTE_STATUSES: tuple[DisputeStatus, ...] = get_args(DisputeStatus)
Outcome = Literal["upheld", "rejected"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
#: What an upheld dispute of a verdict makes it when the resolver names none.
UPHELD_VERDICT: dict[str, Verdict] = {"fail": "pass"}


@dataclass(frozen=True)
class Dispute:
    id: int
    call_id: int
    #: the call's recording and agent, for lists
    file_name: str
    agent_id: str | None
    item_id: str
    status: DisputeStatus
    #: the verdict disputed (the reviewed one when the dispute was raised)
    verdict: Verdict
    raised_by: str
    reason: str
    raised_at: datetime
    resolved_by: str | None = None
    #: the QA specialist's answer
    resolution: str = ""
    #: the item's verdict after an upheld dispute
    new_verdict: Verdict | None = None
    resolved_at: datetime | None = None


def _dispute(row: DisputeRow, call: CallRow) -> Dispute:
    return Dispute(
        row.id,
        row.call_id,
        call.file_name,
        call.agent_id,
        row.item_id,
        cast(DisputeStatus, row.status),
        cast(Verdict, row.verdict),
        row.raised_by,
        row.reason,
        row.raised_at,
        row.resolved_by,
        row.resolution,
        cast(Verdict | None, row.new_verdict),
        row.resolved_at,
    )


def _acceptance(session: Session, score_row: ScoreRow) -> AuditRow | None:
    return session.scalar(
        select(AuditRow)
        .where(AuditRow.score_id == score_row.id, AuditRow.action == "accept")
        .order_by(AuditRow.id.desc())
        .limit(1)
    )


def _open_disputes(session: Session, score_row: ScoreRow) -> list[DisputeRow]:
    return list(
        session.scalars(
            select(DisputeRow)
            .where(DisputeRow.score_id == score_row.id, DisputeRow.status == "open")
            .order_by(DisputeRow.id)
        )
    )


def _changed_since(session: Session, accepted: AuditRow, item_id: str | None = None) -> bool:
    """Whether a person changed the item's verdict (any item's, for None) after the result
    was accepted."""
    conditions = [
        AuditRow.score_id == accepted.score_id,
        AuditRow.id > accepted.id,
        AuditRow.action.in_(("override", "dispute_upheld")),
    ]
    if item_id is not None:
        conditions.append(AuditRow.item_id == item_id)
    return session.scalar(select(AuditRow.id).where(*conditions).limit(1)) is not None


def _settled(session: Session, accepted: AuditRow | None, item_id: str | None = None) -> bool:
    """Whether the accepted result stands for the item (for the whole call, for None): nobody
    changed it since the agent accepted it."""
    return accepted is not None and not _changed_since(session, accepted, item_id)


@dataclass(frozen=True)
class AgentOptions:
    """What the call's agent may do with the call's newest result now; ``accept`` and
    ``dispute`` refuse exactly what this leaves out."""

    may_accept: bool
    #: items the agent may dispute: not disputed already, not accepted as they stand
    disputable: frozenset[str]
    #: items with a dispute waiting for an answer
    disputed: frozenset[str]


class DisputeStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @retry_locked
    def accept(self, call_id: int, agent: str, comment: str = "") -> AuditEntry:
        """The agent accepts the call's reviewed result (acknowledges it)."""
        agent = checked_name(agent, "the agent's name")
        with self.sessions.begin() as session:
            row = latest_score(session, call_id)
            waiting = _open_disputes(session, row)
            if waiting:
                items = ", ".join(dispute.item_id for dispute in waiting)
                raise ReviewConflict(
                    f"call {call_id} has an open dispute ({items}): accept after it is resolved"
                )
            accepted = _acceptance(session, row)
            if accepted is not None and _settled(session, accepted):
                raise ReviewConflict(
                    f"{accepted.reviewer} accepted the result of call {call_id} already, on "
                    f"{accepted.at:%Y-%m-%d %H:%M}"
                )
            total = reviewed(session, row).total
            entry = audit(
                session,
                row,
                None,
                "accept",
                agent,
                {"total": total, "accepted": False},
                {"total": total, "accepted": True},
                comment.strip(),
            )
            session.flush()
            return audit_entry(entry)

    def acceptance(self, call_id: int) -> AuditEntry | None:
        """Who accepted the call's newest result, and when; None while nobody has."""
        with self.sessions() as session:
            row = _acceptance(session, latest_score(session, call_id))
            return audit_entry(row) if row else None

    def agent_options(self, call_id: int) -> AgentOptions:
        with self.sessions() as session:
            row = latest_score(session, call_id)
            disputed = frozenset(dispute.item_id for dispute in _open_disputes(session, row))
            accepted = _acceptance(session, row)
            return AgentOptions(
                may_accept=not disputed and not _settled(session, accepted),
                disputable=frozenset(
                    item.item_id
                    for item in reviewed(session, row).items
                    if item.item_id not in disputed
                    and not _settled(session, accepted, item.item_id)
                ),
                disputed=disputed,
            )

    @retry_locked
    def dispute(self, call_id: int, item_id: str, agent: str, reason: str) -> Dispute:
        """The agent disputes one item's verdict; it waits for a QA specialist."""
        agent = checked_name(agent, "the agent's name")
        if not reason.strip():
            raise ReviewError("a dispute needs the agent's reason")
        with self.sessions.begin() as session:
            row = latest_score(session, call_id)
            item = item_of(reviewed(session, row), call_id, item_id)
            if any(open_.item_id == item_id for open_ in _open_disputes(session, row)):
                raise ReviewConflict(f"item {item_id!r} of call {call_id} is disputed already")
            accepted = _acceptance(session, row)
            if accepted is not None and _settled(session, accepted, item_id):
                raise ReviewConflict(
                    f"{accepted.reviewer} accepted the result of call {call_id} on "
                    f"{accepted.at:%Y-%m-%d %H:%M}: item {item_id!r} has not changed since"
                )
            dispute = DisputeRow(
                call_id=call_id,
                score_id=row.id,
                item_id=item_id,
                status="open",
                verdict=item.verdict,
                raised_by=agent,
                reason=reason.strip(),
                resolution="",
                raised_at=utcnow(),
            )
            session.add(dispute)
            audit(
                session,
                row,
                item_id,
                "dispute",
                agent,
                verdict_state(item),
                verdict_state(item, dispute="open"),
                dispute.reason,
            )
            try:
                session.flush()
            except IntegrityError:
                # The same dispute sent twice at once: the database keeps one open per item.
                raise ReviewConflict(
                    f"item {item_id!r} of call {call_id} is disputed already"
                ) from None
            return _dispute(dispute, session.get_one(CallRow, call_id))

    @retry_locked
    @retry_raced
    def resolve(
        self,
        dispute_id: int,
        outcome: str,
        reviewer: str,
        comment: str,
        verdict: str | None = None,
    ) -> Dispute:
        """Answer an open dispute: ``upheld`` sets the item's verdict (``verdict``; a disputed
        fail becomes a pass when none is named), ``rejected`` keeps it. The comment is the
        answer the agent reads."""
        if outcome not in OUTCOMES:
            raise ReviewError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        reviewer = checked_name(reviewer)
        if not comment.strip():
            raise ReviewError("resolving a dispute needs a comment for the agent")
        with self.sessions.begin() as session:
            # Claimed first, whichever database: the update takes an open dispute only, so one
            # resolver wins and the others see it resolved (not the item it already changed).
            taken = session.execute(
                update(DisputeRow)
                .where(DisputeRow.id == dispute_id, DisputeRow.status == "open")
                .values(
                    status=outcome,
                    resolved_by=reviewer,
                    resolution=comment.strip(),
                    resolved_at=utcnow(),
                )
            )
            dispute = session.get(DisputeRow, dispute_id)
            if dispute is None:
                raise ReviewTargetMissing(f"no dispute with id {dispute_id}")
            if taken.rowcount != 1:
                raise ReviewConflict(
                    f"dispute {dispute_id} was {dispute.status} already, by {dispute.resolved_by}"
                )
            score_row = session.get_one(ScoreRow, dispute.score_id)
            item = item_of(reviewed(session, score_row), dispute.call_id, dispute.item_id)
            new: Verdict | None = None
            if outcome == "upheld":
                new = self._upheld_verdict(dispute, item.verdict, verdict)
            elif verdict is not None:
                raise ReviewError("a rejected dispute keeps the verdict: name none")
            dispute.new_verdict = new
            if new is not None:
                set_verdict(
                    session,
                    score_row,
                    item,
                    new,
                    reviewer,
                    comment.strip(),
                    "dispute_upheld",
                    ("open", "upheld"),
                )
            else:
                audit(
                    session,
                    score_row,
                    dispute.item_id,
                    "dispute_rejected",
                    reviewer,
                    verdict_state(item, dispute="open"),
                    verdict_state(item, dispute="rejected"),
                    comment.strip(),
                )
            session.flush()
            session.refresh(dispute)
            return _dispute(dispute, session.get_one(CallRow, dispute.call_id))

    @staticmethod
    def _upheld_verdict(dispute: DisputeRow, current: str, named: str | None) -> Verdict:
        if named is None:
            if dispute.verdict not in UPHELD_VERDICT:
                raise ReviewError(
                    f"say which verdict upholding the dispute of {dispute.verdict!r} gives item "
                    f"{dispute.item_id!r}"
                )
            new = UPHELD_VERDICT[dispute.verdict]
        else:
            new = checked_verdict(named)
        if new == current:
            raise ReviewError(
                f"item {dispute.item_id!r} is {current!r} already: an upheld dispute changes it"
            )
        return new

    def get(self, dispute_id: int) -> Dispute:
        with self.sessions() as session:
            found = session.execute(
                select(DisputeRow, CallRow)
                .join(CallRow, CallRow.id == DisputeRow.call_id)
                .where(DisputeRow.id == dispute_id)
            ).first()
            if found is None:
                raise ReviewTargetMissing(f"no dispute with id {dispute_id}")
            return _dispute(found.DisputeRow, found.CallRow)

    def list(
        self,
        status: DisputeStatus | None = None,
        call_id: int | None = None,
        agent_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[Dispute], int]:
        """Disputes, oldest first (the queue's order), with how many match in all; filtered
        by status, call and the call's agent."""
        conditions = []
        if status is not None:
            conditions.append(DisputeRow.status == status)
        if call_id is not None:
            conditions.append(DisputeRow.call_id == call_id)
        if agent_id is not None:
            conditions.append(CallRow.agent_id == agent_id)
        joined = select(DisputeRow, CallRow).join(CallRow, CallRow.id == DisputeRow.call_id)
        with self.sessions() as session:
            rows = session.execute(
                joined.where(*conditions).order_by(DisputeRow.id).limit(limit).offset(offset)
            ).all()
            count = session.scalar(
                select(func.count())
                .select_from(DisputeRow)
                .join(CallRow, CallRow.id == DisputeRow.call_id)
                .where(*conditions)
            )
            return [_dispute(row.DisputeRow, row.CallRow) for row in rows], count or 0
