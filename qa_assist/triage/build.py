"""Building the triage model folder: train when the data, the recipe or the encoder changed,
measure on the splits not trained on, save with a manifest that says all of it."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from ..hashing import sha256_of
from ..models import ModelError, ModelRegistry, model_version
from ..settings import Settings
from .dataset import TICKETS_PATH, load_tickets
from .manifest import FORMAT_VERSION, HEADS, TriageManifest, read_manifest
from .training import EpochCallback, TrainingOptions

log = logging.getLogger("qa_assist")

SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class BuildOutcome:
    folder: Path
    manifest: TriageManifest
    #: the folder's identity (``qa_assist.models.model_version``)
    version: str
    #: False when the model already there was up to date and nothing was trained
    trained: bool


def _as_json(options: TrainingOptions) -> dict[str, Any]:
    # The manifest stores JSON: compare like with like (tuples come back as lists).
    return json.loads(json.dumps(asdict(options)))


def _up_to_date(
    folder: Path, data_sha256: str, options: TrainingOptions, encoder: str
) -> TriageManifest | None:
    try:
        manifest = read_manifest(folder)
    except (ModelError, OSError, ValueError, TypeError):
        return None
    same = (
        manifest.data_sha256 == data_sha256
        and manifest.options == _as_json(options)
        and manifest.encoder == encoder
    )
    return manifest if same else None


def training_options(
    epochs: int | None = None, splits: Sequence[str] | None = None
) -> TrainingOptions:
    """The default recipe with the command line's changes."""
    options = TrainingOptions()
    if epochs is not None:
        options = replace(options, epochs=epochs)
    if splits:
        unknown = sorted(set(splits) - set(SPLITS))
        if unknown:
            raise ValueError(
                f"unknown split(s) {', '.join(unknown)}; choose from {', '.join(SPLITS)}"
            )
        options = replace(options, splits=tuple(split for split in SPLITS if split in splits))
    return options


def ensure_trained(
    settings: Settings,
    options: TrainingOptions | None = None,
    *,
    force: bool = False,
    on_epoch: EpochCallback | None = None,
) -> BuildOutcome:
    """Train and save the model (default recipe unless ``options``) unless the one in place was
    trained on the same data, recipe and encoder (or ``force``)."""
    import torch

    from .classifier import TriageClassifier
    from .evaluation import evaluate
    from .model import save_triage_model
    from .training import train_triage_model

    options = options or TrainingOptions()
    registry = ModelRegistry(settings)
    folder = registry.triage_model_dir()
    encoder_dir = registry.encoder_dir()
    data_sha256 = sha256_of(TICKETS_PATH)
    encoder = model_version(encoder_dir)
    current = None if force else _up_to_date(folder, data_sha256, options, encoder)
    if current is not None:
        return BuildOutcome(folder, current, model_version(folder), trained=False)

    torch.set_num_threads(settings.threads)
    tickets = [ticket for ticket in load_tickets() if ticket.split in options.splits]
    log.info(
        "training the triage model on %d tickets (%s)", len(tickets), ", ".join(options.splits)
    )
    started = time.monotonic()
    model = train_triage_model(tickets, encoder_dir, options, on_epoch)
    seconds = time.monotonic() - started
    classifier = TriageClassifier(model, settings.triage_review_threshold)
    held_out = [split for split in SPLITS if split not in options.splits]
    metrics = {
        split: evaluate(classifier, load_tickets(split=split), split).summary()  # type: ignore[arg-type]
        for split in held_out
    }
    manifest = TriageManifest(
        format_version=FORMAT_VERSION,
        encoder=encoder,
        data_sha256=data_sha256,
        trained_on=options.splits,
        labels=dict(HEADS),
        frozen_layers=options.frozen_layers,
        max_length=options.max_length,
        options=_as_json(options),
        training_seconds=round(seconds, 1),
        metrics=metrics,
    )
    version = save_triage_model(model, manifest, folder)
    return BuildOutcome(folder, manifest, version, trained=True)
