"""Helpers of the knowledge-base tests (the seed index itself is built once per session by
``qa_assist.kb.seed_knowledge_base``, into the session's data folder, where the API server
fixture looks for it)."""

from __future__ import annotations

from qa_assist.kb import KnowledgeBase


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
