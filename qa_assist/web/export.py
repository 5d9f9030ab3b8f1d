"""Any list of the pages as a download: XLSX (one sheet per table) or CSV (one table)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from urllib.parse import quote

from fastapi import HTTPException
from fastapi.responses import Response

from ..analytics import Table, csv_bytes, workbook_bytes

ExportFormat = Literal["xlsx", "csv"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(name: str) -> str:
    # RFC 6266: an ASCII fallback and the UTF-8 name (Chinese titles).
    return f"attachment; filename=\"{name.encode('ascii', 'replace').decode()}\"; filename*=UTF-8''{quote(name)}"


def download(
    tables: Mapping[str, Table], name: str, fmt: str, table: str | None = None
) -> Response:
    """``tables`` (by key) as ``name.xlsx``, one sheet each, or the one whose key is ``table``
    (the first if none is named) as ``name-<key>.csv``."""
    if fmt == "xlsx":
        return Response(
            workbook_bytes(list(tables.values())),
            media_type=XLSX_TYPE,
            headers={"Content-Disposition": _attachment(f"{name}.xlsx")},
        )
    if fmt != "csv":
        raise HTTPException(status_code=404, detail=f"no export as {fmt!r}: xlsx or csv")
    key = table or next(iter(tables))
    if key not in tables:
        raise HTTPException(status_code=404, detail=f"no table {key!r}: {', '.join(tables)}")
    return Response(
        csv_bytes(tables[key]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _attachment(f"{name}-{key}.csv")},
    )
