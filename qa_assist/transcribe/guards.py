"""Guards against Whisper's known failure modes: loops, and text made up on non-speech."""

from __future__ import annotations

import re
import zlib
from functools import cache
from importlib import resources

import yaml

from .engines import Decoded

#: A unit of 1-4 characters said four or more times running; the pause commas that
#: turns.punctuate puts between a loop's words may sit between the repeats. Digits are
#: never a unit: 138 8888 8888 is a phone number.
_REPEATS = re.compile(r"([^\s，,、。0-9]{1,4}?)(?:[\s，,、。]?\1){3,}")
#: Shorter runs can be speech ("谢谢谢谢", "好好好好"); loops run on for the rest of a window.
_MIN_LOOP_CHARS = 8
#: Whisper's own thresholds: text that compresses this well is a loop, and a segment this
#: likely silent and this unsure is made up.
MAX_COMPRESSION_RATIO = 2.4
NO_SPEECH_PROBABILITY = 0.6
LOW_LOG_PROBABILITY = -1.0
_NOT_SPOKEN = re.compile(r"[\s\W_]+")
#: Loops run across segments too ("是你启动。" as nine segments in a row on robot speech);
#: a sentence said twice running is speech.
MAX_SEGMENT_REPEATS = 2
_MUSIC_SIGNS = re.compile(r"^[\s♪♫♬🎵🎶~～]*$")


def collapse_loops(text: str) -> str:
    """Keep once a unit of 1-4 characters repeated into a long run: a decoding loop (such as
    "ＧＧＧＧ..." after an initial prompt, or "财富，财富财富，..." on robot speech), not
    speech."""

    def keep_once(match: re.Match[str]) -> str:
        return match.group(1) if len(match.group(0)) >= _MIN_LOOP_CHARS else match.group(0)

    return _REPEATS.sub(keep_once, text)


def _spoken(text: str) -> str:
    """The words of a text alone: no case, spaces or punctuation."""
    return _NOT_SPOKEN.sub("", text.lower())


def drop_repeated_segments(decoded: list[Decoded]) -> list[Decoded]:
    """A window's segments without the third and later of a run of segments with the same
    words."""
    kept: list[Decoded] = []
    previous, run = None, 0
    for item in decoded:
        words = _spoken(item.text)
        run = run + 1 if words == previous else 1
        previous = words
        if run <= MAX_SEGMENT_REPEATS:
            kept.append(item)
    return kept


def compression_ratio(text: str) -> float:
    encoded = text.encode("utf-8")
    return len(encoded) / len(zlib.compress(encoded)) if encoded else 0.0


@cache
def _known_hallucinations() -> frozenset[str]:
    document = yaml.safe_load(
        resources.files(__package__).joinpath("hallucinations.yaml").read_text(encoding="utf-8")
    )
    return frozenset(_spoken(phrase) for phrase in document["phrases"])


def hallucination(segment: Decoded) -> str | None:
    """Why ``segment`` is not speech but Whisper's invention, or None if it looks real."""
    text = segment.text.strip()
    if _MUSIC_SIGNS.match(text):
        return "no words (music signs only)"
    if segment.no_speech_prob > NO_SPEECH_PROBABILITY and segment.avg_logprob < LOW_LOG_PROBABILITY:
        return f"probably silence (no-speech {segment.no_speech_prob:.2f}, log-prob {segment.avg_logprob:.2f})"
    if compression_ratio(collapse_loops(text)) > MAX_COMPRESSION_RATIO:
        return f"repetition loop (compression ratio {compression_ratio(text):.1f})"
    if _spoken(text) in _known_hallucinations():
        return "a caption Whisper makes up on non-speech"
    return None
