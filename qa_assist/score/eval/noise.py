"""Simulated ASR errors: the kinds Whisper base makes in Mandarin, at a chosen rate.

A character is replaced by a homophone (same toneless syllable: 双闪 -> 双山), by a near-pinyin
character (zh/z, ch/c, sh/s, n/l, f/h, -n/-ng confused: 护栏 -> 护兰), or dropped. Substitutes
are drawn from the 3,755 common characters (GB2312 level 1), as a recognizer's vocabulary is.
Digits, Latin letters and punctuation are left alone.
"""

from __future__ import annotations

import random
from functools import lru_cache

#: Shares of the three kinds of error (Whisper's Mandarin errors are mostly substitutions).
HOMOPHONE, NEAR_PINYIN, DELETION = 0.55, 0.25, 0.20
_INITIAL_SWAPS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("f", "h"))


def _syllable(char: str) -> str:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(char)[0]


@lru_cache(maxsize=1)
def _common_by_syllable() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                char = bytes((high, low)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            index.setdefault(_syllable(char), []).append(char)
    return index


def _near(syllable: str) -> list[str]:
    """Syllables a listener confuses with ``syllable``."""
    out = []
    for one, other in _INITIAL_SWAPS:
        for a, b in ((one, other), (other, one)):
            if (
                syllable.startswith(a)
                and not (a == "z" and syllable.startswith("zh"))
                and not (a in ("c", "s") and syllable.startswith(a + "h"))
            ):
                out.append(b + syllable[len(a) :])
    if syllable.endswith("ng"):
        out.append(syllable[:-1])
    elif syllable.endswith("n"):
        out.append(syllable + "g")
    return [candidate for candidate in out if candidate in _common_by_syllable()]


class AsrNoise:
    """``rate`` is the chance that a Chinese character is misheard."""

    def __init__(self, rate: float, seed: int = 0) -> None:
        self.rate = rate
        self.rng = random.Random(seed)

    def _substitute(self, char: str, kind: float) -> str:
        syllable = _syllable(char)
        if kind >= HOMOPHONE:
            near = _near(syllable)
            if near:
                return self.rng.choice(_common_by_syllable()[self.rng.choice(near)])
        homophones = [other for other in _common_by_syllable().get(syllable, []) if other != char]
        return self.rng.choice(homophones) if homophones else char

    def __call__(self, text: str) -> str:
        out = []
        for char in text:
            if not "\u4e00" <= char <= "\u9fff" or self.rng.random() >= self.rate:
                out.append(char)
                continue
            kind = self.rng.random()
            if kind < 1 - DELETION:
                out.append(self._substitute(char, kind))
        return "".join(out)
