"""What scoring produces: per-item verdicts with their evidence, and the call's total."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Verdict = Literal["pass", "fail", "not_applicable", "needs_review"]


@dataclass(frozen=True)
class Evidence:
    """The transcript span that decided an item."""

    segment_index: int
    speaker: str
    start: float
    end: float
    #: the words of the segment that matched
    text: str
    #: what they matched against (a standard or forbidden phrase)
    matched: str
    similarity: float


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


@dataclass(frozen=True)
class CallScore:
    rubric_id: str
    rubric_version: str
    scenario: str
    total: float
    max_total: float
    fatal_failure: bool
    items: tuple[ItemResult, ...]
    #: what to coach the agent on, in the rubric's order
    coaching: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> CallScore:
        items = tuple(
            ItemResult(
                **{key: value for key, value in item.items() if key != "evidence"},
                evidence=tuple(Evidence(**evidence) for evidence in item["evidence"]),
            )
            for item in payload["items"]
        )
        fields = {key: payload[key] for key in cls.__dataclass_fields__ if key != "items"}
        fields["coaching"] = tuple(fields["coaching"])
        return cls(**fields, items=items)
