"""A scripted call as the transcript our pipeline would produce from a perfect recognizer:
one segment per line, timed at a natural speaking rate, with the same turns and metrics."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from ...demo.script import Turn
from ...transcribe import Interval, Segment, Speaker, Transcript, build_turns
from ...transcribe.metrics import call_metrics, spoken_units

#: Characters per second of calm hotline Mandarin (about 250 a minute).
CHARS_PER_SECOND = 4.2
LEAD_IN = 0.6
GAP_RANGE = (0.4, 1.0)


def scripted_transcript(
    call_id: str,
    turns: Sequence[Turn],
    heard: Callable[[str], str] = lambda text: text,
    model_version: str = "script",
) -> Transcript:
    """``heard`` turns each line into what a recognizer wrote (identity: a clean script)."""
    rng = random.Random(call_id)
    cursor = 0.0
    segments: list[Segment] = []
    speech: dict[Speaker, list[Interval]] = {"agent": [], "customer": []}
    for index, turn in enumerate(turns):
        natural = LEAD_IN if index == 0 else rng.uniform(*GAP_RANGE)
        start = cursor + (natural if turn.pause_before is None else turn.pause_before)
        end = start + max(0.8, spoken_units(turn.text) / CHARS_PER_SECOND)
        speech[turn.speaker].append(Interval(round(start, 3), round(end, 3)))
        segments.append(Segment(round(start, 3), round(end, 3), turn.speaker, heard(turn.text)))
        cursor = end
    duration = round(cursor + 0.8, 3)
    built = build_turns(segments)
    metrics = call_metrics(
        duration, speech, segments, built, hold_min_seconds=15.0, overtalk_min_seconds=0.3
    )
    return Transcript(
        f"{call_id}.txt",
        "zh",
        duration,
        "script",
        model_version,
        "channel",
        tuple(segments),
        built,
        metrics,
    )
