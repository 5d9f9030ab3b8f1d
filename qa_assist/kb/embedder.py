"""Text vectors for the knowledge base: e5 with its ``passage: `` prefix for entries and its
``query: `` prefix for questions (e5 was trained on that asymmetric pairing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from ..models import ModelRegistry

#: Entries encoded per model call: enough to batch well, little memory.
_BATCH = 32


class KbEmbedder(Protocol):
    @property
    def version(self) -> str:
        """Identity of the weights; an index built with other weights is refused."""
        ...

    @property
    def dimension(self) -> int: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per entry text."""
        ...

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per query."""
        ...


class E5KbEmbedder:
    """The registry's encoder, loaded on first use."""

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry

    @property
    def version(self) -> str:
        from ..models import model_version

        return model_version(self.registry.encoder_dir())

    @property
    def dimension(self) -> int:
        return int(self.registry.encoder().get_sentence_embedding_dimension())

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.registry.encoder().encode(
            [prefix + text for text in texts],
            batch_size=_BATCH,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage: ")

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query: ")
