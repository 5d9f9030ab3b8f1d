"""Reciprocal rank fusion: each list gives an item ``weight / (k + rank)``; the sums rank them.

Ranks, not scores, are fused because BM25 scores and e5 cosines live on unrelated scales (e5's
cosines are compressed into about 0.85-0.95 whatever the texts).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

Item = TypeVar("Item", bound=Hashable)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Item]], k: int, weights: Sequence[float] | None = None
) -> list[tuple[Item, float]]:
    """Items of all ``rankings`` (each best first) with their fused scores, best first; ties
    keep the order in which the items were first seen."""
    weights = weights if weights is not None else [1.0] * len(rankings)
    scores: dict[Item, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: pair[1], reverse=True)
