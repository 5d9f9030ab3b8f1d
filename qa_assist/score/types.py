"""What scoring produces: per-item verdicts with their evidence, and the call's total."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from pydantic import TypeAdapter

Verdict = Literal["pass", "fail", "not_applicable", "needs_review"]


@dataclass(frozen=True)
class Evidence:
    """What decided a check: a stretch of the call and what it was compared with."""

    #: the transcript turn (``Transcript.turns[i].id``); None for a call-wide measure
    turn_id: int | None
    speaker: str
    start: float
    end: float
    #: the words heard (the turn's sentence), or the measured value for a metric
    text: str
    #: what they were compared with: a standard or forbidden phrase, a reference script line,
    #: a pattern, a metric limit, or the LLM judge's reason
    matched: str
    #: similarity (phrase, semantic), the measured value (metric), 1.0 (regex, order, LLM)
    score: float
    #: which kind of check produced it
    check: str


@dataclass(frozen=True)
class CheckResult:
    """One check of an item; kept so that calibration can re-decide it at another threshold."""

    type: str
    verdict: Verdict
    confidence: float
    #: the best similarity or the measured value; None when the check has no single number
    score: float | None = None
    #: the limit the score was compared with; None when the check has none
    threshold: float | None = None
    #: why, in English; ``reason_zh`` says the same in Chinese (see reasons.py)
    reason: str = ""
    evidence: tuple[Evidence, ...] = ()
    reason_zh: str = ""


@dataclass(frozen=True)
class Override:
    """A QA specialist's decision on one item; the automatic result stays in ``auto_verdict``."""

    verdict: Verdict
    reviewer: str
    comment: str
    at: str
    auto_verdict: Verdict


@dataclass(frozen=True)
class ItemResult:
    item_id: str
    title_zh: str
    title_en: str
    verdict: Verdict
    points: float
    max_points: float
    fatal: bool
    #: how sure the automatic verdict is, 0..1
    confidence: float
    evidence: tuple[Evidence, ...]
    reason: str
    checks: tuple[CheckResult, ...] = ()
    #: what to coach when the item fails (the rubric's coaching line, else its title)
    coaching: str = ""
    #: set when a person changed the verdict
    override: Override | None = None
    #: ``reason`` in Chinese (empty in results stored before reasons were bilingual)
    reason_zh: str = ""


@dataclass(frozen=True)
class CallScore:
    rubric_id: str
    rubric_version: str
    scenario: str
    #: 0..100 over the items that apply and were judged; 0 on a fatal failure
    total: float
    max_total: float
    fatal_failure: bool
    items: tuple[ItemResult, ...]
    #: what to coach the agent on, in the rubric's order
    coaching: tuple[str, ...]
    #: the lowest confidence of a judged item (1.0 when none was judged)
    confidence: float = 1.0
    #: true when an item needs a person, or the call's confidence is low: it goes to the queue
    needs_review: bool = False
    #: identity of every model that shaped the result (ASR, sentence encoder, LLM)
    model_versions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> CallScore:
        return _CALL_SCORE.validate_python(payload)

    def item(self, item_id: str) -> ItemResult:
        return next(item for item in self.items if item.item_id == item_id)


def earned_points(verdict: Verdict, max_points: float) -> float:
    return max_points if verdict in ("pass", "not_applicable") else 0.0


def totals(items: tuple[ItemResult, ...]) -> tuple[float, bool]:
    """The call's 0..100 total and whether a fatal item failed.

    Items not applicable or still needing review count neither for nor against: the total is
    over what was judged, and the call waits in the review queue for the rest.
    """
    fatal_failure = any(item.fatal and item.verdict == "fail" for item in items)
    judged = [item for item in items if item.verdict in ("pass", "fail")]
    possible = sum(item.max_points for item in judged)
    earned = sum(item.points for item in judged)
    if fatal_failure:
        return 0.0, True
    return (round(100 * earned / possible, 1) if possible else 100.0), False


def with_items(score: CallScore, items: tuple[ItemResult, ...]) -> CallScore:
    """The same score with other item results (after an override): totals and coaching redone."""
    total, fatal_failure = totals(items)
    coaching = tuple(item.coaching for item in items if item.verdict == "fail")
    return replace(score, items=items, total=total, fatal_failure=fatal_failure, coaching=coaching)


_CALL_SCORE = TypeAdapter(CallScore)


def overridden(score: CallScore, overrides: dict[str, Override]) -> CallScore:
    """The score as people decided it: their verdicts on the items they reviewed, the machine's
    (kept in ``Override.auto_verdict``) on the rest; totals and coaching redone."""
    items = tuple(
        replace(
            item,
            verdict=overrides[item.item_id].verdict,
            points=earned_points(overrides[item.item_id].verdict, item.max_points),
            override=overrides[item.item_id],
        )
        if item.item_id in overrides
        else item
        for item in score.items
    )
    return with_items(score, items)
