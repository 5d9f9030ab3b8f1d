"""A call drawn as lanes on a time axis, for an inline SVG: who speaks when, holds, overtalk
and the agent's interruptions. Positions are percentages of the call's length, so the
template needs no arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..transcribe import Transcript

#: Seconds between two ticks of the axis: the smallest step giving at most ten ticks.
TICK_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 1800)


@dataclass(frozen=True)
class Bar:
    #: left edge and width, percent of the call
    left: float
    width: float
    start: float
    end: float


@dataclass(frozen=True)
class Lane:
    #: key of labels.yaml naming the lane
    label: str
    #: CSS class of its bars
    kind: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Timeline:
    duration: float
    lanes: tuple[Lane, ...]
    #: (percent, seconds) of each tick
    ticks: tuple[tuple[float, int], ...]


def _bars(spans: Iterable[tuple[float, float]], duration: float) -> tuple[Bar, ...]:
    return tuple(
        Bar(
            round(100 * start / duration, 3),
            max(round(100 * (end - start) / duration, 3), 0.2),
            start,
            end,
        )
        for start, end in spans
        if end > start
    )


def timeline(transcript: Transcript) -> Timeline | None:
    """The call's lanes; None for a call with no length."""
    duration = transcript.duration
    if duration <= 0:
        return None
    lanes = [
        Lane(
            speaker,
            speaker,
            _bars(
                ((s.start, s.end) for s in transcript.segments if s.speaker == speaker), duration
            ),
        )
        for speaker in ("agent", "customer", "unknown")
        if any(s.speaker == speaker for s in transcript.segments)
    ]
    metrics = transcript.metrics
    if metrics is not None:
        for label, kind, spans in (
            ("holds", "hold", metrics.holds),
            ("overtalk", "overtalk", metrics.overtalk),
            ("interruptions", "interruption", metrics.agent_interruptions),
        ):
            lanes.append(Lane(label, kind, _bars(((i.start, i.end) for i in spans), duration)))
    step = next((s for s in TICK_STEPS if duration / s <= 10), TICK_STEPS[-1])
    ticks = tuple(
        (round(100 * second / duration, 3), second) for second in range(0, int(duration) + 1, step)
    )
    return Timeline(duration, tuple(lanes), ticks)
