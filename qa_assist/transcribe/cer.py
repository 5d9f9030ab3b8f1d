"""Character error rate as Mandarin ASR is usually scored: Simplified characters, no
punctuation or spaces, Arabic numerals read out as Chinese numerals (AISHELL's references
spell numbers in characters; Whisper writes digits). Long digit strings (phone numbers,
codes) are read digit by digit, as a person says them, and 幺 (how 1 is said in a phone
number) counts as 一."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

from .chinese import to_simplified

_KEEP = re.compile(r"[\u3400-\u9fffa-z0-9]")
#: Digit strings this long, or with a leading zero, are identifiers, not quantities.
_DIGIT_BY_DIGIT = re.compile(r"\d{5,}|0\d+")
_DIGIT_NAMES = str.maketrans("0123456789", "零一二三四五六七八九")


def normalise_for_cer(text: str) -> str:
    import cn2an

    text = to_simplified(unicodedata.normalize("NFKC", text).lower()).replace("幺", "一")
    # Digits only separated by spaces or dashes are one string ("1392 5800457", "136-2-8-0"):
    # beam search writes phone numbers with dashes, which would otherwise read as minus signs.
    text = re.sub(r"(?<=\d)[\s\-\u2010-\u2015]+(?=\d)", "", text)
    text = _DIGIT_BY_DIGIT.sub(lambda match: match.group().translate(_DIGIT_NAMES), text)
    text = cn2an.transform(text, "an2cn")
    return "".join(_KEEP.findall(text))


def character_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance, reference length) after normalisation: sum both over a set for its CER."""
    ref, hyp = normalise_for_cer(reference), normalise_for_cer(hypothesis)
    return Levenshtein.distance(ref, hyp), len(ref)


def sentence_errors(sentences: list[str], hypothesis: str) -> list[tuple[int, int]]:
    """(edit distance, reference length) of each reference sentence against the part of one
    hypothesis aligned to it: the hypothesis of a whole call, split by the alignment that
    :func:`character_errors` scores. The sums are that function's numbers for the sentences
    joined, so a set can be resampled by sentence to see how much of a CER difference is
    noise. An insertion counts against the sentence it follows (the first, at the start)."""
    if not sentences:
        return []
    normalised = [normalise_for_cer(sentence) for sentence in sentences]
    # The sentence of each reference character; with no characters at all, the first.
    owner = [index for index, sentence in enumerate(normalised) for _ in sentence] or [0]
    errors = [0] * len(sentences)
    for operation in Levenshtein.editops("".join(normalised), normalise_for_cer(hypothesis)):
        position = operation.src_pos - (operation.tag == "insert")
        errors[owner[min(max(position, 0), len(owner) - 1)]] += 1
    return [(wrong, len(sentence)) for wrong, sentence in zip(errors, normalised, strict=True)]


def cer(reference: str, hypothesis: str) -> float:
    errors, length = character_errors(reference, hypothesis)
    return errors / max(1, length)
