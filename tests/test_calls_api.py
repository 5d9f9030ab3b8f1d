"""The calls API on a real uvicorn server over the session's SQLite: uploads through the job
queue to a scored call (real Whisper), refused uploads with their reasons, list filters and
sort, audio with range requests, readiness and metrics."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from qa_assist.api import create_app
from qa_assist.score import CallScore
from qa_assist.settings import Settings
from qa_assist.storage import CallMetadata, CallQuery, CallStore, NewCall, open_database

from .conftest import AISHELL_CLIPS, TEST_AGENT_ID, client_as, serving

#: Small limits, so that the refusals can be reached with small files.
MAX_BYTES = 1_500_000
MAX_FILES = 3


@pytest.fixture(scope="module")
def app(settings: Settings) -> FastAPI:
    limited = settings.model_copy(
        update={"upload_max_bytes": MAX_BYTES, "upload_max_files": MAX_FILES}
    )
    return create_app(limited)


@pytest.fixture(scope="module")
def server(app: FastAPI) -> Iterator[str]:
    """The service with small upload limits (replaces the shared fixture of the same name)."""
    with serving(app) as url:
        yield url


def wait_for_job(api: httpx.Client, job_id: int, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}"
        time.sleep(0.5)


@pytest.mark.slow
def test_an_uploaded_recording_is_queued_processed_and_scored(
    api: httpx.Client, stereo_call_of, settings: Settings
) -> None:
    with stereo_call_of("test_calls_api").open("rb") as audio:
        response = api.post(
            "/api/v1/calls",
            files=[("files", ("救援来电.wav", audio, "audio/wav"))],
            data={
                "agent_id": "A-UPLOAD-7",
                "team": "T-UPLOAD",
                "call_time": "2026-12-01T09:30:00+08:00",
                "direction": "inbound",
                "ticket_id": "TK-881",
                "channel_layout": "agent_left",
                "scenario": "rescue",
            },
        )
    assert response.status_code == 202, response.text
    (created,) = response.json()["data"]
    assert created["status"] == "queued" and created["file_name"] == "救援来电.wav"
    assert created["submitted_by"] == "test-admin"

    job = wait_for_job(api, created["id"])
    assert job["status"] == "done", job["error"]
    assert job["seconds"] > 0 and job["attempts"] == 1 and job["error"] == ""
    call = api.get(f"/api/v1/calls/{job['call_id']}").json()
    assert call["score"]["rubric_id"] == "rescue"  # the upload's scenario
    assert {s["speaker"] for s in call["transcript"]["segments"]} == {"agent", "customer"}
    assert call["agent_id"] == "A-UPLOAD-7" and call["ticket_id"] == "TK-881"
    assert datetime.fromisoformat(call["call_time"]) == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    assert not any(settings.upload_dir.iterdir())  # the upload is gone once processed

    listed = api.get("/api/v1/calls", params={"team": "T-UPLOAD"}).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == call["id"]

    metrics = api.get("/metrics").text
    assert "qa_assist_job_processing_seconds_count 1.0" in metrics
    assert 'qa_assist_jobs{status="done"}' in metrics


def _post(api: httpx.Client, files: list, **data: str) -> httpx.Response:
    return api.post("/api/v1/calls", files=files, data=data)


def _wav(name: str, content: bytes = b"RIFF....WAVEfmt ") -> tuple:
    return ("files", (name, content, "audio/wav"))


def test_bad_uploads_are_refused_with_the_reason(
    api: httpx.Client, server: str, accounts: dict[str, str], settings: Settings
) -> None:
    cases = [
        ((), {}, 400, "no file"),
        ([_wav("empty.wav", b"")], {}, 400, "empty.wav: the file is empty"),
        ([_wav("notes.txt")], {}, 415, "notes.txt: not an audio file name"),
        ([_wav("big.wav", b"\0" * (MAX_BYTES + 1))], {}, 413, "big.wav"),
        ([_wav(f"c{n}.wav") for n in range(MAX_FILES + 1)], {}, 400, f"at most {MAX_FILES}"),
        ([_wav("a.wav")], {"scenario": "weather"}, 422, "scenario must be one of"),
        ([_wav("a.wav")], {"rubric": "no-such-rubric"}, 422, "unknown rubric 'no-such-rubric'"),
        ([_wav("a.wav")], {"rubric": "/etc/passwd.yaml"}, 422, "not a path"),
        ([_wav("a.wav")], {"call_time": "yesterday"}, 422, "not an ISO 8601 time"),
        ([_wav("a.wav")], {"direction": "sideways"}, 422, "direction must be one of"),
        ([_wav("a.wav")], {"channel_layout": "both"}, 422, "channel_layout must be one of"),
    ]
    jobs_before = api.get("/api/v1/jobs").json()["count"]
    for files, data, status, reason in cases:
        response = _post(api, list(files), **data)
        assert response.status_code == status, (reason, response.text)
        assert reason in response.json()["detail"], response.text
    # Nothing refused was queued or left on disk.
    assert api.get("/api/v1/jobs").json()["count"] == jobs_before
    assert not settings.upload_dir.exists() or not any(settings.upload_dir.iterdir())

    # A body over every limit together is refused before it is read.
    huge = httpx.post(
        f"{server}/api/v1/calls",
        content=b"\0" * (MAX_BYTES * MAX_FILES + 2 * 1024 * 1024),
        headers={**api.headers, "content-type": "multipart/form-data; boundary=x"},
    )
    assert huge.status_code == 413 and "over the limit" in huge.json()["detail"]

    anonymous = httpx.post(f"{server}/api/v1/calls", files=[_wav("a.wav")])
    assert anonymous.status_code == 401
    with client_as(server, accounts["agent"]) as agent:
        refused = agent.post("/api/v1/calls", files=[_wav("a.wav")])
        assert refused.status_code == 403 and "calls:upload" in refused.json()["detail"]
        assert agent.get("/api/v1/jobs").status_code == 403
    assert api.get("/api/v1/jobs/999999").status_code == 404


def _score(total: float, fatal: bool = False, needs_review: bool = False) -> CallScore:
    return CallScore(
        rubric_id="general",
        rubric_version="test-1",
        scenario="general",
        total=total,
        max_total=100.0,
        fatal_failure=fatal,
        items=(),
        coaching=(),
        confidence=0.4 if needs_review else 0.9,
        needs_review=needs_review,
        model_versions={"asr": "test"},
    )


@pytest.fixture(scope="module")
def listed_calls(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """Five calls of team T-LIST, stored as the worker stores them; name -> id."""
    store = CallStore(open_database(settings.resolved_database_url))
    audio = tmp_path_factory.mktemp("kept") / "kept.wav"
    shutil.copyfile(AISHELL_CLIPS / "BAC009S0150W0003.wav", audio)
    day = datetime(2026, 11, 20, 9, tzinfo=UTC)
    rows = {
        # name: (agent, call time, duration, score)
        "early": ("A-L1", day, 60.0, _score(92.0)),
        "fatal": ("A-L1", day + timedelta(days=1), 120.0, _score(0.0, fatal=True)),
        "review": ("A-L2", day + timedelta(days=2), 30.0, _score(75.5, needs_review=True)),
        "mine": (TEST_AGENT_ID, day + timedelta(days=3), 90.0, _score(64.0)),
        "unscored": ("A-L2", None, None, None),
    }
    ids = {}
    for name, (agent, when, duration, score) in rows.items():
        call_id, _ = store.add_call(
            NewCall(
                f"list-{name}",
                f"{name}.wav",
                str(audio),
                metadata=CallMetadata(agent_id=agent, team="T-LIST", call_time=when),
            )
        )
        if score is not None:
            store.save_score(call_id, score, "test")
        ids[name] = call_id
        if duration is not None:
            with store.sessions.begin() as session:
                from qa_assist.storage.tables import CallRow

                session.get_one(CallRow, call_id).duration = duration
    return ids


def _names(api: httpx.Client, listed: dict[str, int], **params: object) -> list[str]:
    body = api.get("/api/v1/calls", params={"team": "T-LIST", **params}).json()
    by_id = {call_id: name for name, call_id in listed.items()}
    assert all("transcript" not in call for call in body["data"])  # the list stays light
    return [by_id[call["id"]] for call in body["data"]]


def test_calls_are_listed_by_filters_and_sort(
    api: httpx.Client, listed_calls: dict[str, int]
) -> None:
    listed = listed_calls
    # Newest call time first; a call with no time counts by when it was stored (now).
    assert _names(api, listed) == ["unscored", "mine", "review", "fatal", "early"]
    assert _names(api, listed, sort="call_time", order="asc")[0] == "early"
    assert _names(api, listed, sort="score", order="desc") == [
        "early",
        "review",
        "mine",
        "fatal",
        "unscored",
    ]
    assert _names(api, listed, sort="duration", order="asc")[:4] == [
        "review",
        "early",
        "mine",
        "fatal",
    ]
    assert _names(api, listed, agent_id="A-L1") == ["fatal", "early"]
    assert _names(api, listed, min_score=60, max_score=80) == ["mine", "review"]
    assert _names(api, listed, fatal=True) == ["fatal"]
    assert _names(api, listed, needs_review=True) == ["review"]
    assert _names(api, listed, needs_review=False) == ["mine", "fatal", "early"]
    # Dates: a day from its start, to its end.
    assert _names(api, listed, date_from="2026-11-21", date_to="2026-11-22") == ["review", "fatal"]
    assert _names(api, listed, date_to="2026-11-20T09:00:00+00:00") == []
    assert _names(api, listed, date_to="2026-11-20T17:00:01+08:00") == ["early"]
    # Paging: count is every match, data one page.
    page = api.get(
        "/api/v1/calls", params={"team": "T-LIST", "limit": 2, "offset": 1, "order": "asc"}
    ).json()
    assert page["count"] == 5 and len(page["data"]) == 2
    summary = page["data"][0]
    assert summary["score"]["total"] == 0.0 and summary["score"]["fatal_failure"] is True
    bad = api.get("/api/v1/calls", params={"sort": "colour"})
    assert bad.status_code == 422


def test_call_query_means_the_same_on_both_dialects(database_url: str) -> None:
    store = CallStore(open_database(database_url))
    day = datetime(2026, 11, 20, 9, tzinfo=UTC)
    for n, (total, review) in enumerate([(80.0, False), (55.0, True), (None, False)]):
        call_id, _ = store.add_call(
            NewCall(
                f"d{n}",
                f"{n}.wav",
                "/kept",
                metadata=CallMetadata(team="T", call_time=day + timedelta(days=n)),
            )
        )
        if total is not None:
            store.save_score(call_id, _score(total - 10), "test")  # superseded by the next
            store.save_score(
                call_id, replace(_score(total, needs_review=review), rubric_version="2"), "test"
            )

    def files(**query: object) -> list[str]:
        calls, _ = store.list_calls(CallQuery(**query))
        return [call.file_name for call in calls]

    assert files(sort="score", order="asc") == ["1.wav", "0.wav", "2.wav"]  # unscored last
    assert files(min_score=60) == ["0.wav"]  # the newest score counts, not the first
    assert files(needs_review=True) == ["1.wav"] and files(needs_review=False) == ["0.wav"]
    assert files(date_from=date(2026, 11, 21), date_to=date(2026, 11, 21)) == ["1.wav"]
    calls, count = store.list_calls(CallQuery(limit=1, order="asc"))
    assert count == 3 and calls[0].score is not None and calls[0].score.rubric_version == "2"


def test_an_agent_sees_only_their_own_calls(
    server: str, accounts: dict[str, str], listed_calls: dict[str, int]
) -> None:
    with client_as(server, accounts["agent"]) as agent:
        body = agent.get("/api/v1/calls", params={"team": "T-LIST", "agent_id": "A-L1"}).json()
        assert [call["id"] for call in body["data"]] == [listed_calls["mine"]]
        assert agent.get(f"/api/v1/calls/{listed_calls['mine']}").status_code == 200
        other = agent.get(f"/api/v1/calls/{listed_calls['early']}")
        assert other.status_code == 404 and "no call" in other.json()["detail"]
        assert agent.get(f"/api/v1/calls/{listed_calls['early']}/audio").status_code == 404
        assert agent.get(f"/api/v1/calls/{listed_calls['mine']}/audio").status_code == 200
    with client_as(server, accounts["viewer"]) as viewer:
        assert viewer.get("/api/v1/calls").status_code == 403


def test_audio_is_streamed_with_range_requests(
    api: httpx.Client, listed_calls: dict[str, int]
) -> None:
    original = (AISHELL_CLIPS / "BAC009S0150W0003.wav").read_bytes()
    url = f"/api/v1/calls/{listed_calls['early']}/audio"
    whole = api.get(url)
    assert whole.status_code == 200 and whole.content == original
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"].startswith("audio/")
    part = api.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == original[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(original)}"
    tail = api.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == original[-500:]
    beyond = api.get(url, headers={"Range": f"bytes={len(original) + 10}-"})
    assert beyond.status_code == 416
    assert api.get("/api/v1/calls/999999/audio").status_code == 404


def test_readiness_follows_the_worker_and_metrics_read_the_database(
    app: FastAPI, server: str
) -> None:
    ready = httpx.get(f"{server}/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "problems": []}
    app.state.worker.stop()
    try:
        down = httpx.get(f"{server}/ready")
        assert down.status_code == 503
        assert down.json()["problems"] == ["the job worker is not running"]
    finally:
        app.state.worker.start()
    assert httpx.get(f"{server}/ready").status_code == 200

    metrics = httpx.get(f"{server}/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    lines = dict(
        line.rsplit(" ", 1) for line in metrics.text.splitlines() if not line.startswith("#")
    )
    assert {
        f'qa_assist_jobs{{status="{s}"}}' for s in ("queued", "running", "done", "failed")
    } <= set(lines)
    assert float(lines["qa_assist_calls_stored"]) >= 5
    assert "qa_assist_jobs_failed_total" in lines
    assert 'qa_assist_job_processing_seconds_bucket{le="60.0"}' in lines
