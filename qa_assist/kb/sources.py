"""Reading knowledge-base entries from JSON lines, CSV, XLSX and Markdown files.

Every format yields rows of fields; a row becomes an entry when it has an ``id``, a
``collection`` (``answer`` or ``case``), a ``title`` and a ``text``. Other fields are metadata,
kept as given. A bad row is reported with its file and line and the others still load.

* JSON lines: one object per line.
* CSV and XLSX (first sheet): a header row naming the fields. A cell holding JSON (a list,
  an object, a number) is read as JSON; list fields (``vehicle_models``, ``symptoms``,
  ``dtcs``...) may also be written ``a | b | c`` or ``a; b; c``.
* Markdown: one entry per heading; the heading is the title, ``key: value`` lines right under
  it are fields (``id``, ``collection``, ``category``...), the rest down to the next heading is
  the text. Without an ``id`` line the id is ``<file stem>/<heading>``. A heading with no text
  of its own whose next heading is deeper is a section title, not an entry.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..jsonl import read_objects
from .types import COLLECTIONS, CORE_FIELDS, LIST_FIELDS, IngestProblem, IngestResult, KbEntry

#: (line number, the row's fields, or why the row is refused)
Row = tuple[int, dict[str, Any] | str]

_LIST_SEPARATORS = re.compile(r"\s*[|;；]\s*")
_JSON_LOOKING = re.compile(r"^\s*(?:[\[{]|-?\d+(?:\.\d+)?\s*$|true$|false$|null$)")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FIELD_LINE = re.compile(r"^([a-z_]+)\s*[:：]\s*(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")


class KbSourceError(Exception):
    """A source file that cannot be read at all (missing, unknown format, not a spreadsheet)."""


def read_source(path: Path, default_collection: str | None = None) -> IngestResult:
    """The entries of one file and the problems of its bad rows.

    ``default_collection`` is used for rows that name none (a Markdown FAQ of answers).
    Raises KbSourceError when the file as a whole cannot be read.
    """
    path = Path(path)
    readers = {
        ".jsonl": read_objects,
        ".json": read_objects,
        ".csv": _csv_rows,
        ".xlsx": _xlsx_rows,
        ".md": _markdown_rows,
        ".markdown": _markdown_rows,
    }
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise KbSourceError(
            f"{path}: unknown format {path.suffix!r}; use .jsonl, .csv, .xlsx or .md"
        )
    if not path.is_file():
        raise KbSourceError(f"{path}: no such file")
    entries: list[KbEntry] = []
    problems: list[IngestProblem] = []
    first_line: dict[str, int] = {}
    try:
        for number, row in reader(path):
            entry = row if isinstance(row, str) else to_entry(row, default_collection)
            if isinstance(entry, str):
                problems.append(IngestProblem(str(path), number, entry))
            elif entry.id in first_line:
                problems.append(
                    IngestProblem(
                        str(path),
                        number,
                        f"duplicate id {entry.id!r} (first on line {first_line[entry.id]})",
                    )
                )
            else:
                first_line[entry.id] = number
                entries.append(entry)
    except UnicodeDecodeError as error:
        raise KbSourceError(f"{path}: not UTF-8 text ({error.reason})") from None
    return IngestResult(tuple(entries), tuple(problems))


def read_sources(paths: list[Path], default_collection: str | None = None) -> IngestResult:
    """All entries of several files; an id in a later file replaces the earlier one."""
    entries: dict[str, KbEntry] = {}
    problems: list[IngestProblem] = []
    for path in paths:
        result = read_source(path, default_collection)
        entries.update((entry.id, entry) for entry in result.entries)
        problems.extend(result.problems)
    return IngestResult(tuple(entries.values()), tuple(problems))


def to_entry(row: dict[str, Any], default_collection: str | None = None) -> KbEntry | str:
    """An entry from a row of fields, or the reason the row is refused."""
    fields = {key.strip(): value for key, value in row.items() if isinstance(key, str)}
    fields = {key: value for key, value in fields.items() if key and value not in (None, "")}
    if not fields.get("collection") and default_collection:
        fields["collection"] = default_collection
    missing = [name for name in CORE_FIELDS if not str(fields.get(name, "")).strip()]
    if missing:
        return f"missing {', '.join(missing)}"
    if fields["collection"] not in COLLECTIONS:
        return f"collection is {fields['collection']!r}; expected one of {', '.join(COLLECTIONS)}"
    for name in ("title", "text"):
        if not isinstance(fields[name], str):
            return f"{name} must be text"
    metadata = {key: value for key, value in fields.items() if key not in CORE_FIELDS}
    for name in ("valid_from", "valid_to"):
        value = metadata.get(name)
        if isinstance(value, datetime):  # an XLSX date cell
            value = metadata[name] = value.date().isoformat()
        try:
            date.fromisoformat(value) if value is not None else None
        except (TypeError, ValueError):
            return f"{name} must be a date (YYYY-MM-DD), not {value!r}"
    for name in LIST_FIELDS:
        value = metadata.get(name)
        if isinstance(value, str):
            metadata[name] = [item for item in _LIST_SEPARATORS.split(value.strip()) if item]
        elif value is not None and not isinstance(value, list):
            return f"{name} must be a list"
    return KbEntry(
        id=str(fields["id"]).strip(),
        collection=fields["collection"],
        title=fields["title"].strip(),
        text=fields["text"].strip(),
        metadata=metadata,
    )


def _cell(value: Any) -> Any:
    """A spreadsheet cell as a field value: JSON where it looks like JSON, else the text."""
    if isinstance(value, str):
        value = value.strip()
        if _JSON_LOOKING.match(value):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                return value
    return value


def _table_rows(header: list[Any], rows: Iterator[tuple[int, list[Any]]]) -> Iterator[Row]:
    names = [str(name).strip() if name is not None else "" for name in header]
    for number, values in rows:
        if all(value in (None, "") for value in values):
            continue
        if len(values) > len(names) and any(v not in (None, "") for v in values[len(names) :]):
            yield number, f"{len(values)} cells but the header names {len(names)}"
            continue
        yield number, {name: _cell(value) for name, value in zip(names, values) if name}


def _csv_rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return

        def numbered() -> Iterator[tuple[int, list[Any]]]:
            start = reader.line_num + 1
            for values in reader:
                yield start, values
                start = reader.line_num + 1

        try:
            yield from _table_rows(header, numbered())
        except csv.Error as error:
            yield reader.line_num, f"not CSV ({error})"


def _xlsx_rows(path: Path) -> Iterator[Row]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError) as error:
        raise KbSourceError(f"{path}: not an XLSX workbook ({error})") from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        yield from _table_rows(
            list(header), ((number, list(values)) for number, values in enumerate(rows, start=2))
        )
    finally:
        workbook.close()


def _markdown_rows(path: Path) -> Iterator[Row]:
    lines = path.read_text(encoding="utf-8").splitlines()
    headings: list[tuple[int, int, str]] = []  # (index, level, title)
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (found := _HEADING.match(line)):
            headings.append((index, len(found.group(1)), found.group(2)))
    for position, (index, level, title) in enumerate(headings):
        following = headings[position + 1] if position + 1 < len(headings) else None
        body = lines[index + 1 : following[0] if following else len(lines)]
        fields: dict[str, Any] = {}
        while body and (found := _FIELD_LINE.match(body[0].strip())):
            fields[found.group(1)] = _cell(found.group(2))
            body = body[1:]
        text = "\n".join(body).strip()
        if not text and not fields and following is not None and following[1] > level:
            continue  # a section title over deeper headings
        fields.setdefault("id", f"{path.stem}/{title}")
        yield index + 1, {**fields, "title": title, "text": text}
