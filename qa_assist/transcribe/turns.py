"""Segments joined into turns, with the sentence breaks a reader needs.

Whisper base rarely punctuates Mandarin. A pause is where a speaker ends a clause, so a turn
gets a comma where the words pause and a full stop where a segment ends.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

from .guards import collapse_loops
from .types import Segment, Turn

#: A longer gap between one speaker's segments starts a new turn even if the other party
#: said nothing (the speaker picked up again after dead air).
MAX_GAP_IN_TURN = 3.0
#: A pause between words at least this long is a clause break.
CLAUSE_PAUSE = 0.35

_ENDS_SENTENCE = re.compile(r"[。！？!?…]$")
_ENDS_CLAUSE = re.compile(r"[，,、；;：:]$")
_QUESTION_PARTICLE = re.compile(r"(吗|么|呢)$")
_LATIN_END = re.compile(r"[A-Za-z0-9]$")
_DIGIT_END = re.compile(r"[0-9]$")
_DIGIT_START = re.compile(r"^[0-9]")
_HALF_WIDTH_AFTER_CJK = re.compile(r"(?<=[\u3400-\u9fff])\s*([,?!;:])\s*")
_FULL_WIDTH = str.maketrans(",?!;:", "，？！；：")


def full_width_punctuation(text: str) -> str:
    """Whisper writes ASCII commas inside Chinese ("喔, 光"); Chinese text wants "喔，光"."""
    return _HALF_WIDTH_AFTER_CJK.sub(lambda match: match.group(1).translate(_FULL_WIDTH), text)


def punctuate(segment: Segment) -> str:
    """The segment's text with commas at pauses between words and a sentence end."""
    return _with_sentence_end(_clauses(segment))


def _clauses(segment: Segment) -> str:
    """The segment's text with commas at pauses between words; no sentence end yet."""
    if segment.words and not re.search(r"[，。！？,.!?]", segment.text):
        pieces = [segment.words[0].text.strip()]
        for before, word in pairwise(segment.words):
            if (
                word.start - before.end >= CLAUSE_PAUSE
                and not _ENDS_CLAUSE.search(pieces[-1])
                and not _continues_number(pieces[-1], word.text.strip())
            ):
                pieces.append("，")
            pieces.append(word.text.strip())
        # Rebuilt from the words, the text has the loops back that the segment's text lost.
        text = collapse_loops("".join(pieces))
    else:
        text = full_width_punctuation(segment.text.strip())
    return text if _ENDS_SENTENCE.search(text) else _ENDS_CLAUSE.sub("", text)


def _continues_number(before: str, after: str) -> bool:
    """People read phone numbers and VINs out in groups with pauses between; Whisper then
    ends a word or a segment inside the number. A break there ("138，8888。8888") hides the
    number from a reader, from masking and from entity extraction."""
    return bool(_DIGIT_END.search(before) and _DIGIT_START.search(after))


def _with_sentence_end(text: str) -> str:
    if not text or _ENDS_SENTENCE.search(text):
        return text
    if _LATIN_END.search(text) and text.isascii():
        return text + "."
    return text + ("？" if _QUESTION_PARTICLE.search(text) else "。")


def _joined(before: str, after: str) -> str:
    """Two clause texts of one speaker's turn as one text, a sentence end between them."""
    if _continues_number(before, after):
        return before + after
    separator = " " if after.isascii() and before.isascii() else ""
    return _with_sentence_end(before) + separator + after


def build_turns(segments: tuple[Segment, ...] | list[Segment]) -> tuple[Turn, ...]:
    """Turns from segments sorted by start: a speaker's consecutive segments form one turn."""
    turns: list[Turn] = []
    for segment in segments:
        text = _clauses(segment)
        if not text:
            continue
        last = turns[-1] if turns else None
        if last and last.speaker == segment.speaker and segment.start - last.end <= MAX_GAP_IN_TURN:
            turns[-1] = Turn(
                last.id,
                last.speaker,
                last.start,
                max(last.end, segment.end),
                _joined(last.text, text),
            )
        else:
            turns.append(Turn(len(turns), segment.speaker, segment.start, segment.end, text))
    return tuple(replace(turn, text=_with_sentence_end(turn.text)) for turn in turns)
