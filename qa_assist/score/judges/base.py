"""What every judge shares: the judge interface and the mapping from "found" to a verdict."""

from __future__ import annotations

from typing import Any, Protocol

from ..reasons import because, word
from ..scope import Scope
from ..types import CheckResult, Evidence, Verdict


class Judge(Protocol):
    """Decides one kind of check on one item's scope."""

    def judge(self, check: Any, scope: Scope) -> CheckResult: ...


def confidence(score: float, threshold: float, margin: float) -> float:
    """0.5 at the threshold, 1.0 once the score is ``margin`` or more away from it."""
    return round(min(1.0, 0.5 + abs(score - threshold) / (2 * margin)), 3)


def by_expectation(
    check_type: str,
    expect: str,
    found: tuple[Evidence, ...],
    score: float | None,
    threshold: float | None,
    sureness: float,
    what: str,
) -> CheckResult:
    """A presence check passes when something was found, an absence check when nothing was;
    ``what`` is the reasons' word for what the check looks for."""
    present = bool(found)
    verdict: Verdict
    if expect == "present":
        verdict, key = ("pass", "found") if present else ("fail", "not_found")
    else:
        verdict, key = ("fail", "forbidden_found") if present else ("pass", "forbidden_absent")
    return CheckResult(
        check_type,
        verdict,
        sureness,
        score,
        threshold,
        evidence=found,
        **because(key, what=word(what)),
    )
