"""What the signed-in user may do on a call's review right now, so the call page offers only
those buttons: a reviewer overrides and resolves disputes, the call's agent accepts the
result or disputes an item, anyone who reads the call comments. What the agent may do comes
from the dispute store, whose rules the review API enforces, so nobody is shown a button that
can only answer 403 or 409."""

from __future__ import annotations

from dataclasses import dataclass

from ..auth import User
from ..storage import AgentOptions


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


def review_actions(user: User, call_agent_id: str | None, options: AgentOptions) -> ReviewActions:
    answer = (
        user.may_read_call(call_agent_id)
        and user.agent_id is not None
        and user.agent_id == call_agent_id
    )
    return ReviewActions(
        review=user.can("reviews:write"),
        answer=answer,
        accept=answer and options.may_accept,
        disputable=options.disputable if answer else frozenset(),
        disputed=options.disputed,
    )
