"""Okapi BM25 over a sparse term-frequency matrix (documents x vocabulary).

The term frequencies are what is stored; the BM25 weights are derived from them when the index
is built or loaded (a few sparse operations), so adding and removing documents is appending and
dropping rows. A query is a weighted bag of words and its scores are one sparse product.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

K1 = 1.2
B = 0.75


class Bm25Index:
    def __init__(self, vocabulary: dict[str, int], frequencies: sparse.csr_matrix) -> None:
        self.vocabulary = vocabulary
        self.frequencies = frequencies.astype(np.float32).tocsr()
        self._weights, self._idf = _bm25_weights(self.frequencies)

    @classmethod
    def from_documents(cls, documents: Sequence[Sequence[str]]) -> Bm25Index:
        return cls({}, sparse.csr_matrix((0, 0), dtype=np.float32)).appended(documents)

    @property
    def size(self) -> int:
        return self.frequencies.shape[0]

    def appended(self, documents: Sequence[Sequence[str]]) -> Bm25Index:
        """A new index with ``documents`` added as the last rows."""
        vocabulary = dict(self.vocabulary)
        rows, cols, values = [], [], []
        for row, words in enumerate(documents):
            for word, count in Counter(words).items():
                rows.append(row)
                cols.append(vocabulary.setdefault(word, len(vocabulary)))
                values.append(count)
        added = sparse.csr_matrix(
            (np.asarray(values, dtype=np.float32), (rows, cols)),
            shape=(len(documents), len(vocabulary)),
        )
        old = self.frequencies
        old = sparse.csr_matrix(
            (old.data, old.indices, old.indptr), shape=(old.shape[0], len(vocabulary))
        )
        return Bm25Index(vocabulary, sparse.vstack([old, added], format="csr"))

    def without(self, positions: Sequence[int]) -> Bm25Index:
        """A new index without the rows at ``positions`` (the others keep their order)."""
        keep = np.ones(self.size, dtype=bool)
        keep[list(positions)] = False
        return Bm25Index(self.vocabulary, self.frequencies[keep])

    def scores(self, query: Mapping[str, float]) -> np.ndarray:
        """The BM25 score of every document for a bag of query words and their weights."""
        known = [
            (self.vocabulary[word], weight)
            for word, weight in query.items()
            if word in self.vocabulary
        ]
        if not known or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        columns = np.fromiter((column for column, _ in known), dtype=np.int64)
        weights = np.fromiter((weight for _, weight in known), dtype=np.float32)
        return np.asarray(self._weights[:, columns] @ weights).ravel()

    def matches(self, words: Sequence[str]) -> np.ndarray:
        """How many of ``words`` each document holds."""
        columns = [self.vocabulary[word] for word in words if word in self.vocabulary]
        if not columns:
            return np.zeros(self.size, dtype=np.int64)
        return np.asarray((self._weights[:, columns] > 0).sum(axis=1)).ravel()

    def idf(self, word: str) -> float:
        """How rare ``word`` is (0 for a word no document has)."""
        column = self.vocabulary.get(word)
        return 0.0 if column is None else float(self._idf[column])

    def save(self, folder: Path) -> None:
        sparse.save_npz(folder / "bm25_tf.npz", self.frequencies, compressed=False)
        (folder / "bm25_vocab.json").write_text(
            json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> Bm25Index:
        vocabulary = json.loads((folder / "bm25_vocab.json").read_text(encoding="utf-8"))
        return cls(vocabulary, sparse.load_npz(folder / "bm25_tf.npz"))


def _bm25_weights(frequencies: sparse.csr_matrix) -> tuple[sparse.csc_matrix, np.ndarray]:
    """Each (document, word) frequency turned into its BM25 contribution, column-major so a
    query picks its words' columns cheaply; and the idf of every word."""
    documents = frequencies.shape[0]
    if documents == 0:
        return sparse.csc_matrix(frequencies.shape, dtype=np.float32), np.zeros(0)
    lengths = np.asarray(frequencies.sum(axis=1)).ravel()
    average = max(float(lengths.mean()), 1e-9)
    document_frequency = np.bincount(frequencies.indices, minlength=frequencies.shape[1])
    idf = np.log1p((documents - document_frequency + 0.5) / (document_frequency + 0.5))
    idf[document_frequency == 0] = 0
    weights = frequencies.copy()
    tf = weights.data
    norm = np.repeat(K1 * (1 - B + B * lengths / average), np.diff(weights.indptr))
    weights.data = (tf * (K1 + 1) / (tf + norm) * idf[weights.indices]).astype(np.float32)
    return weights.tocsc(), idf
