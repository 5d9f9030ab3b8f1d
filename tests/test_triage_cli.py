"""``qa-assist triage`` as a user runs it: a subprocess on the trained model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def triage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qa_assist", "triage", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_text_is_classified_with_display_labels_and_reasons(triage_build) -> None:
    result = triage("孩子被锁在车里了，车停在商场停车场，快来人")
    assert result.returncode == 0, result.stderr
    assert "道路救援 Roadside rescue (rescue" in result.stdout
    assert "P0" in result.stdout and "儿童或老人被锁车内" in result.stdout


def test_a_file_gives_one_json_line_per_ticket_and_names_a_bad_line(
    tmp_path: Path, triage_build
) -> None:
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_text(
        "\n".join(
            [
                json.dumps(
                    {"id": "t1", "text": "刹车有异响，咔咔的", "channel": "wechat"},
                    ensure_ascii=False,
                ),
                "{not json",
                json.dumps({"id": "t3"}),
                json.dumps({"id": "t4", "text": "谢谢你们的救援师傅，很及时"}, ensure_ascii=False),
            ]
        ),
        encoding="utf-8",
    )
    result = triage("--file", str(tickets), "--json")
    assert result.returncode == 1
    assert (
        f"{tickets}:2: not JSON" in result.stderr
        and f"{tickets}:3: needs a JSON object" in result.stderr
    )
    assert "Traceback" not in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["t1", "t4"]
    assert lines[0]["channel"] == "wechat"  # other fields pass through
    for line in lines:
        assert {
            "type",
            "subsystem",
            "priority",
            "escalation_risk",
            "entities",
            "confidence",
        } <= line.keys()
    assert lines[0]["type"] == "fault" and lines[0]["subsystem"] == "brakes"


def test_eval_prints_per_class_metrics_and_confusion_matrices(triage_build) -> None:
    result = triage("eval", "--split", "test")
    assert result.returncode == 0, result.stderr
    for heading in (
        "type: accuracy",
        "subsystem: accuracy",
        "priority: accuracy",
        "confusion",
        "P0 recall",
    ):
        assert heading in result.stdout


def test_a_missing_model_is_one_line_naming_the_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "qa_assist", "triage", "车坏了"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QA_ASSIST_TRIAGE_MODEL_DIR": str(tmp_path / "none")},
    )
    assert result.returncode == 2
    assert "run `qa-assist triage train`" in result.stderr and "Traceback" not in result.stderr
