"""Which rubric items fail most (what to train), from stored score payloads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ItemLine:
    item_id: str
    title_zh: str
    title_en: str
    failed: int
    #: times the item was judged pass or fail (not n/a, not left to a person)
    judged: int

    @property
    def rate(self) -> float:
        return self.failed / self.judged if self.judged else 0.0


def item_failures(scores: Iterable[Mapping[str, Any]]) -> tuple[ItemLine, ...]:
    """Failures per item over ``CallScore.to_dict()`` payloads, most failed first."""
    tally: dict[str, list[Any]] = {}
    for score in scores:
        for item in score["items"]:
            counts = tally.setdefault(item["item_id"], [item["title_zh"], item["title_en"], 0, 0])
            counts[2] += item["verdict"] == "fail"
            counts[3] += item["verdict"] in ("pass", "fail")
    return tuple(
        sorted(
            (
                ItemLine(item_id, zh, en, failed, judged)
                for item_id, (zh, en, failed, judged) in tally.items()
            ),
            key=lambda line: (-line.failed, -line.rate, line.item_id),
        )
    )
