"""Masking personal data (phone numbers, VINs, ID numbers, plates) in what is shown to roles
that need not see it.

Both parties' words are masked, not only the customer's: the agent reads numbers back, and on
a stereo line the customer's digits echo into the agent's channel. Word timings are dropped
from a masked transcript, because a number split over several words would slip through.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..score import CallScore, Evidence
from ..storage import CallRecord
from ..transcribe import Transcript
from ..triage.patterns import LANDLINE, MOBILE, PLATE, VIN

MASK = "*"

#: 18-character resident identity number (the last may be X) and the old 15-digit one.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:[1-9][0-9]{16}[0-9Xx]|[1-9][0-9]{14})(?![0-9A-Za-z])")
#: Digits read out one by one, as Whisper writes them (138 1234 5678, 1-3-8-...), or spoken
#: as Chinese numerals (幺三八...): seven or more make a number worth hiding.
_SPOKEN_DIGITS = re.compile(r"(?<![0-9])[0-9](?:[\s\-–—,，、.]?[0-9]){6,}(?![0-9])")
_CHINESE_DIGITS = re.compile(r"[零〇一二三四五六七八九幺两]{7,}")
#: What the digit rule would catch but is no one's data: dates and times (2026-11-20 10:30).
_NOT_PERSONAL = re.compile(r"[0-9]{4}[-.][0-9]{1,2}[-.][0-9]{1,2}(?:\s+[0-9]{1,2}:[0-9]{2})?")

#: Pattern, characters kept at the start, characters kept at the end.
_RULES: tuple[tuple[re.Pattern[str], int, int], ...] = (
    (VIN, 3, 4),
    (_ID_NUMBER, 3, 2),
    (MOBILE, 3, 4),
    (LANDLINE, 3, 2),
    (_SPOKEN_DIGITS, 0, 2),
    (_CHINESE_DIGITS, 0, 2),
    (PLATE, 2, 1),
)


def _masked(match: re.Match[str], keep_start: int, keep_end: int) -> str:
    text = match.group(0)
    if _NOT_PERSONAL.fullmatch(text):
        return text
    hidden = len(text) - keep_start - keep_end
    if hidden <= 0:
        return MASK * len(text)
    return text[:keep_start] + MASK * hidden + text[len(text) - keep_end :]


def mask_text(text: str) -> str:
    """``text`` with every phone number, VIN, ID number and plate starred out but a few
    characters at the ends (enough for a person to tell two numbers apart)."""
    for pattern, keep_start, keep_end in _RULES:
        text = pattern.sub(lambda m, s=keep_start, e=keep_end: _masked(m, s, e), text)
    return text


def _evidence(items: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    return tuple(replace(e, text=mask_text(e.text), matched=mask_text(e.matched)) for e in items)


def mask_transcript(transcript: Transcript) -> Transcript:
    return replace(
        transcript,
        file=mask_text(transcript.file),
        segments=tuple(replace(s, text=mask_text(s.text), words=()) for s in transcript.segments),
        turns=tuple(replace(t, text=mask_text(t.text)) for t in transcript.turns),
    )


def mask_score(score: CallScore) -> CallScore:
    items = tuple(
        replace(
            item,
            reason=mask_text(item.reason),
            reason_zh=mask_text(item.reason_zh),
            evidence=_evidence(item.evidence),
            checks=tuple(
                replace(
                    c,
                    reason=mask_text(c.reason),
                    reason_zh=mask_text(c.reason_zh),
                    evidence=_evidence(c.evidence),
                )
                for c in item.checks
            ),
        )
        for item in score.items
    )
    return replace(score, items=items)


def mask_call(record: CallRecord) -> CallRecord:
    """The call as a role without ``sees_pii`` may see it."""
    return replace(
        record,
        file_name=mask_text(record.file_name),
        transcript=mask_transcript(record.transcript) if record.transcript else None,
        score=mask_score(record.score) if record.score else None,
    )
