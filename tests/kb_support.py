"""The seed knowledge base built once per test session with the real e5 encoder, into the
session's data folder (where the API server fixture looks for it)."""

from __future__ import annotations

import threading

from qa_assist.kb import SEED_SOURCES, KnowledgeBase, knowledge_base, read_sources
from qa_assist.models import ModelRegistry

_lock = threading.Lock()


def seed_knowledge_base(registry: ModelRegistry) -> KnowledgeBase:
    kb = knowledge_base(registry)
    with _lock:
        if not (kb.root / "CURRENT").exists():
            kb.build(read_sources(list(SEED_SOURCES)).entries)
    return kb
