"""Tables as files people open in Excel: XLSX (one sheet per table, links kept) and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class Link:
    """A cell that shows ``text`` and opens ``url``."""

    text: str
    url: str


Cell = str | int | float | bool | None | Link


@dataclass(frozen=True)
class Table:
    #: the sheet's name (cut to Excel's 31 characters)
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _plain(value: Cell) -> str | int | float | bool | None:
    return value.text if isinstance(value, Link) else value


def write_workbook(tables: Sequence[Table], target: Path | BinaryIO) -> None:
    """One sheet per table, bold header, link cells as hyperlinks, columns sized to fit."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.title[:31])
        sheet.append(list(table.header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_plain(value) for value in row])
            for column, value in enumerate(row, start=1):
                if isinstance(value, Link):
                    cell = sheet.cell(row=sheet.max_row, column=column)
                    cell.hyperlink, cell.style = value.url, "Hyperlink"
        for column in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, 4 + 1.6 * width)
    workbook.save(target)


def workbook_bytes(tables: Sequence[Table]) -> bytes:
    buffer = io.BytesIO()
    write_workbook(tables, buffer)
    return buffer.getvalue()


def csv_bytes(table: Table) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel reads Chinese as mojibake."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow(["" if value is None else _plain(value) for value in row])
    return text.getvalue().encode("utf-8-sig")
