"""Character error rate as Mandarin ASR is usually scored: Simplified characters, no
punctuation or spaces, Arabic numerals read out as Chinese numerals (AISHELL's references
spell numbers in characters; Whisper writes digits)."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

from .chinese import to_simplified

_KEEP = re.compile(r"[\u3400-\u9fffa-z0-9]")


def normalise_for_cer(text: str) -> str:
    import cn2an

    text = to_simplified(unicodedata.normalize("NFKC", text).lower())
    text = cn2an.transform(text, "an2cn")
    return "".join(_KEEP.findall(text))


def character_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance, reference length) after normalisation: sum both over a set for its CER."""
    ref, hyp = normalise_for_cer(reference), normalise_for_cer(hypothesis)
    return Levenshtein.distance(ref, hyp), len(ref)


def cer(reference: str, hypothesis: str) -> float:
    errors, length = character_errors(reference, hypothesis)
    return errors / max(1, length)
