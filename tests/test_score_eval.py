"""The labelled evaluation set, the ASR-error simulator, and the accuracy targets on text."""

from __future__ import annotations

from collections import Counter

import pytest

from qa_assist.score.eval import NOISY_RATE, AsrNoise, build_eval_set, evaluate, scripted_transcript
from qa_assist.score.eval.dataset import GENERAL_VIOLATIONS, LLM_ITEMS, SCENARIO_VIOLATIONS
from qa_assist.score.rubric import rubric_for_scenario
from qa_assist.transcribe.cer import character_errors

CALLS = build_eval_set()


def test_the_set_has_sixty_calls_with_every_violation_planted_several_times() -> None:
    assert len(CALLS) >= 60 and len({call.id for call in CALLS}) == len(CALLS)
    planted = Counter(violation for call in CALLS for violation in call.violations)
    every = set(GENERAL_VIOLATIONS) | {v for group in SCENARIO_VIOLATIONS.values() for v in group}
    assert set(planted) == every and min(planted.values()) >= 3
    for call in CALLS:
        rubric = rubric_for_scenario(call.scenario)
        assert set(call.expected) == {item.id for item in rubric.items} - LLM_ITEMS
    assert build_eval_set() == CALLS  # deterministic
    assert {c.turns for c in build_eval_set(seed=0)}.isdisjoint({c.turns for c in CALLS})


def test_the_noise_reaches_a_quarter_of_the_characters_wrong() -> None:
    noise = AsrNoise(NOISY_RATE, seed=1)
    errors = characters = 0
    for line in (turn.text for call in CALLS for turn in call.turns):
        count, length = character_errors(line, noise(line))
        errors, characters = errors + count, characters + length
    assert 0.23 <= errors / characters <= 0.27


def test_scripted_transcripts_carry_turns_and_the_planted_pauses() -> None:
    call = next(call for call in CALLS if "dead_air" in call.violations)
    transcript = scripted_transcript(call.id, call.turns)
    assert transcript.turns and transcript.metrics is not None
    assert transcript.metrics.longest_dead_air.seconds == pytest.approx(12.5, abs=0.01)


@pytest.mark.slow
@pytest.mark.parametrize(("noisy", "target"), [(False, 0.95), (True, 0.90)], ids=["clean", "noisy"])
def test_item_accuracy_reaches_the_targets(scorer, noisy: bool, target: float) -> None:
    heard = AsrNoise(NOISY_RATE, seed=1) if noisy else (lambda text: text)
    transcripts = {call.id: scripted_transcript(call.id, call.turns, heard) for call in CALLS}
    report, scores = evaluate(CALLS, transcripts, scorer)
    assert report.agreement >= target, report
    assert report.compared == sum(len(call.expected) for call in CALLS)
    assert all(
        score.model_versions["semantic"].startswith("multilingual-e5-small") for score in scores
    )
