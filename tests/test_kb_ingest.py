"""Reading knowledge-base sources: every format, bad rows reported by file and line, good rows
loaded, metadata kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from qa_assist.kb import SEED_SOURCES, KbSourceError, read_source, read_sources
from qa_assist.kb.tokenize import default_tokenizer


def _write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows)
        + "\n",
        encoding="utf-8",
    )
    return path


def test_jsonl_keeps_metadata_and_reports_bad_lines(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "kb.jsonl",
        [
            {
                "id": "case-1",
                "collection": "case",
                "title": "汉EV 无法上高压",
                "text": "读取故障码P0AA6，更换高压线束。",
                "dtcs": ["P0AA6"],
                "labour_hours": 2.5,
                "owner_note": "unknown fields stay",
            },
            "{not json",
            {"id": "ans-1", "collection": "answer", "title": "无正文"},
            {"id": "ans-2", "collection": "faq", "title": "t", "text": "x"},
            {"id": "case-1", "collection": "case", "title": "again", "text": "dup"},
            [1, 2],
            {"id": "ans-3", "collection": "answer", "title": "质保", "text": "八年或十五万公里。"},
            {
                "id": "ans-4",
                "collection": "answer",
                "title": "t",
                "text": "x",
                "valid_to": "2025-13-01",
            },
        ],
    )
    result = read_source(path)
    assert [entry.id for entry in result.entries] == ["case-1", "ans-3"]
    case = result.entries[0]
    assert case.metadata == {
        "dtcs": ["P0AA6"],
        "labour_hours": 2.5,
        "owner_note": "unknown fields stay",
    }
    problems = {problem.line: problem.reason for problem in result.problems}
    assert set(problems) == {2, 3, 4, 5, 6, 8}
    assert problems[8] == "valid_to must be a date (YYYY-MM-DD), not '2025-13-01'"
    assert problems[2].startswith("not JSON")
    assert problems[3] == "missing text"
    assert "collection is 'faq'" in problems[4]
    assert "duplicate id 'case-1' (first on line 1)" == problems[5]
    assert str(result.problems[0]) == f"{path}:2: {problems[2]}"


def test_csv_cells_hold_lists_json_and_numbers(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "id,collection,title,text,vehicle_model,dtcs,symptoms,parts,mileage_km\n"
        'case-7,case,ES6 空调不制冷,"冷媒泄漏,补充冷媒后正常",ES6,P0A80 | U0100,不制冷; 出热风,'
        '"[{""name"": ""压缩机"", ""number"": ""A-100""}]",32000\n'
        ",case,没有id,text,,,,,\n"
        'case-8,case,"多行\n标题",正文,,,,,\n'
        "case-9,case,too many,cells,,,,,,extra\n",
        encoding="utf-8",
    )
    result = read_source(path)
    assert [entry.id for entry in result.entries] == ["case-7", "case-8"]
    entry = result.entries[0]
    assert entry.text == "冷媒泄漏,补充冷媒后正常"
    assert entry.metadata["dtcs"] == ["P0A80", "U0100"]
    assert entry.metadata["symptoms"] == ["不制冷", "出热风"]
    assert entry.metadata["parts"] == [{"name": "压缩机", "number": "A-100"}]
    assert entry.metadata["mileage_km"] == 32000
    # Line numbers are those of the file, also after a quoted cell spanning two lines.
    assert [(p.line, p.reason) for p in result.problems] == [
        (3, "missing id"),
        (6, "10 cells but the header names 9"),
    ]


def test_xlsx_first_sheet_with_header(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "collection", "title", "text", "vehicle_models", "category"])
    sheet.append(
        ["ans-9", "answer", "充电桩安装", "请提供车位产权证明。", "Model Y|Model 3", "charging"]
    )
    sheet.append(["ans-10", "answer", None, "没有标题", None, None])
    sheet.append([None] * 6)
    sheet.append([11, "answer", "数字id", "id 11", '["汉"]', None])
    path = tmp_path / "answers.xlsx"
    workbook.save(path)
    result = read_source(path)
    assert [entry.id for entry in result.entries] == ["ans-9", "11"]
    assert result.entries[0].vehicle_models == ("Model Y", "Model 3")
    assert result.entries[1].vehicle_models == ("汉",)
    assert [(p.line, p.reason) for p in result.problems] == [(3, "missing title")]


def test_markdown_one_entry_per_heading(tmp_path: Path) -> None:
    path = tmp_path / "faq.md"
    path.write_text(
        "# 常见问题\n\n"
        "## 电池质保多久？\n"
        "id: ans-100\n"
        "category: warranty\n"
        "vehicle_models: 汉 | 海豹\n\n"
        "动力电池八年或十五万公里质保。\n\n"
        "```\n# not a heading inside a fence\n```\n"
        "## 空标题\n\n"
        "## 保养周期\n"
        "每一万公里或一年保养一次。\n",
        encoding="utf-8",
    )
    result = read_source(path, default_collection="answer")
    assert [entry.id for entry in result.entries] == ["ans-100", "faq/保养周期"]
    first = result.entries[0]
    assert first.title == "电池质保多久？" and first.collection == "answer"
    assert first.text.startswith("动力电池八年") and "# not a heading" in first.text
    assert first.metadata == {"category": "warranty", "vehicle_models": ["汉", "海豹"]}
    assert [(p.line, p.reason) for p in result.problems] == [(13, "missing text")]
    # Without a default collection every entry is refused, by line.
    assert [p.line for p in read_source(path).problems] == [3, 13, 15]


@pytest.mark.parametrize("name", ["missing.jsonl", "notes.txt"])
def test_unreadable_files_name_the_file(tmp_path: Path, name: str) -> None:
    if name.endswith(".txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    with pytest.raises(KbSourceError, match=str(tmp_path / name)):
        read_source(tmp_path / name)


def test_broken_xlsx_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(KbSourceError, match="broken.xlsx: not an XLSX workbook"):
        read_source(path)


def test_later_files_replace_earlier_ids(tmp_path: Path) -> None:
    row = {"id": "a", "collection": "answer", "title": "t", "text": "old"}
    first = _write_jsonl(tmp_path / "1.jsonl", [row])
    second = _write_jsonl(tmp_path / "2.jsonl", [{**row, "text": "new"}])
    assert [entry.text for entry in read_sources([first, second]).entries] == ["new"]


def test_shipped_seed_reads_cleanly() -> None:
    result = read_sources(list(SEED_SOURCES))
    assert result.problems == ()
    collections = {entry.collection for entry in result.entries}
    assert collections == {"answer", "case"}
    assert sum(entry.collection == "answer" for entry in result.entries) >= 300
    assert sum(entry.collection == "case" for entry in result.entries) >= 300


def test_tokens_keep_codes_parts_and_models_whole() -> None:
    words = default_tokenizer().words("特斯拉ModelY报U0100-87，换了1489000-00-C；ＥＳ６也报P0A80")
    assert {"modely", "u0100-87", "u0100", "1489000-00-c", "es6", "p0a80"} <= set(words)
    assert "modely" in default_tokenizer().words("Model Y 充电")
    tokens = default_tokenizer().tokenize("仪表报P0A80")
    code = next(token for token in tokens if token.text == "p0a80")
    assert (code.start, code.end) == (3, 8)
