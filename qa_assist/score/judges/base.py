"""What every judge shares: the judge interface and the mapping from "found" to a verdict."""

from __future__ import annotations

from typing import Any, Protocol

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
    """A presence check passes when something was found, an absence check when nothing was."""
    present = bool(found)
    verdict: Verdict
    if expect == "present":
        verdict, reason = ("pass", f"{what} said") if present else ("fail", f"no {what} found")
    else:
        verdict, reason = (
            ("fail", f"forbidden {what} said") if present else ("pass", f"no forbidden {what}")
        )
    return CheckResult(check_type, verdict, sureness, score, threshold, reason, found)
