"""Finding a standard phrase in a transcript that Whisper got a quarter wrong.

A phrase matches a span when the characters are close, or when the pinyin syllables are close
after folding the sounds that Whisper and southern accents confuse most (zh/z, ch/c, sh/s, n/l,
final -ng/-n). Tones are ignored: Whisper's homophone errors keep the syllable, lose the tone.
Syllables that differ are compared by their letters, so a near miss (客 ke heard as 个 ge,
中 zhong as 装 zhuang) costs three quarters of a syllable, and an unrelated one a whole one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

_FOLDS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_TOKEN = re.compile(r"[\u3400-\u9fff]|[a-z0-9]+")


@dataclass(frozen=True)
class PhraseMatch:
    phrase: str
    #: character offsets into the searched text
    start: int
    end: int
    similarity: float


def normalise(text: str) -> str:
    """Lower-case, half-width, no punctuation or spaces: what is compared."""
    return "".join(_TOKEN.findall(unicodedata.normalize("NFKC", text).lower()))


@lru_cache(maxsize=65536)
def _syllable(char: str) -> str:
    from pypinyin import lazy_pinyin

    if not "\u3400" <= char <= "\u9fff":
        return char
    syllable = lazy_pinyin(char)[0]
    for retroflex, flat in _FOLDS:
        if syllable.startswith(retroflex):
            syllable = flat + syllable[len(retroflex) :]
            break
    if syllable.startswith("n"):
        syllable = "l" + syllable[1:]
    if syllable.endswith("ng"):
        syllable = syllable[:-1]
    return syllable


def syllables(text: str) -> list[str]:
    return [_syllable(char) for char in normalise(text)]


@lru_cache(maxsize=65536)
def _substitution_cost(first: str, second: str) -> float:
    # At least half a syllable: letters alone overrate the likeness of short syllables (xian/jian).
    return 0.0 if first == second else 0.5 + Levenshtein.normalized_distance(first, second) / 2


def sound_distance(target: list[str], heard: list[str]) -> float:
    """Edit distance over syllables; substituting one for another costs their letter distance."""
    previous = [float(column) for column in range(len(heard) + 1)]
    for row, wanted in enumerate(target, 1):
        current = [float(row)]
        for column, got in enumerate(heard, 1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + _substitution_cost(wanted, got),
                )
            )
        previous = current
    return previous[-1]


#: Spans whose syllables agree less than this are not worth the letter-level comparison.
_WORTH_A_CLOSER_LOOK = 0.3


def find_phrase(phrase: str, text: str) -> PhraseMatch | None:
    """The best-matching span of ``text`` for ``phrase`` (None when ``text`` is empty).

    Offsets index the normalised text; callers keep the segment, so a span within it is only
    used to show the matched words.
    """
    target_chars = normalise(phrase)
    haystack = normalise(text)
    if not target_chars or not haystack:
        return None
    target_sounds = syllables(target_chars)
    sounds = syllables(haystack)
    size = len(target_chars)
    best: PhraseMatch | None = None
    for width in {max(1, size - 1), size, size + 1}:
        for start in range(max(1, len(haystack) - width + 1)):
            end = min(len(haystack), start + width)
            longest = max(size, end - start)
            by_chars = 1 - Levenshtein.distance(target_chars, haystack[start:end]) / longest
            by_sound = 1 - Levenshtein.distance(target_sounds, sounds[start:end]) / longest
            if by_sound >= _WORTH_A_CLOSER_LOOK and by_sound < 1:
                by_sound = 1 - sound_distance(target_sounds, sounds[start:end]) / longest
            similarity = max(by_chars, by_sound)
            if best is None or similarity > best.similarity:
                best = PhraseMatch(phrase, start, end, round(similarity, 3))
    return best
