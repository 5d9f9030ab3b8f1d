"""Human review on a real database (SQLite and PostgreSQL): overrides keep the automatic
result, every action is audited, unsure calls queue up, and reviews feed calibration; through
the store and the CLI (the API: test_review_api.py)."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from qa_assist.cli import app as cli
from qa_assist.score import CallScore, load_rubric, score_transcript
from qa_assist.storage import (
    CallMetadata,
    CallQuery,
    CallStore,
    NewCall,
    ReviewError,
    ReviewStore,
    ReviewTargetMissing,
    open_database,
)
from qa_assist.transcribe import Transcript

from .test_score import COMPLIANT_RESCUE, call

#: The agents of the two calls.
AGENT_ID, OTHER_AGENT_ID = "A-GOOD-01", "A-OTHER-02"


@cache
def scored_examples() -> tuple[tuple[str, Transcript, str, CallScore], ...]:
    """The two calls' transcripts and scores, scored once for every test."""
    return tuple(
        (name, transcript, agent, score_transcript(transcript, load_rubric("rescue"), "rescue"))
        for name, transcript, agent in (
            ("good.wav", COMPLIANT_RESCUE, AGENT_ID),
            ("unsure.wav", call((0.5, "agent", "您好，客服中心工号一零二四")), OTHER_AGENT_ID),
        )
    )


def scored_calls(url: str) -> tuple[sessionmaker[Session], int, int]:
    """Two scored calls: a compliant rescue call of ``AGENT_ID``, and a call of
    ``OTHER_AGENT_ID`` without timing (so it needs review)."""
    sessions = open_database(url)
    calls = CallStore(sessions)
    ids = []
    for name, transcript, agent, score in scored_examples():
        metadata = CallMetadata(agent_id=agent, team="救援一组")
        call_id, _ = calls.add_call(NewCall(name * 4, name, f"/audio/{name}", "rescue", metadata))
        calls.save_transcript(call_id, transcript)
        calls.save_score(call_id, score, "whisper-test")
        ids.append(call_id)
    return sessions, ids[0], ids[1]


@pytest.fixture()
def stores(database_url: str) -> tuple[CallStore, ReviewStore, int, int]:
    sessions, good, unsure = scored_calls(database_url)
    return CallStore(sessions), ReviewStore(sessions), good, unsure


def test_an_override_changes_the_reviewed_score_and_keeps_the_automatic_one(stores) -> None:
    calls, reviews, good, _ = stores
    reviewed = reviews.override(
        good, "safety_reminder", "fail", "王质检", "只提醒了双闪，没有提醒撤到护栏外"
    )
    item = reviewed.item("safety_reminder")
    assert item.verdict == "fail" and item.points == 0
    assert (
        item.override is not None
        and item.override.auto_verdict == "pass"
        and item.override.reviewer == "王质检"
    )
    assert (
        reviewed.total < 100 and "必须提醒打双闪、放三角警示牌、人员撤到护栏外" in reviewed.coaching
    )
    assert (
        calls.get_call(good).score.item("safety_reminder").verdict == "pass"
    )  # the machine's row is untouched

    reviews.override(good, "safety_reminder", "pass", "李主管", "申诉成立")
    history = reviews.history(good)
    assert [(e.reviewer, e.before["verdict"], e.after["verdict"]) for e in history] == [
        ("王质检", "pass", "fail"),
        ("李主管", "fail", "pass"),
    ]
    assert history[1].comment == "申诉成立" and history[1].at >= history[0].at
    assert reviews.reviewed_score(good).total == 100.0


def test_a_fatal_override_zeroes_the_call(stores) -> None:
    _, reviews, good, _ = stores
    reviewed = reviews.override(
        good, "forbidden_phrases", "fail", "王质检", "录音里说了“你自己看着办”"
    )
    assert reviewed.fatal_failure and reviewed.total == 0.0


def test_lists_show_and_filter_what_people_decided(stores) -> None:
    """The call list, its filters and sort use the reviewed total and fatal flag, marked as
    including manual edits, with the machine's total beside it."""
    calls, reviews, good, _ = stores

    def listed(**query) -> list:
        return calls.list_calls(CallQuery(**query))[0]

    (before,) = listed(agent_id=AGENT_ID)
    assert (before.score.total, before.score.edited, before.score.fatal_failure) == (
        100.0,
        False,
        False,
    )
    reviews.confirm(good, "王质检")  # agreeing changes nothing
    assert not listed(agent_id=AGENT_ID)[0].score.edited
    reviews.override(good, "forbidden_phrases", "fail", "王质检", "说了“你自己看着办”")
    (after,) = listed(agent_id=AGENT_ID)
    assert (after.score.total, after.score.fatal_failure, after.score.edited) == (0.0, True, True)
    assert after.score.auto_total == 100.0
    assert [c.id for c in listed(fatal=True)] == [good]
    assert good not in [c.id for c in listed(min_score=50)]
    assert listed(sort="score", order="asc")[0].id == good
    # Overridden back to the machine's verdict: the automatic result stands again.
    reviews.override(good, "forbidden_phrases", "pass", "李主管", "复听无禁语")
    (back,) = listed(agent_id=AGENT_ID)
    assert (back.score.total, back.score.edited, back.score.fatal_failure) == (100.0, False, False)


def test_unsure_calls_queue_until_someone_reviews_them(stores) -> None:
    _, reviews, _, unsure = stores
    queued = reviews.queue()
    assert [entry.call_id for entry in queued] == [unsure]
    assert any(line.startswith("dead_air: needs_review") for line in queued[0].items)
    reviews.confirm(unsure, "王质检")
    assert reviews.queue() == []
    assert {e.action for e in reviews.history(unsure)} == {"confirm"}


def test_reviews_are_the_human_labels_calibration_compares_with(stores) -> None:
    from qa_assist.score.calibration import calibrate

    _, reviews, good, _ = stores
    reviews.confirm(good, "王质检")
    reviews.override(good, "eta_given", "fail", "王质检", "没说到达时间")
    report = calibrate(reviews.human_scores(), [load_rubric("rescue")])
    eta = next(item for item in report.items if item.item_id == "eta_given")
    assert eta.agreement == 0.0 and report.compared == len(load_rubric("rescue").items)
    assert report.total_mae > 0


@pytest.mark.parametrize(
    ("call_id", "item", "verdict", "reviewer", "error"),
    [
        (999, "greeting", "pass", "王", ReviewTargetMissing),
        (None, "no_such_item", "pass", "王", ReviewTargetMissing),
        (None, "greeting", "great", "王", ReviewError),
        (None, "greeting", "pass", " ", ReviewError),
    ],
)
def test_bad_reviews_are_refused(stores, call_id, item, verdict, reviewer, error) -> None:
    _, reviews, good, _ = stores
    with pytest.raises(error):
        reviews.override(call_id or good, item, verdict, reviewer)
    assert reviews.history(good) == []


def test_the_cli_reviews_and_calibrates(
    database_url: str, stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, good, unsure = stores
    monkeypatch.setenv("QA_ASSIST_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args))

    result = run("review", "queue")
    assert result.exit_code == 0 and f"call {unsure:4}" in result.output
    result = run(
        "review", "override", str(good), "closing", "fail", "--by", "王质检", "--comment", "没致谢"
    )
    assert result.exit_code == 0 and "王质检: was pass; 没致谢" in result.output
    result = run(
        "review", "comment", str(good), "语速偏快，注意放慢", "--by", "王质检", "--item", "greeting"
    )
    assert result.exit_code == 0 and "comment greeting pass  (语速偏快，注意放慢)" in result.output
    result = run("review", "show", str(good))
    assert "override closing pass -> fail  (没致谢)" in result.output
    assert "comment greeting pass  (语速偏快，注意放慢)" in result.output
    result = run("review", "override", "999", "closing", "fail", "--by", "王")
    assert result.exit_code == 2 and "no call with id 999" in result.output

    labels = tmp_path / "labels.csv"
    labels.write_text(
        f"call_id,item_id,verdict\n{good},closing,fail\n{good},greeting,pass\n", encoding="utf-8"
    )
    result = run("calibrate", str(labels))
    assert result.exit_code == 0, result.output
    assert "item verdicts compared 2" in result.output and "agreement 0.500" in result.output
    result = run("calibrate")  # from the stored review
    assert result.exit_code == 0 and "item verdicts compared 1" in result.output


def test_reviewers_overriding_one_item_at_once_are_both_recorded(database_url: str) -> None:
    sessions, good, _ = scored_calls(database_url)
    # Separate engines, as separate service processes have.
    stores = [ReviewStore(open_database(database_url)) for _ in range(4)]
    start = threading.Barrier(len(stores))
    errors: list[Exception] = []

    def override(store: ReviewStore, reviewer: str) -> None:
        start.wait()
        try:
            store.override(good, "closing", "fail", reviewer, "没有致谢")
        except Exception as error:  # noqa: BLE001 - the test reports any
            errors.append(error)

    threads = [
        threading.Thread(target=override, args=(store, f"质检{n}"))
        for n, store in enumerate(stores)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    history = ReviewStore(sessions).history(good)
    assert sorted(entry.reviewer for entry in history) == [f"质检{n}" for n in range(4)]
    assert ReviewStore(sessions).reviewed_score(good).item("closing").verdict == "fail"
