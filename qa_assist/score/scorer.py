"""Scoring a transcript against a rubric: every item's checks judged, combined, totalled."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..transcribe import Transcript
from .judges import Judge, make_judges
from .reasons import because, joined, word
from .rubric import Item, OrderCheck, Rubric, Text
from .scope import CallView
from .types import CallScore, CheckResult, ItemResult, Verdict, earned_points, totals

#: Calls with an item less sure than this go to the review queue before anyone trusts them.
REVIEW_CONFIDENCE = 0.6


def combine(checks: list[CheckResult], mode: str) -> tuple[Verdict, float]:
    """The item's verdict and confidence from its checks' (``all`` or ``any`` must pass)."""
    by_verdict: dict[str, list[float]] = {}
    for check in checks:
        by_verdict.setdefault(check.verdict, []).append(check.confidence)
    decisive, other = ("fail", "pass") if mode == "all" else ("pass", "fail")
    if decisive in by_verdict:
        # One decisive check settles the item; it is as sure as the surest of them.
        return decisive, max(by_verdict[decisive])  # type: ignore[return-value]
    if "needs_review" in by_verdict:
        return "needs_review", 0.0
    if other in by_verdict:
        # Every check had to agree, so the item is as sure as the least sure of them.
        return other, min(by_verdict[other])  # type: ignore[return-value]
    return "not_applicable", 1.0


class Scorer:
    """Judges for every check type; build once, score many calls."""

    def __init__(
        self,
        judges: Mapping[str, Judge] | None = None,
        model_versions: Mapping[str, Callable[[], str]] | None = None,
        review_confidence: float = REVIEW_CONFIDENCE,
    ) -> None:
        self.judges = judges or make_judges()
        #: check type -> the version of the model behind it (sentence encoder, LLM), asked only
        #: when a rubric uses that check, so no model is prepared for nothing
        self.model_versions = dict(model_versions or {})
        self.review_confidence = review_confidence

    def _item(
        self, item: Item, view: CallView, scenario: str, results: Mapping[str, ItemResult]
    ) -> ItemResult:
        def result(
            verdict: Verdict,
            confidence: float,
            checks: tuple[CheckResult, ...],
            reason: dict[str, str],
        ) -> ItemResult:
            return ItemResult(
                item_id=item.id,
                title_zh=item.title.zh,
                title_en=item.title.en,
                verdict=verdict,
                points=earned_points(verdict, item.points),
                max_points=item.points,
                fatal=item.fatal,
                confidence=round(confidence, 3),
                evidence=tuple(
                    e for check in checks if check.verdict == verdict for e in check.evidence
                ),
                checks=checks,
                coaching=(item.coaching or item.title).zh,
                **reason,
            )

        if item.scenarios and scenario not in item.scenarios:
            scenarios = Text(
                zh="、".join(word(s).zh for s in item.scenarios),
                en=", ".join(word(s).en for s in item.scenarios),
            )
            return result(
                "not_applicable", 1.0, (), because("only_for_scenarios", scenarios=scenarios)
            )
        scope = view.scope(item, results)
        if scope is None:
            return result("not_applicable", 1.0, (), because("window_not_opened"))
        checks = tuple(self.judges[check.type].judge(check, scope) for check in item.checks)
        verdict, confidence = combine(list(checks), item.combine)
        reason = joined(
            [
                {"reason": check.reason, "reason_zh": check.reason_zh}
                for check in checks
                if check.verdict == verdict
            ]
        )
        return result(verdict, confidence, checks, reason)

    def score(self, transcript: Transcript, rubric: Rubric, scenario: str = "general") -> CallScore:
        view = CallView(transcript)
        results: dict[str, ItemResult] = {}
        # Order checks read other items' evidence, so those are scored first.
        for item in sorted(
            rubric.items, key=lambda item: any(isinstance(c, OrderCheck) for c in item.checks)
        ):
            results[item.id] = self._item(item, view, scenario, results)
        items = tuple(results[item.id] for item in rubric.items)
        total, fatal_failure = totals(items)
        judged = [item.confidence for item in items if item.verdict in ("pass", "fail")]
        confidence = min(judged, default=1.0)
        return CallScore(
            rubric_id=rubric.id,
            rubric_version=rubric.version,
            scenario=scenario,
            total=total,
            max_total=100.0,
            fatal_failure=fatal_failure,
            items=items,
            coaching=tuple(item.coaching for item in items if item.verdict == "fail"),
            confidence=confidence,
            needs_review=confidence < self.review_confidence
            or any(item.verdict == "needs_review" for item in items),
            model_versions=self.versions_for(rubric, transcript.model_version),
        )

    def versions_for(self, rubric: Rubric, asr_version: str) -> dict[str, str]:
        """The versions of every model a score by ``rubric`` depends on: known before scoring,
        so that a call already scored by the same models is not scored again."""
        used = {check.type for item in rubric.items for check in item.checks}
        versions = {"asr": asr_version}
        versions.update(
            {kind: version() for kind, version in self.model_versions.items() if kind in used}
        )
        return versions


def score_transcript(
    transcript: Transcript, rubric: Rubric, scenario: str = "general"
) -> CallScore:
    """Score with the judges that need no model (phrase, regex, order, metric); semantic checks
    need a :class:`Scorer` with an embedder and are otherwise left for review."""
    return Scorer().score(transcript, rubric, scenario)
