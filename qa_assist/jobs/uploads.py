"""Uploaded recordings on disk: each in a folder of its own under the data folder's uploads/,
under its own name (the call keeps the name it was uploaded with), until its job is done."""

from __future__ import annotations

import hashlib
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ..batch.inputs import AUDIO_EXTENSIONS

#: Bytes read at a time while an upload is copied and hashed.
CHUNK = 1024 * 1024
#: Longest file name kept; longer ones are cut (the extension stays).
MAX_NAME = 200


class UploadRefused(ValueError):
    """An uploaded file that is not taken; the message names the file and the reason."""

    def __init__(self, file_name: str, reason: str) -> None:
        self.file_name = file_name
        self.reason = reason
        super().__init__(f"{file_name}: {reason}")


class NotAudio(UploadRefused):
    pass


class EmptyUpload(UploadRefused):
    pass


class UploadTooLarge(UploadRefused):
    pass


@dataclass(frozen=True)
class SavedUpload:
    path: Path
    file_name: str
    content_hash: str
    size: int


def clean_name(name: str | None) -> str:
    """The file's own name, without any folder a client sent along with it."""
    base = PurePosixPath((name or "").replace("\\", "/")).name.strip()
    if base in ("", ".", ".."):
        raise UploadRefused(name or "(no name)", "the file has no name")
    if len(base) > MAX_NAME:
        suffix = PurePosixPath(base).suffix[:16]
        base = base[: MAX_NAME - len(suffix)] + suffix
    return base


def check_audio_name(name: str) -> None:
    if PurePosixPath(name).suffix.lower() not in AUDIO_EXTENSIONS:
        raise NotAudio(
            name,
            f"not an audio file name (expected one of {', '.join(sorted(AUDIO_EXTENSIONS))})",
        )


def save_upload(source: BinaryIO, name: str, upload_dir: Path, max_bytes: int) -> SavedUpload:
    """Copy ``source`` under ``upload_dir`` while hashing it; refused when empty or larger than
    ``max_bytes`` (nothing is left behind then)."""
    folder = upload_dir / secrets.token_hex(8)
    folder.mkdir(parents=True)
    target = folder / name
    digest = hashlib.sha256()
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(name, f"larger than the upload limit of {max_bytes} bytes")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise EmptyUpload(name, "the file is empty (0 bytes)")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return SavedUpload(target.resolve(), name, digest.hexdigest(), size)


def discard_upload(path: Path, upload_dir: Path) -> None:
    """Remove an uploaded file and its folder (its job is done or failed); a path outside
    ``upload_dir`` is never touched."""
    folder = path.parent
    if folder.parent.resolve() == upload_dir.resolve():
        shutil.rmtree(folder, ignore_errors=True)
