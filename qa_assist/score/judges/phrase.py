"""Standard and forbidden phrases, matched through transcription errors."""

from __future__ import annotations

from ..matching import find_phrase
from ..rubric import PhraseCheck
from ..scope import Scope
from ..types import CheckResult, Evidence
from .base import by_expectation, confidence

#: How far past the threshold a similarity must be before the verdict counts as sure.
MARGIN = 0.15


class PhraseJudge:
    def judge(self, check: PhraseCheck, scope: Scope) -> CheckResult:
        best: list[Evidence] = []
        for phrase in check.phrases:
            closest: Evidence | None = None
            for unit in scope.sentences():
                match = find_phrase(phrase, unit.text)
                if match is not None and (closest is None or match.similarity > closest.score):
                    closest = unit.evidence(phrase, match.similarity, "phrase")
            if closest is not None:
                best.append(closest)
        best.sort(key=lambda evidence: evidence.score, reverse=True)
        hits = tuple(evidence for evidence in best if evidence.score >= check.threshold)
        if check.expect == "present":
            # The min_hits-th best phrase decides: the call has enough phrases iff it reaches.
            deciding = best[check.min_hits - 1].score if len(best) >= check.min_hits else 0.0
            found = hits if len(hits) >= check.min_hits else ()
        else:
            deciding = best[0].score if best else 0.0
            found = hits
        what = "standard_phrase" if check.expect == "present" else "phrase"
        sureness = confidence(deciding, check.threshold, MARGIN)
        return by_expectation(
            "phrase", check.expect, found, deciding, check.threshold, sureness, what
        )
