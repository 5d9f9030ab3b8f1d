"""What a batch reads: folders searched recursively, CSV/JSONL manifests whose bad lines are
named by file and line while the rest go on, and the split of cores among workers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qa_assist.batch import collect_inputs, plan_workers, read_manifest


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF")
    return path


def test_a_folder_is_searched_recursively_for_recordings(tmp_path: Path) -> None:
    day = tmp_path / "day"
    wanted = [
        _touch(day / "a.wav"),
        _touch(day / "team1" / "b.MP3"),
        _touch(day / "x" / "y" / "c.m4a"),
    ]
    _touch(day / "notes.txt")
    _touch(day / ".a.wav.partial.wav")
    collected = collect_inputs([day])
    assert sorted(item.path for item in collected.inputs) == sorted(p.resolve() for p in wanted)
    assert all(
        item.scenario is None and item.metadata.agent_id is None for item in collected.inputs
    )
    assert collected.problems == ()


def test_a_csv_manifest_gives_metadata_and_names_its_bad_lines(tmp_path: Path) -> None:
    _touch(tmp_path / "calls" / "a.wav")
    manifest = tmp_path / "calls.csv"
    manifest.write_text(
        "path,agent,team,call_time,ticket_id,direction,channel_layout,scenario,notes\n"
        "calls/a.wav,A1024,救援一组,2026-11-20T09:15:00+08:00,TK-1,inbound,right,rescue,ok\n"
        "calls/b.wav,,,,,,,,\n"
        "calls/c.wav,A1,T1,yesterday,,,,,\n"
        "calls/d.wav,A1,T1,,,,,parking,\n"
        ",A1,T1,,,,,,\n"
        "calls/e.wav,A1,T1,,,,sideways,,\n"
        "calls/f.wav,A1,T1,,,,,,,too,many\n",
        encoding="utf-8",
    )
    inputs, problems = read_manifest(manifest)
    first, second = inputs
    assert first.path == (tmp_path / "calls" / "a.wav").resolve()
    assert first.scenario == "rescue" and first.origin == f"{manifest}:2"
    meta = first.metadata
    assert (meta.agent_id, meta.team, meta.ticket_id, meta.direction, meta.channel_layout) == (
        "A1024",
        "救援一组",
        "TK-1",
        "inbound",
        "agent_right",
    )
    assert meta.call_time == datetime(2026, 11, 20, 1, 15, tzinfo=UTC)
    # A row with nothing but a path still scores; a file that is not there is the worker's to report.
    assert (
        second.path.name == "b.wav" and second.metadata.agent_id is None and second.scenario is None
    )
    lines = {problem.source.rsplit(":", 1)[1]: problem.reason for problem in problems}
    assert sorted(lines) == ["4", "5", "6", "7", "8"]
    assert lines["4"].startswith("call_time:")
    assert lines["5"].startswith("scenario:") and "rescue" in lines["5"]
    assert lines["6"].startswith("path:")
    assert lines["7"].startswith("channel_layout:")
    assert "more cells" in lines["8"]
    assert all(problem.source.startswith(str(manifest)) for problem in problems)


def test_a_jsonl_manifest_reports_lines_that_are_not_objects(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        json.dumps({"path": "/abs/a.wav", "agent_id": "A7", "time": "2026-11-20 08:00"})
        + "\n\n{not json\n[1, 2]\n"
        + json.dumps({"path": "b.wav", "direction": "sideways"})
        + "\n",
        encoding="utf-8",
    )
    inputs, problems = read_manifest(manifest)
    assert [item.path for item in inputs] == [Path("/abs/a.wav")]
    assert inputs[0].metadata.agent_id == "A7" and inputs[0].metadata.call_time is not None
    assert [(p.source, p.reason.split(" ")[0]) for p in problems] == [
        (f"{manifest}:3", "not"),
        (f"{manifest}:4", "not"),
        (f"{manifest}:5", "direction:"),
    ]


def test_a_manifest_without_a_path_column_is_one_problem(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,agent\na.wav,A1\n", encoding="utf-8")
    inputs, problems = read_manifest(manifest)
    assert inputs == []
    assert [(p.source, p.reason) for p in problems] == [
        (f"{manifest}:1", "the header row has no 'path' column")
    ]


def test_manifest_metadata_wins_over_a_folder_and_duplicates_are_named(tmp_path: Path) -> None:
    a = _touch(tmp_path / "day" / "a.wav")
    _touch(tmp_path / "day" / "b.wav")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,agent\nday/a.wav,A1\nday/a.wav,A2\n", encoding="utf-8")
    collected = collect_inputs([tmp_path / "day", manifest, tmp_path / "nowhere", manifest])
    by_path = {item.path: item for item in collected.inputs}
    assert len(by_path) == len(collected.inputs) == 2
    assert by_path[a.resolve()].metadata.agent_id == "A1"
    reasons = [(problem.source, problem.reason) for problem in collected.problems]
    assert (f"{manifest}:3", f"listed before at {manifest}:2") in reasons
    assert (str(tmp_path / "nowhere"), "no such file or folder") in reasons


@pytest.mark.parametrize(
    ("requested", "pending", "cores", "expected"),
    [
        (None, 50, 2, (2, 1)),  # one worker per core, one thread each
        (1, 50, 2, (1, 2)),  # one worker gets both cores
        (4, 1, 2, (1, 2)),  # never more workers than recordings
        (3, 50, 8, (3, 2)),
        (4, 50, 2, (4, 1)),  # more workers than cores: still one thread each
    ],
)
def test_workers_and_threads_fit_the_cores(requested, pending, cores, expected) -> None:
    assert plan_workers(requested, pending, cores) == expected
