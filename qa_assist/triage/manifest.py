"""The manifest of a trained triage model folder: what it was trained on, with which labels
and options, and how well it did. Reading it needs no torch, so the CLI can tell whether a
model is up to date without loading one."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..models.artifact import is_complete
from ..models.errors import ModelError
from .labels import PRIORITIES, SUBSYSTEMS, TICKET_TYPES

#: Bump when the network, its input or the label set change: older folders are then refused.
#: It also names the model folder under the models directory.
FORMAT_VERSION = "triage-e5-v1"
TRIAGE_MANIFEST_NAME = "triage_manifest.json"
#: The model's heads and their labels, in output order.
HEADS: dict[str, tuple[str, ...]] = {
    "type": TICKET_TYPES,
    "subsystem": SUBSYSTEMS,
    "priority": PRIORITIES,
}


class TriageModelMissing(ModelError):
    """No trained triage model where the settings point."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"no trained triage model at {folder}: run `qa-assist triage train` first")


@dataclass(frozen=True)
class TriageManifest:
    """What a triage model folder holds and how it was made."""

    #: :data:`FORMAT_VERSION` of the code that trained it
    format_version: str
    #: identity of the base encoder (``qa_assist.models.model_version``)
    encoder: str
    #: SHA-256 of the labelled data file trained on
    data_sha256: str
    #: splits of that file used for training
    trained_on: tuple[str, ...]
    #: label ids per head, in output order
    labels: dict[str, tuple[str, ...]]
    #: encoder layers below this index were not trained (read from the base encoder)
    frozen_layers: int
    max_length: int
    #: the training options, for the record (``TrainingOptions`` as a dict)
    options: dict[str, Any]
    training_seconds: float
    #: split -> metric name -> value, measured right after training
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)

    def write(self, folder: Path) -> None:
        (folder / TRIAGE_MANIFEST_NAME).write_text(
            json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def read(cls, folder: Path) -> TriageManifest:
        payload = json.loads((folder / TRIAGE_MANIFEST_NAME).read_text(encoding="utf-8"))
        payload["trained_on"] = tuple(payload["trained_on"])
        payload["labels"] = {head: tuple(ids) for head, ids in payload["labels"].items()}
        return cls(**payload)


def read_manifest(folder: Path) -> TriageManifest:
    """The manifest of a complete model folder; :class:`TriageModelMissing` if there is none."""
    if not is_complete(folder):
        raise TriageModelMissing(folder)
    manifest = TriageManifest.read(folder)
    if manifest.format_version != FORMAT_VERSION:
        raise ModelError(
            f"the triage model at {folder} is {manifest.format_version}, this code needs "
            f"{FORMAT_VERSION}: run `qa-assist triage train`"
        )
    return manifest
