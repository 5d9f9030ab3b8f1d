"""What the signed-in user may do on a call's review right now, so the call page offers only
those buttons: a reviewer overrides and resolves disputes, the call's agent accepts the
result or disputes an item, anyone who reads the call comments. The review API decides in the
end; this mirrors its rules so nobody is shown a button that can only answer 403 or 409."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..auth import User
from ..score import CallScore
from ..storage import AuditEntry, Dispute

#: Audit actions by which a person changed an item's verdict.
VERDICT_CHANGES = ("override", "dispute_upheld")


@dataclass(frozen=True)
class ReviewActions:
    #: override items and resolve disputes (``reviews:write``)
    review: bool
    #: the call's agent: the one who accepts or disputes its result
    answer: bool
    #: accept the result now: the agent's, no dispute open, not accepted as it stands
    accept: bool
    #: the items the agent may dispute now
    disputable: frozenset[str]
    #: items of this call with a dispute waiting for an answer
    disputed: frozenset[str]


def _changed_after_acceptance(history: Sequence[AuditEntry], item_id: str | None) -> bool:
    """Whether a person changed the item's verdict (any item's, for None) after the newest
    acceptance in the trail (oldest first)."""
    accepted = max(i for i, entry in enumerate(history) if entry.action == "accept")
    return any(
        entry.action in VERDICT_CHANGES and (item_id is None or entry.item_id == item_id)
        for entry in history[accepted + 1 :]
    )


def review_actions(
    user: User,
    call_agent_id: str | None,
    score: CallScore,
    disputes: Sequence[Dispute],
    acceptance: AuditEntry | None,
    history: Sequence[AuditEntry],
) -> ReviewActions:
    disputed = frozenset(d.item_id for d in disputes if d.status == "open")
    answer = (
        user.may_read_call(call_agent_id)
        and user.agent_id is not None
        and user.agent_id == call_agent_id
    )

    def settled(item_id: str | None) -> bool:
        return acceptance is not None and not _changed_after_acceptance(history, item_id)

    disputable = frozenset(
        item.item_id
        for item in score.items
        if answer and item.item_id not in disputed and not settled(item.item_id)
    )
    return ReviewActions(
        review=user.can("reviews:write"),
        answer=answer,
        accept=answer and not disputed and not settled(None),
        disputable=disputable,
        disputed=disputed,
    )
