"""The index folder on disk: whole generations swapped in atomically.

Layout of an index folder::

    CURRENT          the name of the live generation (one line)
    gen-000007/      manifest.json and the index files of that generation
    .lock            held by whoever is writing

A change writes a complete new generation into a temporary folder, renames it to its
``gen-*`` name and then replaces ``CURRENT`` (``os.replace``: atomic on POSIX and Windows).
Until that last step, readers see the previous generation; a crash at any point leaves either
the old or the new one live, never a mixture. The generation before the live one is kept for
readers that were loading it while the swap happened; older ones and stray temporary folders
are swept by the next write.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger("qa_assist")

#: Bump when the files or the tokenisation change: older indexes must be rebuilt.
FORMAT_VERSION = 2
POINTER = "CURRENT"
MANIFEST = "manifest.json"
_GENERATION = re.compile(r"^gen-(\d{6,})$")
_REBUILD = "run `qa-assist kb build` to rebuild it"


class KbIndexError(Exception):
    """The index folder is missing, damaged or made by another version."""


class KbIndexMissing(KbIndexError):
    """No index has been built in the folder yet."""


@dataclass(frozen=True)
class IndexManifest:
    format_version: int
    #: ``qa_assist.models.model_version`` of the encoder that made the vectors
    encoder_version: str
    entries: int
    dimension: int
    dense_kind: str
    #: the next free row id (FAISS ids are never reused, so a stale id cannot alias)
    next_row: int
    created: str

    def write(self, folder: Path) -> None:
        _write_synced(folder / MANIFEST, json.dumps(asdict(self), indent=1))

    @classmethod
    def read(cls, folder: Path) -> IndexManifest:
        try:
            payload = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if payload.get("format_version") != FORMAT_VERSION:
                raise KbIndexError(
                    f"the index at {folder.parent} has format {payload.get('format_version')}, "
                    f"this version reads format {FORMAT_VERSION}; {_REBUILD}"
                )
            return cls(**payload)
        except (OSError, ValueError, TypeError) as error:
            raise KbIndexError(
                f"the index at {folder.parent} is unreadable ({error}); {_REBUILD}"
            ) from None


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def live_generation(root: Path) -> Path:
    """The folder of the live generation; KbIndexMissing when there is none."""
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise KbIndexMissing(
            f"no knowledge-base index at {root}; run `qa-assist kb build` first"
        ) from None
    folder = root / name
    if not _GENERATION.match(name) or not folder.is_dir():
        raise KbIndexError(f"the index at {root} points at a missing {name!r}; {_REBUILD}")
    return folder


def live_name(root: Path) -> str | None:
    """The live generation's name, cheap enough to check before every search."""
    try:
        return (root / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


def _generations(root: Path) -> list[tuple[int, Path]]:
    found = []
    for child in root.iterdir():
        match = _GENERATION.match(child.name)
        if match and child.is_dir():
            found.append((int(match.group(1)), child))
    return sorted(found)


@contextmanager
def writer_lock(root: Path) -> Iterator[None]:
    """Serialises writers of one index folder across processes (the API and a CLI command)."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: one writer at a time is the operator's business
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _swap(staged_pointer: Path, pointer: Path) -> None:
    """The commit point of a write."""
    os.replace(staged_pointer, pointer)


def write_generation(root: Path, write: Callable[[Path], None]) -> Path:
    """Make ``write(folder)`` the live generation of ``root``; call under ``writer_lock``."""
    root.mkdir(parents=True, exist_ok=True)
    previous = live_name(root)
    generations = _generations(root)
    number = generations[-1][0] + 1 if generations else 1
    staging = root / f".staging-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        write(staging)
        final = root / f"gen-{number:06d}"
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    staged_pointer = root / f".{POINTER}.{uuid.uuid4().hex}"
    _write_synced(staged_pointer, final.name + "\n")
    try:
        _swap(staged_pointer, root / POINTER)
    except BaseException:
        staged_pointer.unlink(missing_ok=True)
        raise
    log.info("knowledge base at %s now at %s", root, final.name)
    _sweep(root, keep={final.name, previous or final.name})
    return final


def _sweep(root: Path, keep: set[str]) -> None:
    for child in root.iterdir():
        stale_generation = _GENERATION.match(child.name) and child.name not in keep
        if stale_generation or child.name.startswith(".staging-"):
            shutil.rmtree(child, ignore_errors=True)
