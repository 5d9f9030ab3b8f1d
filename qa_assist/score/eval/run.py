"""Scoring the evaluation calls and comparing them with their known outcomes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...transcribe import Transcript
from ..calibration import CalibrationReport, HumanScore, calibrate
from ..rubric import rubric_for_scenario
from ..scorer import Scorer
from ..types import CallScore
from .dataset import EvalCall

#: Per-character error chance that gives CER 0.25 on the evaluation set's lines (measured: 0.247).
NOISY_RATE = 0.28


def human_score(call: EvalCall) -> HumanScore:
    return HumanScore(call.id, dict(call.expected))


def evaluate(
    calls: Sequence[EvalCall], transcripts: Mapping[str, Transcript], scorer: Scorer
) -> tuple[CalibrationReport, list[CallScore]]:
    """Score each call's transcript with its scenario's rubric; agreement with the known outcomes."""
    rubrics = {call.scenario: rubric_for_scenario(call.scenario) for call in calls}
    scores = [
        scorer.score(transcripts[call.id], rubrics[call.scenario], call.scenario) for call in calls
    ]
    pairs = [(score, human_score(call)) for score, call in zip(scores, calls, strict=True)]
    return calibrate(pairs, list(rubrics.values())), scores
