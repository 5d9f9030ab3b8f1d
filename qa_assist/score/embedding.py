"""Sentence embeddings for semantic checks: an interface and the e5 encoder behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from ..models import ModelRegistry


class TextEmbedder(Protocol):
    @property
    def version(self) -> str:
        """Identity of the weights, recorded with every score that used them."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text."""
        ...


class E5Embedder:
    """multilingual-e5-small from the shared registry, loaded on first use.

    Both sides get e5's ``query:`` prefix: comparing a line with a line is a symmetric task.
    Reference lines repeat on every call, so vectors are kept (a bounded number of them).
    """

    CACHE_LIMIT = 20000

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry
        self._cache: dict[str, np.ndarray] = {}

    @property
    def version(self) -> str:
        from ..models import model_version

        return model_version(self.registry.encoder_dir())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        if missing:
            if len(self._cache) + len(missing) > self.CACHE_LIMIT:
                self._cache.clear()
                missing = list(dict.fromkeys(texts))
            vectors = self.registry.encoder().encode(
                [f"query: {text}" for text in missing],
                batch_size=32,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
            self._cache.update(zip(missing, vectors, strict=True))
        return np.stack([self._cache[text] for text in texts]) if texts else np.zeros((0, 384))
