"""One state of the knowledge base: entries, their vectors, BM25 and FAISS over them.

Every entry has two vectors: its whole text as an e5 passage, and its title, question
patterns and symptoms as an e5 query (the ways people ask for it: a question matched against
questions). An entry's dense score is the better of the two cosines. Measured on the
evaluation queries, the second vector lifts dense recall@5 from 0.85 to 0.92 and hybrid from
0.93 to 0.95. FAISS holds vector ``2 * row + slot`` for slot 0 (text) and 1 (questions).

A ``KbIndex`` is never changed in place: ``upserted`` and ``deleted`` return a new one (only
the new entries are embedded and tokenised), so searches running on the old one are safe and
a failed write leaves the live state as it was.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .bm25 import Bm25Index
from .dense import DenseIndex, choose_kind
from .embedder import KbEmbedder
from .store import FORMAT_VERSION, IndexManifest, KbIndexError
from .tokenize import default_tokenizer
from .types import KbEntry
from .vehicles import vehicle_key

log = logging.getLogger("qa_assist")

ENTRIES_FILE = "entries.jsonl"
VECTORS_FILE = "vectors.npy"
ROWS_FILE = "rows.npy"
VECTORS_PER_ENTRY = 2


def vector_ids(rows: np.ndarray) -> np.ndarray:
    """The FAISS ids of the vectors of the entries with these row ids."""
    rows = np.asarray(rows, dtype=np.int64)
    return (rows[:, None] * VECTORS_PER_ENTRY + np.arange(VECTORS_PER_ENTRY)).ravel()


def embed(entries: Sequence[KbEntry], embedder: KbEmbedder) -> np.ndarray:
    """The (entries, 2, dimension) vectors of entries: text as passage, questions as query."""
    texts = embedder.passages([entry.searchable_text() for entry in entries])
    questions = embedder.queries([entry.question_text() for entry in entries])
    return np.stack([texts, questions], axis=1).astype(np.float32)


def _flat(vectors: np.ndarray) -> np.ndarray:
    return vectors.reshape(-1, vectors.shape[-1])


@dataclass(frozen=True)
class IndexParameters:
    """What shapes the dense index (from the settings)."""

    flat_max: int
    nprobe: int


@dataclass(frozen=True)
class KbIndex:
    entries: tuple[KbEntry, ...]
    #: the FAISS id of each entry, in entry order
    rows: np.ndarray
    #: the e5 vectors of each entry, (entries, 2, dimension), in entry order (kept so the
    #: FAISS index can be rebuilt, e.g. as IVF past the size threshold, without embedding)
    vectors: np.ndarray
    bm25: Bm25Index
    dense: DenseIndex
    encoder_version: str
    next_row: int
    position: dict[str, int] = field(init=False, repr=False)
    #: positions of the entries of each collection, category and vehicle model
    by_collection: dict[str, np.ndarray] = field(init=False, repr=False)
    by_category: dict[str, np.ndarray] = field(init=False, repr=False)
    by_vehicle: dict[str, np.ndarray] = field(init=False, repr=False)
    #: positions of the entries that apply to every model
    all_vehicles: np.ndarray = field(init=False, repr=False)
    #: first and last day each entry applies (NaT: open)
    valid_from: np.ndarray = field(init=False, repr=False)
    valid_to: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        groups: dict[str, dict[str, list[int]]] = {"collection": {}, "category": {}, "vehicle": {}}
        universal = []
        for position, entry in enumerate(self.entries):
            groups["collection"].setdefault(entry.collection, []).append(position)
            if entry.category:
                groups["category"].setdefault(entry.category, []).append(position)
            models = entry.vehicle_models
            if not models:
                universal.append(position)
            for key in {vehicle_key(model) for model in models}:
                groups["vehicle"].setdefault(key, []).append(position)

        def arrays(group: dict[str, list[int]]) -> dict[str, np.ndarray]:
            return {key: np.asarray(value, dtype=np.int64) for key, value in group.items()}

        object.__setattr__(self, "position", {e.id: i for i, e in enumerate(self.entries)})
        object.__setattr__(self, "by_collection", arrays(groups["collection"]))
        object.__setattr__(self, "by_category", arrays(groups["category"]))
        object.__setattr__(self, "by_vehicle", arrays(groups["vehicle"]))
        object.__setattr__(self, "all_vehicles", np.asarray(universal, dtype=np.int64))
        days = [entry.validity for entry in self.entries]
        for slot, name in enumerate(("valid_from", "valid_to")):
            values = [day[slot] or "NaT" for day in days]
            object.__setattr__(self, name, np.asarray(values, dtype="datetime64[D]"))

    @property
    def size(self) -> int:
        return len(self.entries)

    @classmethod
    def build(
        cls, entries: Sequence[KbEntry], embedder: KbEmbedder, parameters: IndexParameters
    ) -> KbIndex:
        if not entries:
            raise ValueError("no entries to index")
        started = time.perf_counter()
        vectors = embed(entries, embedder)
        log.info("embedded %d entries in %.1f s", len(entries), time.perf_counter() - started)
        return cls.from_vectors(entries, vectors, embedder.version, parameters)

    @classmethod
    def from_vectors(
        cls,
        entries: Sequence[KbEntry],
        vectors: np.ndarray,
        encoder_version: str,
        parameters: IndexParameters,
    ) -> KbIndex:
        """An index over entries whose vectors are already known."""
        rows = np.arange(len(entries), dtype=np.int64)
        tokenizer = default_tokenizer()
        bm25 = Bm25Index.from_documents([tokenizer.words(e.searchable_text()) for e in entries])
        dense = DenseIndex.build(
            _flat(vectors), vector_ids(rows), len(entries), parameters.flat_max, parameters.nprobe
        )
        return cls(tuple(entries), rows, vectors, bm25, dense, encoder_version, len(entries))

    def upserted(
        self, entries: Sequence[KbEntry], embedder: KbEmbedder, parameters: IndexParameters
    ) -> KbIndex:
        """A new index with ``entries`` added, replacing entries of the same id."""
        self._check_encoder(embedder)
        entries = list({entry.id: entry for entry in entries}.values())
        replaced = [self.position[entry.id] for entry in entries if entry.id in self.position]
        return self._changed(replaced, entries, embed(entries, embedder), parameters)

    def deleted(self, ids: Iterable[str], parameters: IndexParameters) -> KbIndex:
        """A new index without the entries of ``ids``; KeyError names unknown ids."""
        ids = list(dict.fromkeys(ids))
        unknown = [entry_id for entry_id in ids if entry_id not in self.position]
        if unknown:
            raise KeyError(", ".join(unknown))
        return self._changed([self.position[entry_id] for entry_id in ids], [], None, parameters)

    def _changed(
        self,
        removed: Sequence[int],
        added: Sequence[KbEntry],
        added_vectors: np.ndarray | None,
        parameters: IndexParameters,
    ) -> KbIndex:
        keep = np.ones(self.size, dtype=bool)
        keep[list(removed)] = False
        if not keep.any() and not added:
            raise ValueError("the knowledge base would be empty")
        new_rows = np.arange(self.next_row, self.next_row + len(added), dtype=np.int64)
        shape = (0, *self.vectors.shape[1:])
        added_vectors = added_vectors if added_vectors is not None else np.zeros(shape, np.float32)
        entries = tuple(e for e, kept in zip(self.entries, keep, strict=True) if kept) + tuple(
            added
        )
        rows = np.concatenate([self.rows[keep], new_rows])
        vectors = np.concatenate([self.vectors[keep], added_vectors]).astype(np.float32)
        tokenizer = default_tokenizer()
        bm25 = self.bm25.without(list(removed)).appended(
            [tokenizer.words(entry.searchable_text()) for entry in added]
        )
        if choose_kind(len(entries), parameters.flat_max) == self.dense.kind:
            dense = self.dense.changed(
                _flat(added_vectors), vector_ids(new_rows), vector_ids(self.rows[~keep])
            )
        else:
            dense = DenseIndex.build(
                _flat(vectors),
                vector_ids(rows),
                len(entries),
                parameters.flat_max,
                parameters.nprobe,
            )
        next_row = self.next_row + len(added)
        return KbIndex(entries, rows, vectors, bm25, dense, self.encoder_version, next_row)

    def _check_encoder(self, embedder: KbEmbedder) -> None:
        if embedder.version != self.encoder_version:
            raise KbIndexError(
                f"the index was built with encoder {self.encoder_version}, the current one is "
                f"{embedder.version}; run `qa-assist kb build` to rebuild it"
            )

    def manifest(self) -> IndexManifest:
        return IndexManifest(
            format_version=FORMAT_VERSION,
            encoder_version=self.encoder_version,
            entries=self.size,
            dimension=int(self.vectors.shape[-1]),
            dense_kind=self.dense.kind,
            next_row=self.next_row,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    def save(self, folder: Path) -> None:
        with (folder / ENTRIES_FILE).open("w", encoding="utf-8") as handle:
            for entry in self.entries:
                handle.write(json.dumps(entry.to_dict(), ensure_ascii=False) + "\n")
        np.save(folder / VECTORS_FILE, self.vectors)
        np.save(folder / ROWS_FILE, self.rows)
        self.bm25.save(folder)
        self.dense.save(folder)
        # Written last: a generation folder without a manifest was never finished.
        self.manifest().write(folder)

    @classmethod
    def load(cls, folder: Path, encoder_version: str, parameters: IndexParameters) -> KbIndex:
        """The index saved in ``folder``; KbIndexError when it does not fit this encoder."""
        manifest = IndexManifest.read(folder)
        if manifest.encoder_version != encoder_version:
            raise KbIndexError(
                f"the index at {folder.parent} was built with encoder {manifest.encoder_version}, "
                f"the current one is {encoder_version}; run `qa-assist kb build` to rebuild it"
            )
        from .sources import to_entry

        entries = []
        with (folder / ENTRIES_FILE).open(encoding="utf-8") as handle:
            for line in handle:
                entry = to_entry(json.loads(line))
                if isinstance(entry, str):
                    raise KbIndexError(f"the index at {folder.parent} holds a bad entry: {entry}")
                entries.append(entry)
        vectors = np.load(folder / VECTORS_FILE)
        rows = np.load(folder / ROWS_FILE)
        consistent = vectors.shape[1:] == (VECTORS_PER_ENTRY, manifest.dimension)
        if not consistent or not (len(entries) == len(vectors) == len(rows) == manifest.entries):
            raise KbIndexError(
                f"the index at {folder.parent} is inconsistent; run `qa-assist kb build`"
            )
        dense = DenseIndex.load(folder, manifest.dense_kind, parameters.nprobe)  # type: ignore[arg-type]
        return cls(
            tuple(entries),
            rows,
            vectors,
            Bm25Index.load(folder),
            dense,
            manifest.encoder_version,
            manifest.next_row,
        )
