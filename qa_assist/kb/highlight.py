"""Where a hit matches its query: the query's words in the text and the best sentence."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .tokenize import Tokenizer
from .types import Span

_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")


@dataclass(frozen=True)
class Highlight:
    passage: Span
    #: query words in the text
    words: tuple[Span, ...]


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if merged and span.start <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def _sentences(text: str) -> list[Span]:
    spans, start = [], 0
    for found in _SENTENCE_END.finditer(text):
        spans.append(Span(start, found.end()))
        start = found.end()
    if start < len(text):
        spans.append(Span(start, len(text)))
    return [span for span in spans if text[span.start : span.end].strip()] or [Span(0, len(text))]


def highlight(text: str, query: Mapping[str, float], tokenizer: Tokenizer) -> Highlight:
    """The query words (with their weights) found in ``text``, and the sentence whose distinct
    query words weigh most (the first sentence when none match: a purely semantic hit)."""
    found = [token for token in tokenizer.tokenize(text) if token.text in query]
    words = _merged([Span(token.start, token.end) for token in found])
    sentences = _sentences(text)

    def weight(sentence: Span) -> float:
        inside = {t.text for t in found if sentence.start <= t.start < sentence.end}
        return sum(query[word] for word in inside)

    best = max(sentences, key=weight)  # max keeps the first of equals
    start, end = best.start, best.end
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return Highlight(Span(start, end), tuple(words))


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
