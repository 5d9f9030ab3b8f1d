"""The part of a call an item looks at: one speaker's turns inside the item's time window."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..transcribe import CallMetrics, Transcript, Turn, build_turns
from .matching import find_phrase
from .rubric import After, Item
from .types import Evidence, ItemResult

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_CLAUSE_END = re.compile(r"(?<=[，,、：:])")


@dataclass(frozen=True)
class Sentence:
    """A sentence or clause of a turn: the unit a semantic check compares and evidence quotes."""

    turn: Turn
    text: str

    def evidence(self, matched: str, score: float, check: str) -> Evidence:
        turn = self.turn
        return Evidence(
            turn.id, turn.speaker, turn.start, turn.end, self.text, matched, score, check
        )


def sentences(turn: Turn) -> list[Sentence]:
    """Each sentence of the turn and, for a sentence with commas, each of its clauses."""
    units: list[Sentence] = []
    for sentence in filter(None, (part.strip() for part in _SENTENCE_END.split(turn.text))):
        units.append(Sentence(turn, sentence))
        clauses = [part.strip() for part in _CLAUSE_END.split(sentence) if part.strip()]
        if len(clauses) > 1:
            units.extend(Sentence(turn, clause) for clause in clauses)
    return units


@dataclass(frozen=True)
class Scope:
    """What a check sees. ``turns`` are the item's speaker's turns in its window; ``results``
    are the items scored so far (for order checks)."""

    turns: tuple[Turn, ...]
    all_turns: tuple[Turn, ...]
    speaker: str
    duration: float
    metrics: CallMetrics | None
    results: Mapping[str, ItemResult] = field(default_factory=dict)

    def sentences(self) -> list[Sentence]:
        return [unit for turn in self.turns for unit in sentences(turn)]


def _speaks(turn: Turn, speaker: str) -> bool:
    return speaker == "both" or turn.speaker in (speaker, "unknown")


def _event_start(after: After, turns: tuple[Turn, ...]) -> float | None:
    for turn in turns:
        if _speaks(turn, after.speaker) and any(
            (match := find_phrase(phrase, turn.text)) is not None
            and match.similarity >= after.threshold
            for phrase in after.phrases
        ):
            return turn.start
    return None


class CallView:
    """A transcript prepared for scoring: its turns (built from segments when it has none)."""

    def __init__(self, transcript: Transcript) -> None:
        self.transcript = transcript
        self.turns = transcript.turns or build_turns(transcript.segments)

    def scope(self, item: Item, results: Mapping[str, ItemResult]) -> Scope | None:
        """The item's scope; None when its window opens on an event that never happened."""
        window = item.window
        duration = self.transcript.duration
        turns = [turn for turn in self.turns if _speaks(turn, item.speaker)]
        if window.first_seconds is not None:
            turns = [turn for turn in turns if turn.start <= window.first_seconds]
        if window.last_seconds is not None:
            turns = [turn for turn in turns if turn.end >= duration - window.last_seconds]
        if window.after is not None:
            start = _event_start(window.after, self.turns)
            if start is None:
                return None
            turns = [turn for turn in turns if turn.start >= start]
        return Scope(
            tuple(turns), self.turns, item.speaker, duration, self.transcript.metrics, results
        )
