"""Where a hit matches its query: the query's words in the text and the best sentence.

The query's words are searched in the folded text directly (longest first) rather than by
tokenising every hit: jieba over five hit texts would cost more than the search itself.
Single characters are not marked: 报 or 车 would light up every other sentence.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .tokenize import fold
from .types import Span

_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
_ASCII_WORD_CHAR = re.compile(r"[0-9a-z]")


@dataclass(frozen=True)
class Highlight:
    passage: Span
    #: query words in the text
    words: tuple[Span, ...]


def _word_pattern(word: str) -> str:
    body = re.escape(word)
    if _ASCII_WORD_CHAR.match(word[0]):
        body = r"(?<![0-9a-z])" + body
    if _ASCII_WORD_CHAR.match(word[-1]):
        body += r"(?![0-9a-z])"
    return body


def _sentences(text: str) -> list[Span]:
    spans, start = [], 0
    for found in _SENTENCE_END.finditer(text):
        spans.append(Span(start, found.end()))
        start = found.end()
    if start < len(text):
        spans.append(Span(start, len(text)))
    return [span for span in spans if text[span.start : span.end].strip()] or [Span(0, len(text))]


def _trimmed(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return Span(start, end)


def highlight(text: str, weights: Mapping[str, float]) -> Highlight:
    """The query words (with their weights) found in ``text``, and the sentence whose distinct
    query words weigh most (the first sentence when none match: a purely semantic hit)."""
    words = sorted((w for w in weights if len(w) > 1), key=len, reverse=True)
    found: list[tuple[Span, str]] = []
    if words:
        pattern = re.compile("|".join(_word_pattern(word) for word in words))
        found = [(Span(m.start(), m.end()), m.group()) for m in pattern.finditer(fold(text))]
    sentences = _sentences(text)

    def weight(sentence: Span) -> float:
        inside = {word for span, word in found if sentence.start <= span.start < sentence.end}
        return sum(weights[word] for word in inside)

    best = max(sentences, key=weight)  # max keeps the first of equals
    return Highlight(_trimmed(text, best), tuple(span for span, _ in found))


def marked(text: str, passage: Span, words: tuple[Span, ...]) -> str:
    """The passage as HTML-escaped text with its query words in ``<mark>`` tags."""
    pieces, cursor = [], passage.start
    for span in words:
        start, end = max(span.start, passage.start), min(span.end, passage.end)
        if start >= end:
            continue
        pieces.append(html.escape(text[cursor:start]))
        pieces.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(html.escape(text[cursor : passage.end]))
    return "".join(pieces)
