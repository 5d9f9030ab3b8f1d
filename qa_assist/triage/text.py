"""Unicode compatibility normalisation (NFKC) that keeps a map back to the original text.

Matching runs on the normalised text so that full-width ``ＶＩＮ１２３`` or ``，`` behave like
their half-width forms, but every span we report must point into the text the caller gave us.
NFKC can change lengths (``㎞`` becomes ``km``), so each character is normalised on its own and
its output characters remember which input character they came from.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """``text`` is the NFKC form of ``original``; ``origin[i]`` is the input index of ``text[i]``."""

    original: str
    text: str
    origin: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span ``[start, end)`` of :attr:`text` to a span of :attr:`original`."""
        if start >= end:
            position = self.origin[start] if start < len(self.origin) else len(self.original)
            return position, position
        return self.origin[start], self.origin[end - 1] + 1

    def original_slice(self, start: int, end: int) -> str:
        """The original characters behind ``text[start:end]``."""
        first, last = self.to_original(start, end)
        return self.original[first:last]


def normalize(text: str) -> NormalizedText:
    """NFKC-normalise ``text`` character by character, remembering where each character came from.

    Per-character NFKC differs from whole-string NFKC only for combining sequences, which do
    not occur in the identifiers we match (VINs, plates, numbers, Chinese words).
    """
    if unicodedata.is_normalized("NFKC", text):
        return NormalizedText(original=text, text=text, origin=tuple(range(len(text))))
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        normal = unicodedata.normalize("NFKC", char)
        pieces.append(normal)
        origin.extend([index] * len(normal))
    return NormalizedText(original=text, text="".join(pieces), origin=tuple(origin))
