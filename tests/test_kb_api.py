"""Knowledge base over HTTP on the real uvicorn server, over the seed index built with e5."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from qa_assist.kb import KnowledgeBase, seed_knowledge_base
from qa_assist.models import ModelRegistry

from .conftest import client_as
from .kb_support import unique_codes

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kb(registry: ModelRegistry) -> KnowledgeBase:
    return seed_knowledge_base(registry)


@pytest.fixture(scope="module")
def api(server: str, kb: KnowledgeBase, accounts: dict[str, str]) -> Iterator[httpx.Client]:
    with client_as(server, accounts["qa"], "/api/v1") as client:
        yield client


def test_search_returns_scored_highlighted_hits(api: httpx.Client, kb: KnowledgeBase) -> None:
    code, case_id = unique_codes(kb, "dtcs")[0]
    response = api.post("/kb/search", json={"query": f"仪表报{code}", "k": 3}, timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 3 and len(body["hits"]) == 3
    first = body["hits"][0]
    assert first["id"] == case_id and first["collection"] == "case"
    assert {
        "title",
        "score",
        "text",
        "passage",
        "passage_html",
        "highlights",
        "metadata",
        "ranks",
    } <= first.keys()
    assert first["metadata"]["dtcs"]
    scores = [hit["score"] for hit in body["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_search_filters(api: httpx.Client) -> None:
    response = api.post(
        "/kb/search",
        json={
            "query": "刹车有异响",
            "k": 5,
            "collection": "case",
            "category": "brakes",
            "mode": "bm25",
            "valid_on": "2026-01-01",
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    hits = response.json()["hits"]
    assert hits and all(
        h["collection"] == "case" and h["metadata"]["subsystem"] == "brakes" for h in hits
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, "query"),
        ({"query": "   "}, "query is blank"),
        ({"query": "x", "k": 0}, "greater than or equal to 1"),
        ({"query": "x", "mode": "magic"}, "hybrid"),
        ({"query": "x", "collection": "faq"}, "answer"),
        ({"query": "x", "colour": "red"}, "Extra inputs"),
        ({"query": "x", "valid_on": "someday"}, "valid date"),
    ],
)
def test_bad_search_bodies_are_422_with_a_reason(
    api: httpx.Client, body: dict, reason: str
) -> None:
    response = api.post("/kb/search", json=body, timeout=30)
    assert response.status_code == 422
    assert reason in response.text


def test_documents_upsert_replace_and_delete(api: httpx.Client) -> None:
    document = {
        "id": "api-test-1",
        "collection": "answer",
        "title": "星环号充电卡挂失",
        "text": "您好，星环号充电卡挂失请在App的钱包页面操作，余额会转入新卡。",
        "category": "charging",
        "vehicle_models": [],
        "owner": "kept",
    }
    created = api.post("/kb/documents", json=document, timeout=120)
    assert created.status_code == 200, created.text
    assert created.json()["added"] == ["api-test-1"] and created.json()["replaced"] == []
    found = api.post("/kb/search", json={"query": "星环号充电卡丢了", "k": 1}, timeout=60)
    hit = found.json()["hits"][0]
    assert hit["id"] == "api-test-1" and hit["metadata"]["owner"] == "kept"

    batch = {
        "documents": [
            {**document, "text": "星环号充电卡挂失后补办需要三个工作日。"},
            {
                "id": "api-test-2",
                "collection": "case",
                "title": "星环号门把手",
                "text": "门把手不弹出，更换电机。",
            },
        ]
    }
    replaced = api.post("/kb/documents", json=batch, timeout=120)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["replaced"] == ["api-test-1"] and replaced.json()["added"] == [
        "api-test-2"
    ]
    count = replaced.json()["count"]

    for entry_id in ("api-test-1", "api-test-2"):
        deleted = api.delete(f"/kb/documents/{entry_id}", timeout=60)
        assert deleted.status_code == 200, deleted.text
    assert deleted.json()["count"] == count - 2
    again = api.delete("/kb/documents/api-test-1", timeout=60)
    assert again.status_code == 404 and "api-test-1" in again.json()["detail"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"id": "x", "collection": "faq", "title": "t", "text": "x"}, "collection"),
        ({"id": "x", "collection": "answer", "title": "t"}, "text"),
        ({"documents": []}, "at least 1"),
        (
            {"id": "x", "collection": "case", "title": "t", "text": "x", "dtcs": 5},
            "dtcs must be a list",
        ),
    ],
)
def test_bad_documents_are_422_and_nothing_is_stored(
    api: httpx.Client, body: dict, reason: str
) -> None:
    response = api.post("/kb/documents", json=body, timeout=30)
    assert response.status_code == 422
    assert reason in response.text
    assert api.delete("/kb/documents/x", timeout=30).status_code == 404


def test_suggest_for_a_ticket_a_call_and_a_live_call(api: httpx.Client, triage_build) -> None:
    ticket = api.post(
        "/suggest",
        json={"ticket": "车在高速上抛锚了，打不着火，需要拖车", "k": 3},
        timeout=120,
    )
    assert ticket.status_code == 200, ticket.text
    body = ticket.json()
    assert body["kind"] == "ticket" and body["hint"]["type"] == "rescue" and len(body["hits"]) == 3

    turns = [
        {"id": 0, "speaker": "agent", "start": 0, "end": 2, "text": "您好，很高兴为您服务"},
        {
            "id": 1,
            "speaker": "customer",
            "start": 2,
            "end": 6,
            "text": "我的车充电桩充不进电，一插枪就跳闸",
        },
    ]
    call = api.post("/suggest", json={"transcript": {"turns": turns, "file": "a.wav"}}, timeout=120)
    assert call.status_code == 200, call.text
    assert call.json()["kind"] == "transcript" and call.json()["hint"] is None
    assert call.json()["query"].startswith("我的车充电桩")

    live = api.post("/suggest", json={"partial": "您好。我的车充电桩充不进电", "k": 2}, timeout=120)
    assert live.status_code == 200 and live.json()["kind"] == "partial"
    assert len(live.json()["hits"]) == 2


@pytest.mark.parametrize(
    "body",
    [{}, {"ticket": "a", "partial": "b"}, {"ticket": "   "}, {"transcript": {"turns": []}}],
)
def test_suggest_needs_exactly_one_source(api: httpx.Client, body: dict) -> None:
    response = api.post("/suggest", json=body, timeout=30)
    assert response.status_code == 422, response.text
    assert "detail" in response.json()


def test_a_missing_index_is_503_with_the_fix(api: httpx.Client, kb: KnowledgeBase) -> None:
    pointer = kb.root / "CURRENT"
    aside = kb.root / "CURRENT.aside"
    pointer.rename(aside)
    try:
        response = api.post("/kb/search", json={"query": "电池质保"}, timeout=30)
        assert response.status_code == 503
        assert "qa-assist kb build" in response.json()["detail"]
        upsert = {"id": "y", "collection": "answer", "title": "t", "text": "x"}
        assert api.post("/kb/documents", json=upsert, timeout=30).status_code == 503
    finally:
        aside.rename(pointer)
    assert api.post("/kb/search", json={"query": "电池质保"}, timeout=60).status_code == 200


def test_openapi_documents_the_routes(server: str) -> None:
    spec = httpx.get(f"{server}/openapi.json", timeout=30).json()
    for path in ("/api/v1/kb/search", "/api/v1/kb/documents", "/api/v1/suggest"):
        assert path in spec["paths"]
    assert "/api/v1/kb/documents/{entry_id}" in spec["paths"]
    schemas = spec["components"]["schemas"]
    assert {"SearchResponse", "SearchHit", "Suggestions", "UpsertResponse"} <= schemas.keys()
