"""One ``KnowledgeBase`` per registry and index folder, so the API, the CLI and the batch share
the loaded index and encoder. Nothing is read until the first search."""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from .embedder import E5KbEmbedder
from .search import KnowledgeBase

if TYPE_CHECKING:
    from ..models import ModelRegistry

_open: weakref.WeakKeyDictionary[ModelRegistry, dict[Path, KnowledgeBase]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def knowledge_base(registry: ModelRegistry, root: Path | None = None) -> KnowledgeBase:
    """The knowledge base at ``root`` (default: the settings' index folder) over the
    registry's e5 encoder."""
    root = Path(root or registry.settings.resolved_kb_index_dir).resolve()
    with _lock:
        bases = _open.setdefault(registry, {})
        if root not in bases:
            bases[root] = KnowledgeBase(root, E5KbEmbedder(registry), registry.settings)
        return bases[root]
