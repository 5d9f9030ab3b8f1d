"""How far automatic scores agree with a QA specialist's, and which thresholds to move.

Given people's verdicts for a set of scored calls: per-item agreement and Cohen's κ, overall
agreement and κ, the mean absolute error of the call totals, and for each similarity threshold
the value that would have agreed with the people most often (suggested only when it changes
at least ``min_gain`` verdicts, so one odd call does not move a threshold).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from .rubric import PhraseCheck, Rubric, SemanticCheck
from .scorer import combine
from .types import CallScore, CheckResult, ItemResult, Override, overridden


@dataclass(frozen=True)
class HumanScore:
    """A person's verdicts for some items of one call (items left out are not compared)."""

    call_id: str
    items: dict[str, str]
    #: the person's own total, if they gave one; else computed from their verdicts
    total: float | None = None


@dataclass(frozen=True)
class ItemAgreement:
    item_id: str
    compared: int
    agreement: float
    #: Cohen's κ; None when it is undefined (both sides always gave the same verdict)
    kappa: float | None
    #: calls where the automatic verdict differed, as "call: auto -> human"
    disagreements: tuple[str, ...]


@dataclass(frozen=True)
class ThresholdSuggestion:
    item_id: str
    check_index: int
    check_type: str
    current: float
    suggested: float
    agreement_now: float
    agreement_then: float


@dataclass(frozen=True)
class CalibrationReport:
    calls: int
    compared: int
    agreement: float
    kappa: float | None
    total_mae: float
    items: tuple[ItemAgreement, ...]
    suggestions: tuple[ThresholdSuggestion, ...]


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    n = len(first)
    if n == 0:
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    left, right = Counter(first), Counter(second)
    expected = sum(left[label] * right[label] for label in left) / (n * n)
    return None if expected == 1 else round((observed - expected) / (1 - expected), 3)


def _human_view(score: CallScore, human: HumanScore) -> CallScore:
    """The call as the person scored it: their verdicts where given, the machine's elsewhere."""
    return overridden(
        score,
        {
            item.item_id: Override(human.items[item.item_id], "calibration", "", "", item.verdict)  # type: ignore[arg-type]
            for item in score.items
            if item.item_id in human.items
        },
    )


def _redecide(check: CheckResult, threshold: float, present: bool) -> CheckResult:
    if check.score is None or check.verdict in ("not_applicable", "needs_review"):
        return check
    found = check.score >= threshold
    return replace(check, verdict="pass" if found == present else "fail")


def _thresholded(rubrics: Sequence[Rubric]) -> dict[tuple[str, int], tuple[float, bool, str]]:
    """(item, check index) -> (threshold, is a presence check, combine mode) of similarity checks."""
    found: dict[tuple[str, int], tuple[float, bool, str]] = {}
    for rubric in rubrics:
        for item in rubric.items:
            for index, check in enumerate(item.checks):
                if isinstance(check, PhraseCheck | SemanticCheck):
                    found.setdefault(
                        (item.id, index), (check.threshold, check.expect == "present", item.combine)
                    )
    return found


def _suggest(
    pairs: Sequence[tuple[ItemResult, str]],
    index: int,
    current: float,
    present: bool,
    mode: str,
    min_gain: int,
) -> tuple[float, int, int] | None:
    """The threshold that agrees best with the people, its agreement count and the current one."""

    def agreeing(threshold: float) -> int:
        total = 0
        for item, human in pairs:
            if len(item.checks) <= index:
                continue
            checks = list(item.checks)
            checks[index] = _redecide(checks[index], threshold, present)
            total += combine(checks, mode)[0] == human
        return total

    scores = sorted(
        {
            score
            for item, _ in pairs
            if len(item.checks) > index and (score := item.checks[index].score) is not None
        }
    )
    # Candidates halfway between neighbouring observed scores: the most robust cut between them.
    candidates = [round((low + high) / 2, 3) for low, high in pairwise(scores)]
    now = agreeing(current)
    best = max(candidates, key=lambda value: (agreeing(value), -abs(value - current)), default=None)
    if best is None or agreeing(best) - now < min_gain:
        return None
    return best, agreeing(best), now


def calibrate(
    pairs: Sequence[tuple[CallScore, HumanScore]], rubrics: Sequence[Rubric] = (), min_gain: int = 2
) -> CalibrationReport:
    by_item: dict[str, list[tuple[str, ItemResult, str]]] = {}
    auto_all: list[str] = []
    human_all: list[str] = []
    errors: list[float] = []
    for score, human in pairs:
        for item in score.items:
            if item.item_id in human.items:
                by_item.setdefault(item.item_id, []).append(
                    (human.call_id, item, human.items[item.item_id])
                )
                auto_all.append(item.verdict)
                human_all.append(human.items[item.item_id])
        human_total = human.total if human.total is not None else _human_view(score, human).total
        errors.append(abs(score.total - human_total))
    items = []
    for item_id, rows in by_item.items():
        auto = [item.verdict for _, item, _ in rows]
        people = [verdict for _, _, verdict in rows]
        items.append(
            ItemAgreement(
                item_id,
                len(rows),
                round(sum(a == b for a, b in zip(auto, people)) / len(rows), 3),
                cohen_kappa(auto, people),
                tuple(
                    f"{call}: {item.verdict} -> {human}"
                    for call, item, human in rows
                    if item.verdict != human
                ),
            )
        )
    suggestions = []
    for (item_id, index), (current, present, mode) in _thresholded(rubrics).items():
        labelled = [(item, human) for _, item, human in by_item.get(item_id, [])]
        found = _suggest(labelled, index, current, present, mode, min_gain) if labelled else None
        if found:
            value, then, now = found
            check_type = labelled[0][0].checks[index].type
            suggestions.append(
                ThresholdSuggestion(
                    item_id,
                    index,
                    check_type,
                    current,
                    value,
                    round(now / len(labelled), 3),
                    round(then / len(labelled), 3),
                )
            )
    compared = len(auto_all)
    return CalibrationReport(
        calls=len(pairs),
        compared=compared,
        agreement=round(sum(a == b for a, b in zip(auto_all, human_all)) / compared, 3)
        if compared
        else 0.0,
        kappa=cohen_kappa(auto_all, human_all),
        total_mae=round(sum(errors) / len(errors), 2) if errors else 0.0,
        items=tuple(items),
        suggestions=tuple(suggestions),
    )


def format_report(report: CalibrationReport) -> str:
    """The report as a plain-text table for the command line."""

    def kappa(value: float | None) -> str:
        return "  n/a" if value is None else f"{value:5.2f}"

    lines = [
        f"calls {report.calls}, item verdicts compared {report.compared}",
        f"agreement {report.agreement:.3f}  kappa {kappa(report.kappa).strip()}  total MAE {report.total_mae:.2f}",
        "",
        f"{'item':28} {'n':>4} {'agree':>6} {'kappa':>6}",
    ]
    for item in report.items:
        lines.append(
            f"{item.item_id:28} {item.compared:4d} {item.agreement:6.3f} {kappa(item.kappa):>6}"
        )
    if report.suggestions:
        lines += ["", format_suggestions(report.suggestions)]
    return "\n".join(lines)


def format_suggestions(suggestions: Sequence[ThresholdSuggestion]) -> str:
    lines = ["suggested thresholds:" if suggestions else "no threshold changes suggested"]
    for s in suggestions:
        lines.append(
            f"  {s.item_id} check {s.check_index} ({s.check_type}): {s.current:g} -> {s.suggested:g}"
            f"  (agreement {s.agreement_now:.3f} -> {s.agreement_then:.3f})"
        )
    return "\n".join(lines)
