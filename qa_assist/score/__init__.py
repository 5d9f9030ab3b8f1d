"""Scoring transcripts against rubrics, with evidence for every item."""

from .matching import PhraseMatch, find_phrase
from .rubric import Item, Rubric, RubricError, load_rubric, parse_rubric, shipped_rubrics
from .scorer import score_transcript
from .types import CallScore, Evidence, ItemResult, Verdict

__all__ = [
    "CallScore",
    "Evidence",
    "Item",
    "ItemResult",
    "PhraseMatch",
    "Rubric",
    "RubricError",
    "Verdict",
    "find_phrase",
    "load_rubric",
    "parse_rubric",
    "score_transcript",
    "shipped_rubrics",
]
