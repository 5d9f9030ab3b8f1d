"""Retrieval on the real seed index with the real e5 encoder: exact codes through BM25, the
evaluation target, filters, and suggestions for tickets and calls."""

from __future__ import annotations

from collections import Counter

import pytest

from qa_assist.kb import Filters, KnowledgeBase, PlainTurn, Suggester, seed_knowledge_base
from qa_assist.kb.evaluation import default_queries, evaluate, read_queries
from qa_assist.kb.vehicles import vehicle_key
from qa_assist.models import ModelRegistry

from .kb_support import unique_codes

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kb(registry: ModelRegistry) -> KnowledgeBase:
    return seed_knowledge_base(registry)


def test_a_trouble_code_alone_finds_its_case_first(kb: KnowledgeBase) -> None:
    codes = unique_codes(kb, "dtcs")
    assert len(codes) >= 20
    for code, case_id in codes[::7]:
        assert kb.search(code, 3, mode="bm25")[0].id == case_id, code
        hybrid = kb.search(code, 3)
        assert hybrid[0].id == case_id, code
        if code in hybrid[0].text:
            assert code in [hybrid[0].text[s.start : s.end] for s in hybrid[0].highlights]


def test_a_part_number_finds_its_case(kb: KnowledgeBase) -> None:
    numbers = unique_codes(kb, "parts")
    assert numbers
    for number, case_id in numbers[::9]:
        assert kb.search(f"件号{number}", 5, mode="bm25")[0].id == case_id, number


@pytest.fixture(scope="module")
def queries():
    loaded, problems = read_queries(default_queries())
    assert problems == []
    return loaded


def test_evaluation_set_is_large_and_varied(queries) -> None:
    assert len(queries) >= 150
    kinds = Counter(query.kind for query in queries)
    assert len(kinds) >= 4, kinds


def test_hybrid_recall_at_5_reaches_the_target(kb: KnowledgeBase, queries) -> None:
    known = set(kb.index().position)
    assert all(set(query.relevant) <= known for query in queries)
    report = evaluate(kb, queries, modes=("hybrid",))
    assert report.metrics("hybrid").recall_at_5 >= 0.90, report.misses


def test_filters_on_the_seed(kb: KnowledgeBase) -> None:
    hits = kb.search("充电充不进去", 20, Filters(vehicle_model="特斯拉ModelY"))
    assert hits
    for hit in hits:
        models = hit.metadata.get("vehicle_models") or [hit.metadata.get("vehicle_model")]
        if hit.collection == "answer" and not hit.metadata.get("vehicle_models"):
            continue  # for every model
        assert "modely" in {vehicle_key(m) for m in models if m}
    cases = kb.search("刹车异响", 10, Filters(collection="case", category="brakes"))
    assert cases and all(h.metadata["subsystem"] == "brakes" for h in cases)


def test_a_ticket_gets_its_triage_type_as_a_hint(
    kb: KnowledgeBase, registry: ModelRegistry, triage_build
) -> None:
    suggester = Suggester(kb, registry.settings, registry.triage_classifier)
    result = suggester.for_ticket("车在高速上突然没电趴窝了，开不动，人还在车上，快派拖车", 5)
    assert result.hint is not None and result.hint.type == "rescue"
    assert 0 < result.hint.confidence <= 1
    assert result.hits[0].collection == "answer"
    assert result.hits[0].metadata["scenario"] == "rescue"
    assert result.hits[0].passage_html


def _answers_of(kb: KnowledgeBase, category: str):
    return [e for e in kb.index().entries if e.metadata.get("category") == category]


def test_a_call_weighs_the_customers_turns(kb: KnowledgeBase, registry: ModelRegistry) -> None:
    suggester = Suggester(kb, registry.settings)
    rescue = _answers_of(kb, "rescue_safety")[0]
    billing = _answers_of(kb, "billing")[0]
    rescue_words, billing_words = (
        rescue.metadata["question_patterns"],
        billing.metadata["question_patterns"],
    )

    def call(customer: list[str], agent: list[str]) -> list[PlainTurn]:
        turns = []
        for mine, theirs in zip(customer, agent, strict=False):
            turns += [PlainTurn("customer", mine), PlainTurn("agent", theirs)]
        return turns

    first = suggester.for_transcript(call(rescue_words, billing_words), 5)
    swapped = suggester.for_transcript(call(billing_words, rescue_words), 5)
    assert first.hits[0].id == rescue.id
    assert swapped.hits[0].id == billing.id
    assert first.query.startswith(rescue_words[0])


def test_a_live_call_follows_its_latest_turns(kb: KnowledgeBase, registry: ModelRegistry) -> None:
    suggester = Suggester(kb, registry.settings)
    early = _answers_of(kb, "billing")[0].metadata["question_patterns"]
    late = _answers_of(kb, "rescue_safety")[0]
    turns = [PlainTurn("customer", text) for text in early * 3]
    latest = late.metadata["question_patterns"] * registry.settings.kb_live_turns
    turns += [PlainTurn("customer", text) for text in latest[: registry.settings.kb_live_turns]]
    assert len(turns) > registry.settings.kb_live_turns
    live = suggester.for_partial(turns, 3)
    assert live.kind == "partial" and live.hits[0].id == late.id
    text = "。".join(t.text for t in turns)
    assert suggester.for_partial(text, 3).hits[0].id == late.id
