"""Call metrics from who spoke when: talk time, dead air, holds, overtalk, interruptions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import pairwise

from .types import CallMetrics, Interval, Segment, Speaker, SpeakerMetrics, Turn

#: The customer must have been talking this long for the agent's start to cut them off ...
_CUSTOMER_MID_TURN_SECONDS = 1.0
#: ... and keep talking this long after it (otherwise the agent took over at the turn's end).
_CUSTOMER_GOES_ON_SECONDS = 0.5
_SPOKEN_UNIT = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9]+")


def union(intervals: Sequence[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for item in sorted(intervals, key=lambda interval: interval.start):
        if merged and item.start <= merged[-1].end:
            merged[-1] = Interval(merged[-1].start, max(merged[-1].end, item.end))
        else:
            merged.append(item)
    return merged


def intersection(first: Sequence[Interval], second: Sequence[Interval]) -> list[Interval]:
    """Where both sets of (each non-overlapping, sorted) intervals cover the time."""
    overlaps: list[Interval] = []
    i = j = 0
    while i < len(first) and j < len(second):
        start, end = max(first[i].start, second[j].start), min(first[i].end, second[j].end)
        if start < end:
            overlaps.append(Interval(round(start, 3), round(end, 3)))
        if first[i].end < second[j].end:
            i += 1
        else:
            j += 1
    return overlaps


def _gaps(speech: list[Interval]) -> list[Interval]:
    return [
        Interval(round(before.end, 3), round(after.start, 3))
        for before, after in pairwise(speech)
        if after.start > before.end
    ]


def _interruptions(agent: list[Interval], customer: list[Interval]) -> list[Interval]:
    cut_offs: list[Interval] = []
    for region in agent:
        for turn in customer:
            mid_turn = turn.start + _CUSTOMER_MID_TURN_SECONDS <= region.start
            goes_on = turn.end >= region.start + _CUSTOMER_GOES_ON_SECONDS
            if mid_turn and goes_on and region.start < turn.end:
                cut_offs.append(
                    Interval(round(region.start, 3), round(min(region.end, turn.end), 3))
                )
    return cut_offs


def _first_response(agent: list[Interval], customer: list[Interval]) -> float | None:
    if not agent:
        return None
    waited_since = customer[0].start if customer and customer[0].start < agent[0].start else 0.0
    return round(agent[0].start - waited_since, 3)


def spoken_units(text: str) -> int:
    """Characters of Chinese plus words of Latin script: what a speech rate counts."""
    return len(_SPOKEN_UNIT.findall(text))


def call_metrics(
    duration: float,
    speech: Mapping[Speaker, Sequence[Interval]],
    segments: Sequence[Segment],
    turns: Sequence[Turn],
    hold_min_seconds: float,
    overtalk_min_seconds: float,
) -> CallMetrics:
    """Metrics of a call from the speech regions of each speaker (voice-activity detection,
    not Whisper's segment times, which stretch over pauses)."""
    regions = {speaker: union(intervals) for speaker, intervals in speech.items()}
    everyone = union([interval for intervals in regions.values() for interval in intervals])
    dead_air = _gaps(everyone)
    span = everyone[-1].end - everyone[0].start if everyone else 0.0
    speakers = []
    for speaker, intervals in regions.items():
        talk = sum(interval.seconds for interval in intervals)
        units = sum(
            spoken_units(segment.text) for segment in segments if segment.speaker == speaker
        )
        speakers.append(
            SpeakerMetrics(
                speaker=speaker,
                talk_seconds=round(talk, 3),
                talk_ratio=round(talk / duration, 4) if duration else 0.0,
                speech_rate_cpm=round(60 * units / talk, 1) if talk else 0.0,
                turns=sum(1 for turn in turns if turn.speaker == speaker),
            )
        )
    agent, customer = regions.get("agent", []), regions.get("customer", [])
    overtalk = [
        item for item in intersection(agent, customer) if item.seconds >= overtalk_min_seconds
    ]
    return CallMetrics(
        duration=round(duration, 3),
        speakers=tuple(speakers),
        silence_ratio=round(sum(gap.seconds for gap in dead_air) / span, 4) if span else 1.0,
        longest_dead_air=max(dead_air, key=lambda gap: gap.seconds, default=None),
        holds=tuple(gap for gap in dead_air if gap.seconds >= hold_min_seconds),
        overtalk=tuple(overtalk),
        agent_interruptions=tuple(_interruptions(agent, customer)),
        agent_first_response=_first_response(agent, customer),
    )
