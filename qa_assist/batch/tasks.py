"""What the coordinator hands a worker; the worker hands back a ``storage.BatchItem``."""

from __future__ import annotations

from dataclasses import dataclass

from ..storage import CallMetadata


@dataclass(frozen=True)
class Task:
    index: int
    path: str
    scenario: str | None
    metadata: CallMetadata
