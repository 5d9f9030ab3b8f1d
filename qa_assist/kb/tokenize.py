"""Words for BM25: jieba for Chinese, with fault codes, part numbers and vehicle models kept whole.

jieba would cut a part number ``1489000-00-C`` at its dashes and a model name ``Model Y`` at its
space, and it cannot know that ``ModelY``, ``Model Y`` and ``特斯拉MY`` are one car; so these are
found first (the models through the triage catalogue, whose aliases map to one canonical name)
and jieba cuts only the text between them. ASCII is lower-cased and full-width characters are
folded, one character for one, so every token keeps its offsets in the original text.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

STOPWORDS_PATH = Path(__file__).with_name("stopwords.txt")

#: OBD-II / UDS trouble codes (P0A80, U0100, C1234-56, P1A3400) and dashed or dotted part
#: numbers (1489000-00-C, 5QD.407.271) that hold a digit.
_CODE = re.compile(
    r"(?<![0-9a-z])(?:[pbcu][0-9a-f]{4}(?:-?[0-9a-f]{2})?"
    r"|(?=[0-9a-z.\-]*[0-9])[0-9a-z]+(?:[-.][0-9a-z]+)+)(?![0-9a-z])"
)
#: A trouble code with its failure-type byte (UDS) also yields the bare five-character code.
_DTC_WITH_BYTE = re.compile(r"^([pbcu][0-9a-f]{4})-?[0-9a-f]{2}$")
_WORDLIKE = re.compile(r"[0-9a-z\u3400-\u9fff]")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


_LETTER = re.compile(r"[a-z]")
_DIGIT = re.compile(r"[0-9]")


def is_code(word: str) -> bool:
    """Whether a token looks like an identifier (a trouble code such as p0a80 or 2e81, a part
    number): letters and digits mixed, or a digit code with dashes or dots, four or more
    characters; the few model names of that shape (model3) are not codes."""
    if len(word) < 4 or not word.isascii() or not _DIGIT.search(word):
        return False
    if not (_LETTER.search(word) or "-" in word or "." in word):
        return False
    from .vehicles import is_model_name

    return not is_model_name(word)


@lru_cache
def stopwords() -> frozenset[str]:
    lines = STOPWORDS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def fold(text: str) -> str:
    """NFKC and lower case, character by character, so offsets stay those of ``text``."""
    folded = []
    for char in text:
        normal = unicodedata.normalize("NFKC", char)
        folded.append(normal.lower() if len(normal) == 1 else char.lower())
    return "".join(folded)


def canonical_model(name: str) -> str:
    """The token of a vehicle model: its catalogue name, lower case, without spaces."""
    return re.sub(r"\s+", "", fold(name))


class Tokenizer:
    """Thread-safe; jieba's dictionary loads on first use (about a second)."""

    def __init__(self) -> None:
        self._jieba: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    def _cutter(self) -> jieba.Tokenizer:
        with self._lock:
            if self._jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                cutter = jieba.Tokenizer()
                cutter.initialize()
                self._jieba = cutter
            return self._jieba

    def tokenize(self, text: str) -> list[Token]:
        """Search tokens of ``text`` with their offsets; stop words and punctuation dropped."""
        from ..triage.vehicle_models import default_matcher

        folded = fold(text)
        protected: list[Token] = []
        for mention in default_matcher().find(folded):
            if mention.model is not None:
                protected.append(Token(canonical_model(mention.model), mention.start, mention.end))
            protected.append(Token(fold(mention.brand), mention.start, mention.end))
        taken = [(token.start, token.end) for token in protected]
        for found in _CODE.finditer(folded):
            if any(found.start() < end and start < found.end() for start, end in taken):
                continue
            protected.append(Token(found.group(), found.start(), found.end()))
            if bare := _DTC_WITH_BYTE.match(found.group()):
                protected.append(Token(bare.group(1), found.start(), found.start() + 5))
            taken.append((found.start(), found.end()))
        tokens = list(protected)
        cursor = 0
        for start, end in [*sorted(taken), (len(folded), len(folded))]:
            if start > cursor:
                tokens.extend(self._words(folded[cursor:start], cursor))
            cursor = max(cursor, end)
        tokens.sort(key=lambda token: (token.start, token.end))
        return tokens

    def words(self, text: str) -> list[str]:
        return [token.text for token in self.tokenize(text)]

    def _words(self, segment: str, offset: int) -> list[Token]:
        stop = stopwords()
        return [
            Token(word, offset + start, offset + end)
            for word, start, end in self._cutter().tokenize(segment, mode="search")
            if word not in stop and _WORDLIKE.search(word)
        ]


@lru_cache
def default_tokenizer() -> Tokenizer:
    return Tokenizer()
