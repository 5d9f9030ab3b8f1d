"""The stores on both dialects (a fresh SQLite file, a fresh PostgreSQL database): calls keyed
by content even when two writers race, transcripts and scores read back whole, one score per
key, call lists filtered and sorted in the database, moments kept with their time zone, and
batch runs. (Reviews: test_review*.py; the job queue: test_jobs.py; migrations:
test_migrations.py — all on the same ``database_url`` fixture.)"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from qa_assist.score import load_rubric, score_transcript
from qa_assist.storage import (
    BatchItem,
    BatchStore,
    CallMetadata,
    CallQuery,
    CallStore,
    NewCall,
    open_database,
)
from qa_assist.storage.tables import CallRow, ScoreRow

from .test_review import scored_examples
from .test_score import call, metrics

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture()
def calls(database_url: str) -> CallStore:
    return CallStore(open_database(database_url))


def _new(name: str, **metadata: object) -> NewCall:
    return NewCall(f"{name:0<64}"[:64], name, f"/audio/{name}", "rescue", CallMetadata(**metadata))


def test_the_same_recording_stored_by_racing_writers_is_one_call(database_url: str) -> None:
    # Separate engines, as separate worker processes have.
    stores = [CallStore(open_database(database_url)) for _ in range(4)]
    start = threading.Barrier(len(stores))
    results: list[tuple[int, bool]] = []

    def add(store: CallStore) -> None:
        start.wait()
        results.append(store.add_call(_new("same.wav")))

    threads = [threading.Thread(target=add, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({call_id for call_id, _ in results}) == 1
    assert sorted(new for _, new in results) == [False, False, False, True]
    with stores[0].sessions() as session:
        assert session.scalar(select(func.count(CallRow.id))) == 1


def test_transcript_score_and_metadata_read_back_whole(calls: CallStore) -> None:
    (_, transcript, agent, score), _ = scored_examples()
    called = datetime(2026, 11, 20, 9, 15, tzinfo=BEIJING)
    call_id, new = calls.add_call(_new("a.wav", agent_id=agent, call_time=called))
    assert new
    calls.complete_metadata(call_id, CallMetadata(agent_id="someone else", team="救援一组"))
    calls.save_transcript(call_id, transcript)
    assert calls.save_score(call_id, score, "whisper-test")
    record = calls.get_call(call_id)
    assert record.transcript == transcript and record.score == score
    assert (record.agent_id, record.team, record.duration) == (
        agent,
        "救援一组",
        transcript.duration,
    )
    # The same moment, whichever dialect: SQLite's text used to drop the +08:00.
    assert record.call_time == called and record.call_time.tzinfo is not None
    assert record.created_at.tzinfo is not None
    assert calls.find_by_hash(_new("a.wav").content_hash).id == call_id


def test_a_score_is_stored_once_per_rubric_and_model_versions(calls: CallStore) -> None:
    (_, transcript, _, score), _ = scored_examples()
    call_id, _ = calls.add_call(_new("a.wav"))
    calls.save_transcript(call_id, transcript)
    assert calls.save_score(call_id, score, "whisper-test")
    assert not calls.save_score(call_id, score, "whisper-test")  # the unique key refuses it
    assert calls.has_score(call_id, score.rubric_id, score.rubric_version, score.model_versions)
    assert not calls.has_score(call_id, score.rubric_id, score.rubric_version, {"asr": "other"})
    with calls.sessions() as session:
        assert session.scalar(select(func.count(ScoreRow.id))) == 1


def test_call_lists_filter_and_sort_in_the_database(calls: CallStore) -> None:
    (_, transcript, _, good), (_, _, _, unsure) = scored_examples()
    rude = call(
        (0.5, "agent", "您好，工号一零二四"), (5, "agent", "你自己看着办吧"), metrics=metrics()
    )
    fatal = score_transcript(rude, load_rubric("rescue"), "rescue")
    assert fatal.fatal_failure and fatal.total == 0.0
    for name, agent, hour, score in (
        ("early.wav", "A1", 8, good),
        ("unscored.wav", "A1", 12, None),
        ("fatal.wav", "A2", 16, fatal),
        ("late.wav", "A2", 20, unsure),
    ):
        # 20:00 in Beijing is 12:00 UTC: filters and sorting must compare moments, not text.
        moment = datetime(2026, 11, 20, hour, tzinfo=BEIJING)
        call_id, _ = calls.add_call(_new(name, agent_id=agent, team="救援一组", call_time=moment))
        if score is not None:
            calls.save_transcript(call_id, transcript)
            calls.save_score(call_id, score, "whisper-test")

    def names(**query: object) -> list[str]:
        found, count = calls.list_calls(CallQuery(**query))  # type: ignore[arg-type]
        assert count == len(found)
        return [call.file_name for call in found]

    assert names() == ["late.wav", "fatal.wav", "unscored.wav", "early.wav"]
    assert names(sort="call_time", order="asc") == [
        "early.wav",
        "unscored.wav",
        "fatal.wav",
        "late.wav",
    ]
    # Unscored calls sort last either way (SQLite and PostgreSQL order NULLs differently).
    assert names(sort="score", order="desc") == [
        "late.wav",
        "early.wav",
        "fatal.wav",
        "unscored.wav",
    ]
    assert names(sort="score", order="asc") == [
        "fatal.wav",
        "early.wav",
        "late.wav",
        "unscored.wav",
    ]
    assert names(agent_id="A1", order="asc") == ["early.wav", "unscored.wav"]
    assert names(fatal=True) == ["fatal.wav"]
    assert names(fatal=False) == ["late.wav", "early.wav"]
    assert names(needs_review=True, fatal=False) == ["late.wav"]
    assert names(min_score=50) == ["late.wav", "early.wav"]
    assert names(max_score=50) == ["fatal.wav"]
    start = datetime(2026, 11, 20, 14, tzinfo=BEIJING)
    assert names(date_from=start, order="asc") == ["fatal.wav", "late.wav"]
    assert names(date_to=start.astimezone(UTC)) == ["unscored.wav", "early.wav"]
    page, count = calls.list_calls(CallQuery(limit=1, offset=2))
    assert [call.file_name for call in page] == ["unscored.wav"] and count == 4
    assert page[0].score is None
    (late,) = calls.list_calls(CallQuery(needs_review=True, fatal=False))[0]
    assert late.score is not None and late.score.total == unsure.total
    assert late.call_time == datetime(2026, 11, 20, 20, tzinfo=BEIJING)


def test_batch_runs_count_their_outcomes(database_url: str) -> None:
    sessions = open_database(database_url)
    batches = BatchStore(sessions)
    call_id, _ = CallStore(sessions).add_call(_new("a.wav"))
    day = date(2026, 11, 20)
    first = batches.start_run(day, "local", 2, total=3)
    batches.record(first, BatchItem("day/a.wav", "scored", call_id=call_id, audio_seconds=93.5))
    batches.record(first, BatchItem("day/b.wav", "failed", "day/b.wav: not a readable audio file"))
    batches.record(first, BatchItem("day.csv:4", "failed", "path: missing"))
    run = batches.finish_run(first)
    assert (run.total, run.scored, run.skipped, run.failed) == (3, 1, 0, 2)
    assert run.finished_at is not None and run.finished_at >= run.started_at
    rerun = batches.start_run(day, "local", 2, total=2)
    batches.record(rerun, BatchItem("day/a.wav", "skipped", "scored already", call_id=call_id))
    batches.record(rerun, BatchItem("day/b.wav", "scored", call_id=call_id))
    batches.finish_run(rerun)
    assert [r.id for r in batches.runs_between(day, day)] == [first, rerun]
    assert batches.runs_between(day + timedelta(days=1), day + timedelta(days=2)) == []
    outcomes = {item.source: item.outcome for item in batches.day_items(day, day)[day]}
    assert outcomes == {"day/a.wav": "scored", "day/b.wav": "scored", "day.csv:4": "failed"}
