"""The job queue on real SQLite files and PostgreSQL databases: exclusive claims, abandoned jobs claimed again and given
up, unreadable recordings failed at once; the worker with real Whisper; and the real service
killed with SIGKILL in the middle of a job, then started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from qa_assist.auth import UserStore
from qa_assist.jobs import JobStore, JobWorker, NewJob, save_upload
from qa_assist.models import ModelRegistry
from qa_assist.processing import CallProcessor
from qa_assist.settings import Settings
from qa_assist.storage import CallStore, NewCall, open_database
from qa_assist.storage.tables import CallRow, ScoreRow

from .conftest import _free_port, bearer


def _jobs(database_url: str, stale_seconds: float = 60, max_attempts: int = 3) -> JobStore:
    return JobStore(open_database(database_url), stale_seconds, max_attempts)


def test_two_claimers_never_take_the_same_job(database_url: str) -> None:
    # Two engines on one database, as two service processes have.
    first, second = _jobs(database_url), _jobs(database_url)
    for _ in range(10):
        job = first.enqueue(NewJob("one.wav", "/nowhere/one.wav"))
        start = threading.Barrier(2)
        won: dict[str, int | None] = {}

        def claim(
            store: JobStore, name: str, start: threading.Barrier, won: dict[str, int | None]
        ) -> None:
            start.wait()
            claimed = store.claim(name)
            won[name] = claimed.id if claimed else None

        threads = [
            threading.Thread(target=claim, args=(store, name, start, won))
            for store, name in ((first, "a"), (second, "b"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(won.values(), key=str) == [job.id, None], won

    for n in range(40):
        first.enqueue(NewJob(f"{n}.wav", f"/nowhere/{n}.wav"))
    taken: dict[str, list[int]] = {"a": [], "b": []}

    def drain(store: JobStore, name: str) -> None:
        while (claimed := store.claim(name)) is not None:
            taken[name].append(claimed.id)

    threads = [
        threading.Thread(target=drain, args=(s, n)) for s, n in ((first, "a"), (second, "b"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = taken["a"] + taken["b"]
    assert len(every) == len(set(every)) == 40
    assert first.counts().running == 50 and first.counts().queued == 0


def test_an_abandoned_job_is_claimed_again_then_given_up(database_url: str) -> None:
    jobs = _jobs(database_url, stale_seconds=0.5, max_attempts=2)
    job = jobs.enqueue(NewJob("a.wav", "/nowhere/a.wav"))
    assert jobs.claim("dead-worker").id == job.id
    assert jobs.claim("live-worker") is None  # running and fresh: not another's
    time.sleep(0.7)  # the first worker never beats: its process died
    again = jobs.claim("live-worker")
    assert again is not None and again.id == job.id and again.attempts == 2
    # The dead worker's late writes do not count: the job is the live worker's now.
    assert not jobs.heartbeat(job.id, "dead-worker")
    assert not jobs.fail(job.id, "dead-worker", "too late")
    assert jobs.get(job.id).claimed_by == "live-worker"
    time.sleep(0.7)  # and that worker dies too
    assert jobs.claim("third-worker") is None
    (given_up,) = jobs.give_up_abandoned()
    assert given_up.id == job.id and given_up.status == "failed"
    assert "given up after 2 attempts" in given_up.error
    assert jobs.counts().failed == 1


def test_heartbeats_keep_a_slow_job_and_finishing_records_the_call(database_url: str) -> None:
    jobs = _jobs(database_url, stale_seconds=0.6)
    other = _jobs(database_url, stale_seconds=0.6)
    call_id, _ = CallStore(jobs.sessions).add_call(NewCall("hash", "a.wav", "/kept/a.wav"))
    job = jobs.enqueue(NewJob("a.wav", "/nowhere/a.wav"))
    assert jobs.claim("slow-worker").id == job.id
    for _ in range(8):  # 1.6 s, well past the stale limit, beating every 0.2 s
        time.sleep(0.2)
        assert jobs.heartbeat(job.id, "slow-worker")
        assert other.claim("eager-worker") is None
    assert jobs.finish(job.id, "slow-worker", call_id, 1.6)
    done = jobs.get(job.id)
    assert done.status == "done" and done.call_id == call_id and done.seconds == 1.6
    assert done.finished_at is not None and done.claimed_by is None


def test_a_broken_attempt_is_retried_until_the_limit_and_release_does_not_count(
    database_url: str,
) -> None:
    jobs = _jobs(database_url, max_attempts=2)
    job = jobs.enqueue(NewJob("a.wav", "/nowhere/a.wav"))
    jobs.claim("w")
    assert jobs.release(job.id, "w")  # the service stopped: back in the queue, uncounted
    assert (jobs.get(job.id).status, jobs.get(job.id).attempts) == ("queued", 0)
    jobs.claim("w")
    assert jobs.retry(job.id, "w", "ModelError: no model")
    assert (jobs.get(job.id).status, jobs.get(job.id).attempts) == ("queued", 1)
    jobs.claim("w")
    assert jobs.retry(job.id, "w", "ModelError: no model")
    failed = jobs.get(job.id)
    assert failed.status == "failed" and failed.error == "ModelError: no model"
    listed, count = jobs.list_jobs("failed")
    assert count == 1 and listed[0].id == job.id


def _local(settings: Settings, data_dir: Path) -> Settings:
    """The session's settings (models) over a scratch data folder and database of its own."""
    return settings.model_copy(update={"data_dir": data_dir, "database_url": None})


def test_an_unreadable_recording_fails_at_once(
    tmp_path: Path, settings: Settings, registry: ModelRegistry
) -> None:
    local = _local(settings, tmp_path)
    store = CallStore(open_database(local.resolved_database_url))
    jobs = JobStore(store.sessions, 60, 3)
    with (tmp_path / "garbage.bin").open("wb+") as garbage:
        garbage.write(b"this is not audio at all" * 100)
        garbage.seek(0)
        upload = save_upload(garbage, "broken.wav", local.upload_dir, 10**6)
    job = jobs.enqueue(NewJob(upload.file_name, str(upload.path), upload.content_hash))
    worker = JobWorker(local, jobs, registry, store)
    assert worker.run_once()
    failed = jobs.get(job.id)
    assert failed.status == "failed" and failed.attempts == 1
    assert "not a readable audio file" in failed.error, failed.error
    assert not any(local.upload_dir.iterdir())
    assert not worker.run_once()  # nothing left: an audio error is not tried again


@pytest.mark.slow
def test_a_job_picked_up_again_after_its_worker_died_scores_the_call_once(
    tmp_path: Path, settings: Settings, registry: ModelRegistry, stereo_call: Path
) -> None:
    local = _local(settings, tmp_path)
    store = CallStore(open_database(local.resolved_database_url))
    jobs = JobStore(store.sessions, stale_seconds=0.5, max_attempts=3)
    with stereo_call.open("rb") as audio:
        upload = save_upload(audio, "call.wav", local.upload_dir, 10**8)
    job = jobs.enqueue(NewJob(upload.file_name, str(upload.path), upload.content_hash))
    # A worker claims it, stores and scores the call, and dies before saying it is done.
    assert jobs.claim("dying-worker").id == job.id
    first = CallProcessor(local, registry, store).process(upload.path, "fault")
    assert first.score is not None
    time.sleep(0.7)

    timings: list[float] = []
    worker = JobWorker(local, jobs, registry, store, on_done=timings.append)
    worker.start()
    try:
        deadline = time.monotonic() + 300
        while jobs.get(job.id).status != "done":
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        worker.stop()
    done = jobs.get(job.id)
    assert done.call_id == first.call_id and done.attempts == 2 and len(timings) == 1
    with store.sessions() as session:
        scores = session.scalar(
            select(func.count(ScoreRow.id)).where(ScoreRow.call_id == done.call_id)
        )
    assert scores == 1
    assert not any(local.upload_dir.iterdir())


def _serve(data_dir: Path, port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "QA_ASSIST_DATA_DIR": str(data_dir),
        "QA_ASSIST_PORT": str(port),
        "QA_ASSIST_WORKER_POLL_SECONDS": "0.2",
        "QA_ASSIST_WORKER_HEARTBEAT_SECONDS": "1",
        "QA_ASSIST_JOB_STALE_SECONDS": "4",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "qa_assist", "serve"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


@pytest.mark.slow
def test_a_job_survives_kill_9_of_the_service(tmp_path: Path, stereo_call: Path) -> None:
    data_dir = tmp_path / "data"
    database = f"sqlite:///{data_dir / 'qa_assist.db'}"
    users = UserStore(open_database(database))
    users.create("uploader", "qa")
    # Generous timeouts: the service answers while its worker transcribes on both cores.
    http = httpx.Client(headers=bearer(users.issue_token("uploader", "crash test")), timeout=60)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    log = tmp_path / "serve.log"

    first = _serve(data_dir, port, log)
    try:
        with stereo_call.open("rb") as audio:
            response = http.post(
                f"{base}/calls",
                files=[("files", ("crash.wav", audio, "audio/wav"))],
                data={"scenario": "rescue"},
            )
        assert response.status_code == 202, response.text
        job_id = response.json()["data"][0]["id"]
        deadline = time.monotonic() + 60
        while http.get(f"{base}/jobs/{job_id}").json()["status"] != "running":
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.kill()
        first.wait()

    jobs = JobStore(open_database(database), 4, 3)
    left = jobs.get(job_id)
    assert left.status == "running" and left.attempts == 1  # nobody said it ended

    second = _serve(data_dir, port, log)
    try:
        deadline = time.monotonic() + 600
        while (job := http.get(f"{base}/jobs/{job_id}").json())["status"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        assert job["status"] == "done", job["error"]
        assert job["attempts"] == 2
        call = http.get(f"{base}/calls/{job['call_id']}").json()
        assert call["file_name"] == "crash.wav" and call["score"]["rubric_id"] == "rescue"
    finally:
        http.close()
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    with jobs.sessions() as session:
        assert session.scalar(select(func.count(CallRow.id))) == 1
        assert session.scalar(select(func.count(ScoreRow.id))) == 1
    assert not any((data_dir / "uploads").iterdir())
