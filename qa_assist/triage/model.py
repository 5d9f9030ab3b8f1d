"""The trained triage model: the e5 encoder, fine-tuned, with one linear head each for ticket
type, subsystem and priority, saved as a versioned folder.

The folder holds only what training changed (the upper encoder layers and the heads) in
``weights.safetensors``; the frozen embeddings and lower layers are read from the prepared
multilingual-e5-small folder, whose identity the manifest records. That keeps the artefact at
~65 MB instead of 470 MB, and loading refuses a base encoder other than the one trained on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..models.artifact import replace_atomically
from ..models.errors import ModelError
from ..models.prepare import model_version
from .content import customer_content
from .manifest import HEADS, TriageManifest, read_manifest

log = logging.getLogger("qa_assist")

WEIGHTS_NAME = "weights.safetensors"
#: e5 was trained with this prefix on queries; classification inputs are queries.
QUERY_PREFIX = "query: "


class TriageNetwork(nn.Module):
    """Encoder, mean pooling over real tokens, and one linear head per label group."""

    def __init__(self, encoder: nn.Module, hidden: int) -> None:
        super().__init__()
        self.encoder = encoder
        # A list in HEADS order: ModuleDict would refuse the key "type" (a Module method).
        self.heads = nn.ModuleList(nn.Linear(hidden, len(ids)) for ids in HEADS.values())

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return {name: head(pooled) for name, head in zip(HEADS, self.heads, strict=True)}

    def freeze_lower(self, layers: int) -> None:
        """Train only the encoder layers from ``layers`` up, and the heads."""
        self.encoder.embeddings.requires_grad_(False)
        for layer in self.encoder.encoder.layer[:layers]:
            layer.requires_grad_(False)

    def trained_state(self) -> dict[str, torch.Tensor]:
        return {
            name: p.detach().contiguous() for name, p in self.named_parameters() if p.requires_grad
        }


@dataclass(frozen=True)
class HeadScores:
    """Probabilities of every label of every head for one text (label id -> probability)."""

    type: dict[str, float]
    subsystem: dict[str, float]
    priority: dict[str, float]


def model_input(text: str) -> str:
    """The string the encoder sees for a ticket."""
    return QUERY_PREFIX + customer_content(text)


class TriageModel:
    """A loaded (or freshly trained) network with its tokenizer; predicts label probabilities."""

    def __init__(
        self, network: TriageNetwork, tokenizer: Any, max_length: int, version: str
    ) -> None:
        self.network = network.eval()
        self.tokenizer = tokenizer
        self.max_length = max_length
        #: identity recorded with every result: format version and weights checksum
        self.version = version

    def tokenize(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        return self.tokenizer(
            [model_input(text) for text in texts],
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )

    @torch.inference_mode()
    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[HeadScores]:
        """Label probabilities for each text, in input order."""
        # Batches of similar length waste little time on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        scores: dict[int, HeadScores] = {}
        for first in range(0, len(order), batch_size):
            indices = order[first : first + batch_size]
            logits = self.network(**self.tokenize([texts[i] for i in indices]))
            probabilities = {name: torch.softmax(logits[name], dim=-1).tolist() for name in HEADS}
            for row, index in enumerate(indices):
                scores[index] = HeadScores(
                    **{
                        name: dict(zip(HEADS[name], probabilities[name][row], strict=True))
                        for name in HEADS
                    }
                )
        return [scores[index] for index in range(len(texts))]


def load_encoder(encoder_dir: Path) -> tuple[nn.Module, Any]:
    """The base e5 encoder (a transformers BertModel) and its tokenizer."""
    from transformers import AutoModel, AutoTokenizer

    return AutoModel.from_pretrained(str(encoder_dir)), AutoTokenizer.from_pretrained(
        str(encoder_dir)
    )


def save_triage_model(model: TriageModel, manifest: TriageManifest, folder: Path) -> str:
    """Write ``model`` to ``folder``, replacing a model already there only once the new one is
    complete and loads; returns the saved model's version."""
    from safetensors.torch import load_file, save_file

    def build(staging: Path) -> None:
        save_file(model.network.trained_state(), str(staging / WEIGHTS_NAME))
        # safetensors writes 0600: a service running as another user could not read it.
        (staging / WEIGHTS_NAME).chmod(0o644)
        manifest.write(staging)

    def check(staging: Path) -> None:
        TriageManifest.read(staging)
        if set(load_file(str(staging / WEIGHTS_NAME))) != set(model.network.trained_state()):
            raise ModelError(f"{staging} does not hold the trained weights")

    replace_atomically(
        folder, [manifest.encoder, f"tickets@{manifest.data_sha256[:12]}"], build, check
    )
    model.version = model_version(folder)
    return model.version


def load_triage_model(folder: Path, encoder_dir: Path) -> TriageModel:
    """Load a saved model on top of the base encoder it was trained from."""
    from safetensors.torch import load_file

    manifest = read_manifest(folder)
    encoder_version = model_version(encoder_dir)
    if manifest.encoder != encoder_version:
        raise ModelError(
            f"the triage model at {folder} was trained on {manifest.encoder}, but the encoder is "
            f"{encoder_version}: run `qa-assist triage train`"
        )
    labels = {head: tuple(ids) for head, ids in HEADS.items()}
    if manifest.labels != labels:
        raise ModelError(
            f"the triage model at {folder} has other labels than labels.yaml: retrain it"
        )
    encoder, tokenizer = load_encoder(encoder_dir)
    network = TriageNetwork(encoder, encoder.config.hidden_size)
    network.freeze_lower(manifest.frozen_layers)
    missing, unexpected = network.load_state_dict(
        load_file(str(folder / WEIGHTS_NAME)), strict=False
    )
    untrained = {name for name, p in network.named_parameters() if not p.requires_grad}
    if unexpected or not set(missing) <= untrained:
        raise ModelError(f"{folder / WEIGHTS_NAME} does not fit the network: retrain it")
    log.info("loaded triage model %s", model_version(folder))
    return TriageModel(network, tokenizer, manifest.max_length, model_version(folder))
