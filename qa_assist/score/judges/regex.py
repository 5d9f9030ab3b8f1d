"""Regular expressions over each turn (ETA in minutes, a promised time limit...)."""

from __future__ import annotations

import re

from ..rubric import RegexCheck
from ..scope import Scope
from ..types import CheckResult, Evidence
from .base import by_expectation

#: A pattern match is exact, but the words under it went through ASR.
SURENESS = 0.9


class RegexJudge:
    def judge(self, check: RegexCheck, scope: Scope) -> CheckResult:
        pattern = re.compile(check.pattern)
        exclude = re.compile(check.exclude) if check.exclude else None
        found = [
            unit.evidence(f"/{check.pattern}/ {match.group(0)}", 1.0, "regex")
            for unit in scope.sentences()
            if (match := pattern.search(unit.text)) and not (exclude and exclude.search(unit.text))
        ]
        # A sentence and its clauses can both match: one piece of evidence per turn is enough.
        by_turn: dict[int | None, Evidence] = {}
        for evidence in found:
            by_turn.setdefault(evidence.turn_id, evidence)
        return by_expectation(
            "regex", check.expect, tuple(by_turn.values()), None, None, SURENESS, "pattern"
        )
