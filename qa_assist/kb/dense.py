"""The dense index: FAISS over L2-normalised e5 vectors, inner product = cosine.

Up to a size threshold it is exact (``IndexFlatIP`` behind an ``IndexIDMap2``); above it an
inverted-file index (``IndexIVFFlat``, about 4·√n lists, ``nprobe`` of them scanned per query),
which keeps search in milliseconds at 100k entries. IVF rather than HNSW because it removes
vectors by id, which upsert and delete need. The kind follows the size whenever the index is
built or changed. Every change returns a new object: searches running on the old one are safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    import faiss

IndexKind = Literal["flat", "ivf"]
FILE_NAME = "dense.faiss"
#: FAISS warns below about 39 training points per list; stay well above it.
_POINTS_PER_LIST = 64


def choose_kind(size: int, flat_max: int) -> IndexKind:
    return "flat" if size <= flat_max else "ivf"


def ivf_lists(size: int) -> int:
    return max(1, min(int(4 * np.sqrt(size)), size // _POINTS_PER_LIST))


@dataclass(frozen=True)
class DenseIndex:
    index: faiss.Index
    kind: IndexKind
    nprobe: int

    @classmethod
    def build(
        cls, vectors: np.ndarray, ids: np.ndarray, entries: int, flat_max: int, nprobe: int
    ) -> DenseIndex:
        """An index of ``vectors`` under ``ids``; its kind follows the number of ``entries``."""
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dimension = vectors.shape[1]
        kind = choose_kind(entries, flat_max)
        if kind == "flat":
            index: faiss.Index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        else:
            quantizer = faiss.IndexFlatIP(dimension)
            index = faiss.IndexIVFFlat(
                quantizer, dimension, ivf_lists(len(vectors)), faiss.METRIC_INNER_PRODUCT
            )
            index.train(vectors)
        index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))
        return cls(index, kind, nprobe)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def changed(
        self, added: np.ndarray, added_ids: Sequence[int], removed_ids: Sequence[int]
    ) -> DenseIndex:
        """A copy with ``removed_ids`` taken out and ``added`` put in (under ``added_ids``)."""
        import faiss

        index = faiss.clone_index(self.index)
        if len(removed_ids):
            index.remove_ids(np.asarray(removed_ids, dtype=np.int64))
        if len(added):
            index.add_with_ids(
                np.ascontiguousarray(added, dtype=np.float32), np.asarray(added_ids, dtype=np.int64)
            )
        return DenseIndex(index, self.kind, self.nprobe)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cosines of the ``k`` nearest vectors, best first, among ``allowed`` ids."""
        import faiss

        k = min(k, self.size)
        if k <= 0 or (allowed is not None and len(allowed) == 0):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        selector = (
            faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            if allowed is not None
            else None
        )
        if self.kind == "ivf":
            params: faiss.SearchParameters = faiss.SearchParametersIVF(
                sel=selector, nprobe=self.nprobe
            )
        else:
            params = faiss.SearchParameters(sel=selector)
        scores, ids = self.index.search(
            np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k, params=params
        )
        found = ids[0] >= 0
        return ids[0][found], scores[0][found]

    def save(self, folder: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(folder / FILE_NAME))

    @classmethod
    def load(cls, folder: Path, kind: IndexKind, nprobe: int) -> DenseIndex:
        import faiss

        return cls(faiss.read_index(str(folder / FILE_NAME)), kind, nprobe)
