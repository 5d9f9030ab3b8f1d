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


def unique_codes(kb: KnowledgeBase, field: str) -> list[tuple[str, str]]:
    """(code, entry id) for the trouble codes (``dtcs``) or part numbers (``parts``) of the
    entries that are one code token found in exactly one entry's words."""
    from qa_assist.kb.tokenize import default_tokenizer, is_code

    index = kb.index()
    found = []
    for entry in index.entries:
        for value in entry.metadata.get(field) or []:
            code = value.get("number") if isinstance(value, dict) else value
            words = default_tokenizer().words(code or "")
            if len(words) >= 1 and is_code(words[0]) and index.bm25.matches(words[:1]).sum() == 1:
                found.append((code, entry.id))
    return sorted(set(found))
