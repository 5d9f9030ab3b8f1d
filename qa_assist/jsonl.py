"""JSON-lines input files: one JSON object per line, a bad line reported by its number while
the others go on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: (line number, the object) or (line number, why the line is refused)
Line = tuple[int, dict[str, Any] | str]


def read_objects(path: Path) -> Iterator[Line]:
    """Every non-blank line of ``path`` as a JSON object, or the reason it is not one."""
    # utf-8-sig: files saved by Windows tools start with a byte-order mark.
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                payload = json.loads(line)
            except json.JSONDecodeError as error:
                yield number, f"not JSON ({error.msg})"
                continue
            yield number, payload if isinstance(payload, dict) else "not a JSON object"


def chunks(lines: Iterator[Line], size: int) -> Iterator[list[Line]]:
    """``lines`` in lists of ``size`` (the last may be shorter)."""
    chunk: list[Line] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
