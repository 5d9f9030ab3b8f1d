"""One ``KnowledgeBase`` per registry and index folder, so the API, the CLI and the batch share
the loaded index and encoder. Nothing is read until the first search."""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from .embedder import E5KbEmbedder
from .search import KnowledgeBase
from .sources import read_sources
from .store import live_name

if TYPE_CHECKING:
    from ..models import ModelRegistry

_open: weakref.WeakKeyDictionary[ModelRegistry, dict[Path, KnowledgeBase]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()

#: The shipped seed knowledge base (``qa-assist kb build`` without sources).
SEED_DIR = Path(__file__).with_name("seed")
SEED_SOURCES = (SEED_DIR / "answers.jsonl", SEED_DIR / "cases.jsonl")


def knowledge_base(registry: ModelRegistry, root: Path | None = None) -> KnowledgeBase:
    """The knowledge base at ``root`` (default: the settings' index folder) over the
    registry's e5 encoder."""
    root = Path(root or registry.settings.resolved_kb_index_dir).resolve()
    with _lock:
        bases = _open.setdefault(registry, {})
        if root not in bases:
            bases[root] = KnowledgeBase(root, E5KbEmbedder(registry), registry.settings)
        return bases[root]


def seed_knowledge_base(registry: ModelRegistry) -> KnowledgeBase:
    """The settings' knowledge base, with the shipped seed indexed first if it has no index
    yet: the demo starts agents off with it."""
    base = knowledge_base(registry)
    with _lock:
        if live_name(base.root) is None:
            base.build(read_sources(list(SEED_SOURCES)).entries)
    return base
