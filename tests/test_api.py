"""The HTTP service, run as a real uvicorn server on loopback, over a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from qa_assist.processing import CallProcessor
from qa_assist.settings import Settings
from qa_assist.storage import CallStore, open_database


@pytest.fixture(scope="module")
def recording(stereo_call_of) -> Path:
    return stereo_call_of("test_api")


@pytest.fixture(scope="module")
def scored_call_id(settings: Settings, registry, recording: Path) -> int:
    store = CallStore(open_database(settings.resolved_database_url))
    processed = CallProcessor(settings, registry, store).process(recording, scenario="fault")
    return processed.call_id


@pytest.mark.slow
def test_a_scored_call_is_served_with_transcript_and_evidence(api, scored_call_id) -> None:
    response = api.get(f"/api/v1/calls/{scored_call_id}")
    assert response.status_code == 200
    call = response.json()
    assert call["id"] == scored_call_id and call["scenario"] == "fault"
    assert {s["speaker"] for s in call["transcript"]["segments"]} == {"agent", "customer"}
    assert call["score"]["rubric_id"] == "fault"  # the scenario's rubric
    items = {item["item_id"]: item for item in call["score"]["items"]}
    # Real speech of a coffee shop and a museum: no greeting, no closing was said.
    assert items["greeting"]["verdict"] == "fail"
    assert items["empathy"]["verdict"] == "not_applicable"  # no LLM endpoint configured
    listing = api.get("/api/v1/calls").json()
    assert listing["count"] >= 1 and any(c["id"] == scored_call_id for c in listing["data"])


@pytest.mark.slow
def test_processing_the_same_recording_again_stores_nothing_twice(
    settings: Settings, registry, recording: Path, scored_call_id
) -> None:
    store = CallStore(open_database(settings.resolved_database_url))
    again = CallProcessor(settings, registry, store).process(recording, scenario="fault")
    assert again.call_id == scored_call_id and again.new is False and again.score is None


def test_bad_requests_get_a_reason(api, server) -> None:
    missing = api.get("/api/v1/calls/999999")
    assert missing.status_code == 404 and "999999" in missing.json()["detail"]
    wrong_type = api.get("/api/v1/calls/abc")
    assert wrong_type.status_code == 422
    assert httpx.get(f"{server}/health").json() == {"status": "ok"}
