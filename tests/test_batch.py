"""``qa-assist batch`` end to end: real Whisper, real SQLite, real worker processes (and a real
local Ray instance), run as the command a cron job would run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile
import yaml
from openpyxl import load_workbook

from .conftest import AISHELL_CLIPS

pytestmark = pytest.mark.slow

DAY = "2026-11-20"
CLIPS = ("BAC009S0150W0003", "BAC009S0150W0009", "BAC009S0150W0013")


def _stereo_call(agent_clip: str, customer_clip: str, path: Path) -> Path:
    """The agent's clip on the left, then the customer's on the right, over line hiss."""
    agent, rate = soundfile.read(AISHELL_CLIPS / f"{agent_clip}.wav", dtype="float32")
    customer, _ = soundfile.read(AISHELL_CLIPS / f"{customer_clip}.wav", dtype="float32")
    gap = np.zeros(rate, np.float32)
    left = np.concatenate([gap, agent, gap, np.zeros_like(customer), gap])
    right = np.concatenate([gap, np.zeros_like(agent), gap, customer, gap])
    hiss = np.random.default_rng(len(agent_clip + customer_clip)).normal(0, 5e-4, (len(left), 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, np.stack([left, right], axis=1) + hiss.astype(np.float32), rate)
    return path


@dataclass(frozen=True)
class Calls:
    folder: Path
    manifest: Path
    good: tuple[Path, ...]


@pytest.fixture(scope="module")
def calls(tmp_path_factory: pytest.TempPathFactory) -> Calls:
    """A day folder (two good calls, one nested, a corrupt and an empty file, a note), a third
    good call elsewhere, and a manifest with metadata, a missing file and two bad lines."""
    root = tmp_path_factory.mktemp("day")
    good = (
        _stereo_call(CLIPS[0], CLIPS[1], root / "day" / "a.wav"),
        _stereo_call(CLIPS[1], CLIPS[2], root / "day" / "team2" / "b.wav"),
        _stereo_call(CLIPS[2], CLIPS[0], root / "other" / "c.wav"),
    )
    (root / "day" / "corrupt.wav").write_bytes(b"RIFF" + bytes(range(256)) * 8)
    (root / "day" / "empty.wav").write_bytes(b"")
    (root / "day" / "notes.txt").write_text("not a recording")
    manifest = root / "day.csv"
    manifest.write_text(
        "path,agent,team,call_time,ticket_id,direction,channel_layout,scenario\n"
        "day/a.wav,A1,救援一组,2026-11-20T09:15:00+08:00,TK-1,inbound,agent_left,rescue\n"
        "day/team2/b.wav,A2,救援一组,,TK-2,inbound,,\n"
        "other/c.wav,A1,救援二组,,,outbound,,general\n"
        "other/missing.wav,A3,救援二组,,,,,\n"
        "day/a.wav,A9,T9,yesterday,,,,\n"
        "other/c.wav,A1,T2,,,sideways,,\n",
        encoding="utf-8",
    )
    return Calls(root / "day", manifest, good)


def _batch(data_dir: Path, *arguments: str | Path, **popen) -> subprocess.Popen:  # type: ignore[type-arg]
    command = [sys.executable, "-m", "qa_assist", "batch", *map(str, arguments)]
    command += ["--date", DAY, "--json", "--data-dir", str(data_dir)]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )


def _summary(process: subprocess.Popen) -> tuple[int, dict]:  # type: ignore[type-arg]
    out, err = process.communicate(timeout=900)
    assert out.strip(), err
    return process.returncode, json.loads(out.strip().splitlines()[-1])


def _rows(data_dir: Path, query: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "qa_assist.db") as db:
        return db.execute(query).fetchall()


def _score_count(data_dir: Path) -> int:
    if not (data_dir / "qa_assist.db").exists():
        return 0
    try:
        return _rows(data_dir, "SELECT count(*) FROM scores")[0][0]
    except sqlite3.OperationalError:  # the schema is still being made
        return 0


@pytest.fixture(scope="module")
def first_run(calls: Calls, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, dict]:
    data_dir = tmp_path_factory.mktemp("data")
    code, summary = _summary(_batch(data_dir, calls.folder, calls.manifest, "--workers", "2"))
    return data_dir, code, summary


def test_good_calls_score_and_every_bad_input_is_named(calls: Calls, first_run) -> None:
    data_dir, code, summary = first_run
    assert code == 1  # something failed: the cron job hears of it
    assert (summary["scored"], summary["skipped"], summary["failed"]) == (3, 0, 5)
    assert summary["workers"] == 2 and summary["threads"] == max(
        1, len(os.sched_getaffinity(0)) // 2
    )
    reasons = {Path(f["source"]).name: f["reason"] for f in summary["failures"]}
    assert reasons["corrupt.wav"].startswith("not a readable audio file")
    assert reasons["empty.wav"] == "the file is empty"
    assert reasons["missing.wav"] == "no such file"
    assert reasons["day.csv:6"].startswith("call_time:")
    assert reasons["day.csv:7"].startswith("direction:")
    calls_stored = {
        row[0]: row[1:]
        for row in _rows(
            data_dir,
            "SELECT file_name, agent_id, team, ticket_id, direction, channel_layout, scenario, "
            "scenario_source, call_time FROM calls",
        )
    }
    assert calls_stored["a.wav"][:7] == (
        "A1",
        "救援一组",
        "TK-1",
        "inbound",
        "agent_left",
        "rescue",
        "given",
    )
    assert calls_stored["a.wav"][7].startswith("2026-11-20 01:15:00")
    # No scenario given: triage read one from what the customer said.
    assert calls_stored["b.wav"][6] == "triage"
    assert (
        calls_stored["c.wav"][:2] == ("A1", "救援二组") and calls_stored["c.wav"][3] == "outbound"
    )
    assert _rows(data_dir, "SELECT count(*) FROM calls WHERE ticket_type IS NOT NULL")[0][0] == 3


def test_the_report_lists_agents_teams_and_failures(first_run) -> None:
    data_dir, _, summary = first_run
    html, xlsx = map(Path, summary["report"])
    page = html.read_text(encoding="utf-8")
    totals = dict(
        _rows(
            data_dir,
            "SELECT c.agent_id, avg(s.total) FROM calls c JOIN scores s "
            "ON s.call_id = c.id GROUP BY c.agent_id",
        )
    )
    agents = [
        [c.value for c in row] for row in load_workbook(xlsx)["坐席成绩"].iter_rows(min_row=2)
    ]
    assert [(row[0], row[1]) for row in agents] == [("A1", 2), ("A2", 1)]
    # The report rounds to one decimal.
    assert [row[2] for row in agents] == pytest.approx([totals["A1"], totals["A2"]], abs=0.0501)
    teams = [[c.value for c in row] for row in load_workbook(xlsx)["班组成绩"].iter_rows(min_row=2)]
    assert [(row[0], row[1]) for row in teams] == [("救援一组", 2), ("救援二组", 1)]
    for text in ("A1", "A2", "救援一组", "救援二组", "corrupt.wav", "day.csv:6"):
        assert text in page


def test_a_rerun_scores_nothing_twice(calls: Calls, first_run) -> None:
    data_dir, _, _ = first_run
    code, summary = _summary(_batch(data_dir, calls.folder, calls.manifest))
    assert code == 1 and (summary["scored"], summary["skipped"], summary["failed"]) == (0, 3, 5)
    assert _score_count(data_dir) == 3


def test_a_changed_rubric_rescores_only_on_request(calls: Calls, first_run, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(first_run[0], data_dir)
    shipped = Path(__file__).parents[1] / "qa_assist" / "score" / "rubrics" / "general.yaml"
    changed = tmp_path / "general.yaml"
    text = shipped.read_text(encoding="utf-8")
    version = yaml.safe_load(text)["version"]
    changed.write_text(text.replace(f'version: "{version}"', f'version: "{version}-changed"'))
    assert changed.read_text() != text
    a_call, _, c_call = (str(path) for path in calls.good)
    # Without --rescore a call scored by the general rubric is done whatever its version;
    # a.wav was a rescue call, never scored by the general rubric.
    _, summary = _summary(_batch(data_dir, a_call, c_call, "--rubric", changed))
    assert (summary["scored"], summary["skipped"]) == (1, 1)
    _, summary = _summary(_batch(data_dir, a_call, c_call, "--rubric", changed, "--rescore"))
    assert (summary["scored"], summary["skipped"]) == (1, 1)
    versions = _rows(
        data_dir,
        "SELECT c.file_name, s.rubric_version FROM scores s JOIN calls c ON c.id = s.call_id "
        "WHERE s.rubric_id = 'general' AND c.file_name != 'b.wav' ORDER BY 1, s.id",
    )
    assert versions == [
        ("a.wav", f"{version}-changed"),
        ("c.wav", version),
        ("c.wav", f"{version}-changed"),
    ]


def test_a_batch_killed_mid_run_finishes_the_rest_on_rerun(calls: Calls, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    process = _batch(data_dir, *calls.good, "--workers", "1", start_new_session=True)
    deadline = time.monotonic() + 600
    while _score_count(data_dir) == 0:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no call was scored in time"
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)  # the coordinator and its workers, like a power cut
    process.communicate()
    done = _score_count(data_dir)
    assert 1 <= done < len(calls.good)
    assert _rows(data_dir, "SELECT finished_at FROM batch_runs") == [(None,)]
    code, summary = _summary(_batch(data_dir, *calls.good, "--workers", "1"))
    assert code == 0 and summary["failed"] == 0
    assert summary["scored"] == len(calls.good) - done and summary["skipped"] == done
    per_call = _rows(data_dir, "SELECT call_id, count(*) FROM scores GROUP BY call_id")
    assert len(per_call) == len(calls.good) and {count for _, count in per_call} == {1}


def test_the_ray_engine_scores_into_the_shared_database(calls: Calls, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    two = [calls.good[0], calls.good[2]]
    code, summary = _summary(_batch(data_dir, *two, "--engine", "ray", "--workers", "2"))
    assert code == 0, summary
    assert (summary["engine"], summary["scored"], summary["failed"]) == ("ray", 2, 0)
    assert _score_count(data_dir) == 2
    assert _rows(data_dir, "SELECT engine, scored, finished_at IS NOT NULL FROM batch_runs") == [
        ("ray", 2, 1)
    ]
