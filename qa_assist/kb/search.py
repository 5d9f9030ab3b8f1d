"""The knowledge base as the service uses it: load once, search, change, persist.

Dense retrieval (e5 in FAISS) and BM25 each give their best candidates; reciprocal rank fusion
merges them. Filters (collection, category, vehicle model) apply before ranking, so a filtered
search returns the best matching entries rather than the survivors of an unfiltered top k.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from ..settings import Settings
from .embedder import KbEmbedder
from .fusion import reciprocal_rank_fusion
from .highlight import highlight, marked
from .index import VECTORS_PER_ENTRY, IndexParameters, KbIndex, vector_ids
from .store import live_generation, live_name, write_generation, writer_lock
from .tokenize import default_tokenizer, is_code
from .types import KbEntry, SearchHit, SearchMode
from .vehicles import vehicle_key

log = logging.getLogger("qa_assist")

#: A query: its texts with their weights (a call's customer turns weigh more than the agent's).
WeightedText = tuple[str, float]


@dataclass(frozen=True)
class Filters:
    collection: str | None = None
    #: an answer's category or a case's subsystem
    category: str | None = None
    #: entries for this model and entries for every model
    vehicle_model: str | None = None
    #: only entries that apply on this day (standard answers' ``valid_from``/``valid_to``)
    valid_on: date | None = None


@dataclass(frozen=True)
class Preference:
    """Entries to favour in hybrid ranking, e.g. answers of the ticket's triage type."""

    scenario: str | None = None
    subsystem: str | None = None
    #: added fused score, as a share of what a first rank in one list is worth
    bonus: float = 0.0

    def applies(self, entry: KbEntry) -> bool:
        if entry.collection == "answer":
            return self.scenario is not None and entry.scenario == self.scenario
        return self.subsystem is not None and entry.metadata.get("subsystem") == self.subsystem


@dataclass(frozen=True)
class UpsertResult:
    added: tuple[str, ...]
    replaced: tuple[str, ...]


def _top(scores: np.ndarray, positions: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best of ``positions`` by ``scores`` (aligned), best first."""
    if len(scores) > k:
        keep = np.argpartition(-scores, k - 1)[:k]
        scores, positions = scores[keep], positions[keep]
    order = np.argsort(-scores, kind="stable")
    return positions[order], scores[order]


class KnowledgeBase:
    """Thread-safe: searches read an immutable index; changes are serialised and persisted
    before they become visible. Another process's changes are picked up on the next call."""

    def __init__(self, root: Path, embedder: KbEmbedder, settings: Settings) -> None:
        self.root = Path(root)
        self.embedder = embedder
        self.settings = settings
        self.parameters = IndexParameters(settings.kb_flat_max, settings.kb_ivf_nprobe)
        self._index: KbIndex | None = None
        self._generation: str | None = None
        self._lock = threading.RLock()

    # -- loading and changing -------------------------------------------------------------

    def index(self) -> KbIndex:
        """The live index, loaded on first use and again when another process changed it.

        Raises KbIndexMissing when none was built, KbIndexError when it is unusable."""
        current = live_name(self.root)
        if self._index is not None and current == self._generation:
            return self._index
        with self._lock:
            if self._index is None or live_name(self.root) != self._generation:
                folder = live_generation(self.root)
                self._index = KbIndex.load(folder, self.embedder.version, self.parameters)
                self._generation = folder.name
                log.info("knowledge base: %d entries from %s", self._index.size, folder)
            return self._index

    def _commit(self, index: KbIndex) -> KbIndex:
        folder = write_generation(self.root, index.save)
        self._index, self._generation = index, folder.name
        return index

    def build(self, entries: Sequence[KbEntry]) -> KbIndex:
        """Replace the whole index by one over ``entries``."""
        with self._lock, writer_lock(self.root):
            return self._commit(KbIndex.build(entries, self.embedder, self.parameters))

    def upsert(self, entries: Sequence[KbEntry]) -> UpsertResult:
        with self._lock, writer_lock(self.root):
            index = self.index()
            replaced = tuple(dict.fromkeys(e.id for e in entries if e.id in index.position))
            added = tuple(dict.fromkeys(e.id for e in entries if e.id not in index.position))
            self._commit(index.upserted(entries, self.embedder, self.parameters))
            return UpsertResult(added, replaced)

    def delete(self, ids: Iterable[str]) -> None:
        """Remove entries; KeyError (naming them) when some ids are unknown, and then nothing
        is removed."""
        with self._lock, writer_lock(self.root):
            self._commit(self.index().deleted(ids, self.parameters))

    def get(self, entry_id: str) -> KbEntry | None:
        index = self.index()
        position = index.position.get(entry_id)
        return None if position is None else index.entries[position]

    # -- searching ------------------------------------------------------------------------

    def search(
        self,
        query: str | Sequence[WeightedText],
        k: int = 5,
        filters: Filters | None = None,
        mode: SearchMode = "hybrid",
        prefer: Preference | None = None,
    ) -> list[SearchHit]:
        """The ``k`` best entries for ``query``, best first."""
        parts = [(query, 1.0)] if isinstance(query, str) else list(query)
        parts = [(text, weight) for text, weight in parts if text.strip() and weight > 0]
        index = self.index()
        if not parts or k <= 0:
            return []
        allowed = self._allowed(index, filters or Filters())
        candidates = max(self.settings.kb_candidates, k)
        bag = self._bag(parts)
        rankings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if mode in ("hybrid", "dense"):
            rankings["dense"] = self._dense(index, parts, allowed, candidates)
        if mode in ("hybrid", "bm25"):
            rankings["bm25"] = self._bm25(index, bag, allowed, candidates)
        codes = [word for word in bag if is_code(word)]
        if mode == "hybrid" and codes:
            rankings["code"] = self._codes(index, codes, bag, allowed, candidates)
        if mode == "hybrid":
            fused = reciprocal_rank_fusion(
                [positions.tolist() for positions, _ in rankings.values()], self.settings.kb_rrf_k
            )
            if prefer is not None and prefer.bonus > 0:
                bonus = prefer.bonus / (self.settings.kb_rrf_k + 1)
                fused = sorted(
                    ((p, s + bonus if prefer.applies(index.entries[p]) else s) for p, s in fused),
                    key=lambda pair: pair[1],
                    reverse=True,
                )
            ranked = fused[:k]
        else:
            positions, scores = rankings[mode]
            ranked = list(zip(positions.tolist(), scores.tolist(), strict=True))[:k]
        ranks = {
            name: {int(p): rank for rank, p in enumerate(positions, start=1)}
            for name, (positions, _) in rankings.items()
        }
        # Rare words (a trouble code) pick the passage, common ones (故障) hardly.
        weights = {word: weight * index.bm25.idf(word) for word, weight in bag.items()}
        return [
            self._hit(
                index.entries[p], score, weights, {n: r[p] for n, r in ranks.items() if p in r}
            )
            for p, score in ranked
        ]

    def _allowed(self, index: KbIndex, filters: Filters) -> np.ndarray | None:
        """Positions that pass the filters, or None when nothing is filtered."""
        allowed: np.ndarray | None = None
        empty = np.zeros(0, dtype=np.int64)
        groups = []
        if filters.collection:
            groups.append(index.by_collection.get(filters.collection, empty))
        if filters.category:
            groups.append(index.by_category.get(filters.category, empty))
        if filters.vehicle_model:
            models = index.by_vehicle.get(vehicle_key(filters.vehicle_model), empty)
            groups.append(np.union1d(models, index.all_vehicles))
        if filters.valid_on:
            day = np.datetime64(filters.valid_on, "D")
            # Comparisons with NaT (an open end) are False: open ends never exclude.
            groups.append(np.flatnonzero(~(index.valid_from > day) & ~(index.valid_to < day)))
        for group in groups:
            allowed = group if allowed is None else np.intersect1d(allowed, group)
        return allowed

    def _bag(self, parts: Sequence[WeightedText]) -> dict[str, float]:
        tokenizer = default_tokenizer()
        bag: dict[str, float] = {}
        for text, weight in parts:
            for word in tokenizer.words(text):
                bag[word] = bag.get(word, 0.0) + weight
        return bag

    def query_vector(self, parts: Sequence[WeightedText]) -> np.ndarray:
        vectors = self.embedder.queries([text for text, _ in parts])
        combined = np.asarray([weight for _, weight in parts], np.float32) @ vectors
        return combined / max(float(np.linalg.norm(combined)), 1e-12)

    def _dense(
        self,
        index: KbIndex,
        parts: Sequence[WeightedText],
        allowed: np.ndarray | None,
        candidates: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        vector = self.query_vector(parts)
        return self.dense_ranking(index, vector, allowed, candidates)

    def dense_ranking(
        self, index: KbIndex, vector: np.ndarray, allowed: np.ndarray | None, candidates: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions and cosines of the nearest entries to a query vector."""
        if allowed is not None and (index.dense.kind == "flat" or len(allowed) <= 4 * candidates):
            # Exact over the allowed entries: cheap for a small set, and an IVF index with a
            # selective filter could find too few of them in the lists it probes.
            return _top((index.vectors[allowed] @ vector).max(axis=1), allowed, candidates)
        ids, scores = index.dense.search(
            vector,
            candidates * VECTORS_PER_ENTRY,
            None if allowed is None else vector_ids(index.rows[allowed]),
        )
        positions = np.searchsorted(index.rows, ids // VECTORS_PER_ENTRY)
        # Best first: an entry's first appearance is its better vector.
        _, first = np.unique(positions, return_index=True)
        keep = np.sort(first)[:candidates]
        return positions[keep], scores[keep]

    def _bm25(
        self,
        index: KbIndex,
        bag: dict[str, float],
        allowed: np.ndarray | None,
        candidates: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        scores = index.bm25.scores(bag)
        positions = np.arange(index.size) if allowed is None else allowed
        scores = scores[positions]
        matching = scores > 0
        return _top(scores[matching], positions[matching], candidates)

    def _codes(
        self,
        index: KbIndex,
        codes: list[str],
        bag: dict[str, float],
        allowed: np.ndarray | None,
        candidates: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Entries holding the query's trouble codes or part numbers, most codes first.

        A third list for the fusion: an exact identifier is near-certain evidence, but BM25
        sees it as one rare word among the query's others, and e5 hardly sees it at all, so
        in a two-list fusion a semantically close entry without the code could still win."""
        bm25 = index.bm25.scores(bag)
        # Ties in the number of codes are broken by BM25 over the whole query.
        score = index.bm25.matches(codes) + 0.5 * bm25 / max(float(bm25.max()), 1e-9)
        positions = np.arange(index.size) if allowed is None else allowed
        score = score[positions]
        holding = score >= 1
        return _top(score[holding].astype(np.float32), positions[holding], candidates)

    def _hit(
        self, entry: KbEntry, score: float, weights: dict[str, float], ranks: dict[str, int]
    ) -> SearchHit:
        found = highlight(entry.text, weights)
        return SearchHit(
            id=entry.id,
            collection=entry.collection,
            title=entry.title,
            score=round(float(score), 6),
            text=entry.text,
            passage=entry.text[found.passage.start : found.passage.end],
            passage_span=found.passage,
            highlights=found.words,
            passage_html=marked(entry.text, found.passage, found.words),
            metadata=entry.metadata,
            ranks=ranks,
        )
