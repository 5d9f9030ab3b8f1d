"""Human review on a real SQLite database: overrides keep the automatic result, every action is
audited, unsure calls queue up, and reviews feed calibration; through the store, API and CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qa_assist.api import create_app
from qa_assist.cli import app as cli
from qa_assist.score import load_rubric, score_transcript
from qa_assist.settings import Settings
from qa_assist.storage import (
    CallStore,
    NewCall,
    ReviewError,
    ReviewStore,
    ReviewTargetMissing,
    open_database,
)

from .test_score import COMPLIANT_RESCUE, call


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture()
def stores(data_dir: Path) -> tuple[CallStore, ReviewStore, int, int]:
    """Two scored calls: a compliant rescue call, and one without timing (so it needs review)."""
    sessions = open_database(f"sqlite:///{data_dir / 'qa_assist.db'}")
    calls = CallStore(sessions)
    ids = []
    for name, transcript in (
        ("good.wav", COMPLIANT_RESCUE),
        ("unsure.wav", call((0.5, "agent", "您好，客服中心工号一零二四"))),
    ):
        call_id, _ = calls.add_call(NewCall(name * 4, name, f"/audio/{name}", scenario="rescue"))
        calls.save_transcript(call_id, transcript)
        calls.save_score(
            call_id, score_transcript(transcript, load_rubric("rescue"), "rescue"), "whisper-test"
        )
        ids.append(call_id)
    return calls, ReviewStore(sessions), ids[0], ids[1]


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


def test_the_api_overrides_an_item_and_lists_the_queue(stores, data_dir: Path) -> None:
    _, _, good, unsure = stores
    with TestClient(create_app(Settings(data_dir=data_dir))) as client:
        response = client.post(
            f"/api/v1/calls/{good}/items/greeting/override",
            json={"verdict": "fail", "reviewer": "王质检", "comment": "没报工号"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        greeting = next(item for item in body["score"]["items"] if item["item_id"] == "greeting")
        assert greeting["verdict"] == "fail" and greeting["override"]["auto_verdict"] == "pass"
        assert body["history"][0]["after"] == {"verdict": "fail", "points": 0.0}
        assert client.get(f"/api/v1/calls/{good}/review").json()["score"]["total"] < 100
        for item, verdict, status in (("nope", "pass", 404), ("greeting", "maybe", 422)):
            response = client.post(
                f"/api/v1/calls/{good}/items/{item}/override",
                json={"verdict": verdict, "reviewer": "王"},
            )
            assert response.status_code == status
        queue = client.get("/api/v1/review-queue").json()
        assert queue["count"] == 1 and queue["data"][0]["call_id"] == unsure


def test_the_cli_reviews_and_calibrates(stores, data_dir: Path, tmp_path: Path) -> None:
    _, _, good, unsure = stores
    runner = CliRunner()
    result = runner.invoke(cli, ["review", "queue", "--data-dir", str(data_dir)])
    assert result.exit_code == 0 and f"call {unsure:4}" in result.output
    result = runner.invoke(
        cli,
        [
            "review",
            "override",
            str(good),
            "closing",
            "fail",
            "--by",
            "王质检",
            "--comment",
            "没致谢",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert result.exit_code == 0 and "王质检: was pass; 没致谢" in result.output
    result = runner.invoke(cli, ["review", "show", str(good), "--data-dir", str(data_dir)])
    assert "override closing pass -> fail  (没致谢)" in result.output
    result = runner.invoke(
        cli,
        ["review", "override", "999", "closing", "fail", "--by", "王", "--data-dir", str(data_dir)],
    )
    assert result.exit_code == 2 and "no call with id 999" in result.output

    labels = tmp_path / "labels.csv"
    labels.write_text(
        f"call_id,item_id,verdict\n{good},closing,fail\n{good},greeting,pass\n", encoding="utf-8"
    )
    result = runner.invoke(cli, ["calibrate", str(labels), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "item verdicts compared 2" in result.output and "agreement 0.500" in result.output
    result = runner.invoke(
        cli, ["calibrate", "--data-dir", str(data_dir)]
    )  # from the stored review
    assert result.exit_code == 0 and "item verdicts compared 1" in result.output
