"""Ticket classification over HTTP, on a real uvicorn server with the trained model."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from .conftest import client_as

pytestmark = pytest.mark.slow

URL = "/api/v1/tickets/classify"


@pytest.fixture(scope="module")
def api(server: str, triage_build, accounts: dict[str, str]) -> Iterator[httpx.Client]:
    # Ticket triage is agent assist: an agent's token is enough.
    with client_as(server, accounts["agent"]) as client:
        yield client


def test_one_ticket(api: httpx.Client) -> None:
    response = api.post(
        URL, json={"text": "车在G4京港澳高速上刹车失灵了，车牌粤B12345"}, timeout=120
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["priority"] == "P0"
    assert result["priority_reasons"][0]["rule_id"] == "brake_failure"
    assert result["entities"]["plates"][0]["value"] == "粤B12345"
    assert {
        "type",
        "subsystem",
        "escalation_risk",
        "confidence",
        "needs_human",
        "type_scores",
    } <= result.keys()


def test_a_batch_keeps_order_and_ids(api: httpx.Client) -> None:
    tickets = [
        {"id": "a", "text": "请问电池质保几年？"},
        {"id": "b", "text": "修了三次还是异响，再不解决我就去12315投诉，还要找媒体曝光"},
        {"text": "空调不制冷了，出风口一直是热风"},
    ]
    response = api.post(URL, json={"tickets": tickets}, timeout=120)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 3 and [item["id"] for item in body["data"]] == ["a", "b", None]
    first, second, third = (item["result"] for item in body["data"])
    assert first["type"] == "consultation"
    assert second["type"] == "complaint" and second["escalation_risk"]["level"] == "high"
    assert third["type"] == "fault" and third["subsystem"] == "hvac"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, "text"),
        ({"text": ""}, "at least 1 character"),
        ({"text": "   "}, "text is blank"),
        ({"tickets": []}, "at least 1 item"),
        ({"tickets": [{"text": "ok"}, {"text": " "}]}, "tickets [1] have blank text"),
        ({"text": "ok", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_gets_a_4xx_with_the_reason(api: httpx.Client, body: dict, reason: str) -> None:
    response = api.post(URL, json=body, timeout=60)
    assert response.status_code == 422
    assert reason in response.text


def test_a_batch_too_large_is_refused(api: httpx.Client) -> None:
    response = api.post(URL, json={"tickets": [{"text": "x"}] * 257}, timeout=60)
    assert response.status_code == 422 and "at most 256" in response.text
