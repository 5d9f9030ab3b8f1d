"""A sentence meaning the same as a reference script line, by sentence embeddings."""

from __future__ import annotations

from ..embedding import TextEmbedder
from ..reasons import because
from ..rubric import SemanticCheck
from ..scope import Scope
from ..types import CheckResult
from .base import by_expectation, confidence

#: e5's cosines live in a narrow band (0.88 unrelated, 0.95 paraphrase): a small margin is sure.
MARGIN = 0.03


class SemanticJudge:
    def __init__(self, embedder: TextEmbedder | None) -> None:
        self.embedder = embedder

    def judge(self, check: SemanticCheck, scope: Scope) -> CheckResult:
        if self.embedder is None:
            return CheckResult(
                "semantic",
                "needs_review",
                0.0,
                None,
                check.threshold,
                **because("no_encoder"),
            )
        units = scope.sentences()
        if not units:
            return by_expectation(
                "semantic", check.expect, (), 0.0, check.threshold, 1.0, "script_line"
            )
        similarity = (
            self.embedder.embed(check.references)
            @ self.embedder.embed([unit.text for unit in units]).T
        )
        found = []
        for reference, row in zip(check.references, similarity, strict=True):
            best = int(row.argmax())
            if row[best] >= check.threshold:
                found.append(
                    units[best].evidence(reference, round(float(row[best]), 4), "semantic")
                )
        score = round(float(similarity.max()), 4)
        sureness = confidence(score, check.threshold, MARGIN)
        return by_expectation(
            "semantic", check.expect, tuple(found), score, check.threshold, sureness, "script_line"
        )
