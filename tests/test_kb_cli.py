"""``qa-assist kb`` through typer's runner: build, add, delete, search, eval and their errors,
with the real e5 encoder (the seed index of the session for searching)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa_assist.cli import app
from qa_assist.kb import seed_knowledge_base
from qa_assist.models import ModelRegistry

pytestmark = pytest.mark.slow

runner = CliRunner()


@pytest.fixture(scope="module")
def seed_index(registry: ModelRegistry) -> Path:
    return seed_knowledge_base(registry).root


def _kb(*args: object):
    return runner.invoke(app, ["kb", *map(str, args)])


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    jsonl = tmp_path / "answers.jsonl"
    jsonl.write_text(
        json.dumps(
            {
                "id": "a1",
                "collection": "answer",
                "title": "电池质保",
                "text": "动力电池八年或十五万公里质保。",
            },
            ensure_ascii=False,
        )
        + "\n{broken\n",
        encoding="utf-8",
    )
    csv = tmp_path / "cases.csv"
    csv.write_text(
        "id,collection,title,text,dtcs\n"
        "c1,case,ES6 空调不制冷,冷媒泄漏，补充冷媒后正常。,P0534\n"
        "c2,case,P7 车窗升降异响,玻璃导轨缺油，润滑后正常。,\n",
        encoding="utf-8",
    )
    return jsonl, csv


def test_build_add_delete_on_a_fresh_index(tmp_path: Path, sources: tuple[Path, Path]) -> None:
    jsonl, csv = sources
    index = tmp_path / "kb"
    built = _kb("build", jsonl, csv, "--index", index)
    assert built.exit_code == 1, built.output  # one bad row
    assert f"{jsonl}:2: not JSON" in built.stderr
    assert "built 3 entries (1 answer, 2 case)" in built.stdout and "flat" in built.stdout

    found = _kb("search", "P0534", "--index", index, "-k", "1", "--json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)[0]["id"] == "c1"

    more = tmp_path / "more.md"
    more.write_text("## 保养周期\nid: a2\n\n每一万公里保养一次。\n", encoding="utf-8")
    added = _kb("add", more, "--index", index, "--collection", "answer")
    assert added.exit_code == 0, added.output
    assert "added 1, replaced 0; 4 entries now" in added.stdout

    deleted = _kb("delete", "c2", "a2", "--index", index)
    assert deleted.exit_code == 0 and "2 entries now" in deleted.stdout
    unknown = _kb("delete", "c1", "nope", "--index", index)
    assert (
        unknown.exit_code == 2 and "nope" in unknown.stderr and "nothing deleted" in unknown.stderr
    )
    listed = json.loads(_kb("search", "冷媒", "--index", index, "--json").stdout)
    assert [hit["id"] for hit in listed][:1] == ["c1"]


def test_search_json_shape(seed_index: Path) -> None:
    result = _kb("search", "充电桩充不进电", "--index", seed_index, "-k", "3", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    for hit in hits:
        assert {"id", "collection", "title", "score", "text"} <= hit.keys()
        assert {"passage", "passage_html", "highlights", "metadata", "ranks"} <= hit.keys()
        assert hit["collection"] in ("answer", "case") and isinstance(hit["score"], float)
    filtered = _kb(
        "search",
        "充不进电",
        "--index",
        seed_index,
        "--collection",
        "case",
        "--json",
        "--mode",
        "bm25",
    )
    assert {hit["collection"] for hit in json.loads(filtered.stdout)} == {"case"}
    text = _kb("search", "充电桩充不进电", "--index", seed_index, "-k", "2")
    assert text.exit_code == 0 and text.stdout.startswith("1. [")


def test_eval_prints_every_mode(seed_index: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    result = _kb("search", "高速上车坏了", "--index", seed_index, "-k", "1", "--json")
    top = json.loads(result.stdout)[0]
    queries.write_text(
        json.dumps(
            {
                "id": "q1",
                "query": "高速上车坏了",
                "relevant": [top["id"]],
                "collection": top["collection"],
                "kind": "colloquial",
            },
            ensure_ascii=False,
        )
        + "\n"
        + json.dumps({"id": "q2", "query": "x"})
        + "\n",
        encoding="utf-8",
    )
    evaluated = _kb("eval", queries, "--index", seed_index, "--json")
    assert evaluated.exit_code == 1  # q2 has no relevant ids
    assert f"{queries}:2: needs relevant" in evaluated.stderr
    report = json.loads(evaluated.stdout)
    rows = {(row["mode"], row["group"]): row["metrics"] for row in report["rows"]}
    assert {mode for mode, _ in rows} == {"hybrid", "dense", "bm25"}
    assert rows[("hybrid", "all")]["recall_at_1"] == 1.0
    assert ("bm25", "kind:colloquial") in rows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "missing.jsonl"], "missing.jsonl: no such file"),
        (["build", "notes.txt"], "notes.txt: unknown format"),
        (["add", "missing.csv"], "missing.csv: no such file"),
        (["search", "电池", "--mode", "magic"], "unknown mode"),
        (["search", "   "], "blank"),
        (["search", "电池", "--valid-on", "tomorrow"], "not a date"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "notes.txt").write_text("x")
    result = runner.invoke(
        app,
        [
            "kb",
            *[str(tmp_path / a) if "." in a else a for a in args],
            "--index",
            str(tmp_path / "kb"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_missing_index_says_how_to_build(tmp_path: Path) -> None:
    result = _kb("search", "电池质保", "--index", tmp_path / "none")
    assert result.exit_code == 2 and "qa-assist kb build" in result.stderr
