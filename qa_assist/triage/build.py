"""Building the triage models: the fine-tuned encoder (trained when the data, the recipe or
the encoder changed) and the n-gram model beside it (seconds; retrained with the encoder model
or when the data or its weight changed); the combined classifier is measured on the splits
not trained on, and each folder's manifest says all of it."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..hashing import sha256_of
from ..models import ModelError, ModelRegistry, model_version
from ..settings import Settings
from .dataset import TICKETS_PATH, LabelledTicket, load_tickets
from .manifest import FORMAT_VERSION, HEADS, TriageManifest, read_manifest
from .training import EpochCallback, TrainingOptions

if TYPE_CHECKING:  # torch: loaded with the model, not with this module
    from .classifier import TriageClassifier
    from .model import TriageModel

log = logging.getLogger("qa_assist")

SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class BuildOutcome:
    folder: Path
    manifest: TriageManifest
    #: the folder's identity (``qa_assist.models.model_version``)
    version: str
    #: False when the models already there were up to date and nothing was trained
    trained: bool
    #: split -> metric -> value of the classifier as it classifies (both models combined)
    metrics: dict[str, dict[str, float]]


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
    import sklearn
    import torch

    from .classifier import TriageClassifier
    from .evaluation import evaluate
    from .model import load_triage_model
    from .ngram import (
        NGRAM_FORMAT,
        CombinedModel,
        NgramManifest,
        read_ngram_manifest,
        save_ngram_model,
        train_ngram_model,
    )

    options = options or TrainingOptions()
    registry = ModelRegistry(settings)
    folder = registry.triage_model_dir()
    encoder_dir = registry.encoder_dir()
    data_sha256 = sha256_of(TICKETS_PATH)
    encoder = model_version(encoder_dir)
    current = None if force else _up_to_date(folder, data_sha256, options, encoder)
    ngram_folder = registry.triage_ngram_dir()
    ngram_manifest = read_ngram_manifest(ngram_folder)
    wanted_ngram = NgramManifest(
        NGRAM_FORMAT, data_sha256, options.splits, sklearn.__version__, settings.triage_ngram_weight
    )
    # The n-gram model's metrics are of the pair: it is retrained with the encoder model.
    if (
        current is not None
        and ngram_manifest is not None
        and replace(ngram_manifest, metrics={}) == wanted_ngram
    ):
        return BuildOutcome(
            folder, current, model_version(folder), trained=False, metrics=ngram_manifest.metrics
        )

    torch.set_num_threads(settings.threads)
    tickets = [ticket for ticket in load_tickets() if ticket.split in options.splits]
    held_out = [split for split in SPLITS if split not in options.splits]

    def measured(classifier: TriageClassifier) -> dict[str, dict[str, float]]:
        return {
            split: evaluate(classifier, load_tickets(split=split), split).summary()  # type: ignore[arg-type]
            for split in held_out
        }

    if current is None:
        model = _train_encoder_model(
            settings, tickets, options, encoder, data_sha256, folder, measured, on_epoch
        )
        manifest = read_manifest(folder)
    else:
        model, manifest = load_triage_model(folder, encoder_dir), current
    ngram = train_ngram_model(tickets)
    combined = CombinedModel(model, ngram, settings.triage_ngram_weight)
    metrics = measured(TriageClassifier(combined, settings.triage_review_threshold))
    save_ngram_model(ngram, replace(wanted_ngram, metrics=metrics), ngram_folder)
    return BuildOutcome(folder, manifest, model_version(folder), trained=True, metrics=metrics)


def _train_encoder_model(
    settings: Settings,
    tickets: list[LabelledTicket],
    options: TrainingOptions,
    encoder: str,
    data_sha256: str,
    folder: Path,
    measured: Callable[[TriageClassifier], dict[str, dict[str, float]]],
    on_epoch: EpochCallback | None,
) -> TriageModel:
    """Fine-tune, measure (the encoder model alone) and save the encoder model."""
    from .classifier import TriageClassifier
    from .model import save_triage_model
    from .training import train_triage_model

    log.info(
        "training the triage model on %d tickets (%s)", len(tickets), ", ".join(options.splits)
    )
    started = time.monotonic()
    model = train_triage_model(tickets, ModelRegistry(settings).encoder_dir(), options, on_epoch)
    seconds = time.monotonic() - started
    metrics = measured(TriageClassifier(model, settings.triage_review_threshold))
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
    save_triage_model(model, manifest, folder)
    return model
