"""One item before another (identity before solution), or an item in the speaker's first turn."""

from __future__ import annotations

from ..reasons import because
from ..rubric import OrderCheck, Text
from ..scope import Scope
from ..types import CheckResult, ItemResult


def _earliest(result: ItemResult) -> float:
    return min(evidence.start for evidence in result.evidence)


def _title(result: ItemResult) -> Text:
    return Text(zh=result.title_zh, en=result.title_en)


def _happened(result: ItemResult | None) -> bool:
    return result is not None and result.verdict == "pass" and bool(result.evidence)


class OrderJudge:
    def judge(self, check: OrderCheck, scope: Scope) -> CheckResult:
        first = scope.results.get(check.first)
        then = scope.results.get(check.then) if check.then else None
        # Order is judged only between things that happened; their absence is their own items' fail.
        if not _happened(first) or (check.then and not _happened(then)):
            return CheckResult("order", "not_applicable", 1.0, **because("nothing_to_order"))
        assert first is not None
        if then is None:
            opening = next(
                (turn for turn in scope.all_turns if turn.speaker in (scope.speaker, "unknown")),
                None,
            )
            in_order = opening is not None and any(e.turn_id == opening.id for e in first.evidence)
            key, names = "first_turn", {"first": _title(first)}
            evidence = first.evidence[:1]
        else:
            in_order = _earliest(first) <= _earliest(then)
            key, names = "before", {"first": _title(first), "then": _title(then)}
            evidence = first.evidence[:1] + then.evidence[:1]
        sureness = min(first.confidence, then.confidence if then else 1.0)
        return CheckResult(
            "order",
            "pass" if in_order else "fail",
            sureness,
            evidence=evidence,
            **because(key if in_order else f"not_{key}", **names),
        )
