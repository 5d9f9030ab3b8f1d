"""Knowledge base: standard answers (标准话术) and repair cases (维修案例), searched by e5 in
FAISS and BM25 over jieba words, fused by reciprocal rank; suggestions for tickets and calls.

Nothing heavy loads on import: FAISS, jieba and the encoder load on first use.
"""

from .embedder import E5KbEmbedder, KbEmbedder
from .index import IndexParameters, KbIndex
from .loader import SEED_DIR, SEED_SOURCES, knowledge_base, seed_knowledge_base
from .search import Filters, KnowledgeBase, Preference, UpsertResult
from .sources import KbSourceError, read_source, read_sources, to_entry
from .store import FORMAT_VERSION, KbIndexError, KbIndexMissing
from .suggest import PlainTurn, Suggester
from .types import (
    COLLECTIONS,
    SEARCH_MODES,
    IngestProblem,
    IngestResult,
    KbEntry,
    SearchHit,
    Span,
    Suggestions,
    TriageHint,
)

__all__ = [
    "COLLECTIONS",
    "FORMAT_VERSION",
    "SEARCH_MODES",
    "SEED_DIR",
    "SEED_SOURCES",
    "E5KbEmbedder",
    "Filters",
    "IndexParameters",
    "IngestProblem",
    "IngestResult",
    "KbEmbedder",
    "KbEntry",
    "KbIndex",
    "KbIndexError",
    "KbIndexMissing",
    "KbSourceError",
    "KnowledgeBase",
    "PlainTurn",
    "Preference",
    "SearchHit",
    "Span",
    "Suggester",
    "Suggestions",
    "TriageHint",
    "UpsertResult",
    "knowledge_base",
    "read_source",
    "read_sources",
    "seed_knowledge_base",
    "to_entry",
]
