"""Fine-tuning the triage model on the labelled tickets, on CPU, deterministically.

The recipe (measured on the dev split, see the README's Triage section): mean-pooled e5 with
the ``query: `` prefix on the customer's words (:func:`~qa_assist.triage.content.customer_content`),
embeddings and the lower encoder layers frozen, AdamW with a higher learning rate for the new
heads than for the encoder, linear warm-up and decay, and batches of tickets of similar length
so that little time goes to padding.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from .dataset import LabelledTicket
from .model import HEADS, TriageModel, TriageNetwork, load_encoder

log = logging.getLogger("qa_assist")

#: Cross-entropy ignores this target: tickets without a subsystem train the other heads only.
_NO_LABEL = -100


@dataclass(frozen=True)
class TrainingOptions:
    """How the model is trained; the defaults are the measured recipe."""

    epochs: int = 6
    batch_size: int = 16
    encoder_lr: float = 1e-4
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    #: share of the steps over which the learning rate rises linearly, before it decays to 0
    warmup_fraction: float = 0.1
    #: the embeddings and this many lower encoder layers stay as e5 has them
    frozen_layers: int = 3
    #: tokens per ticket; longer customer texts (long call transcripts) are cut. The longest
    #: ticket of the data set has 62 tokens once customer_content has trimmed it.
    max_length: int = 128
    seed: int = 0
    #: data set splits trained on
    splits: tuple[str, ...] = ("train", "dev")


#: Called after every epoch with (epoch number from 1, mean loss, seconds since start, the
#: model as it stands, in eval mode).
EpochCallback = Callable[[int, float, float, TriageModel], None]


def _targets(batch: Sequence[LabelledTicket]) -> dict[str, torch.Tensor]:
    return {
        "type": torch.tensor([HEADS["type"].index(t.type) for t in batch]),
        "subsystem": torch.tensor(
            [HEADS["subsystem"].index(t.subsystem) if t.subsystem else _NO_LABEL for t in batch]
        ),
        "priority": torch.tensor([HEADS["priority"].index(t.priority) for t in batch]),
    }


def _batches(
    tickets: Sequence[LabelledTicket], size: int, rng: random.Random
) -> list[list[LabelledTicket]]:
    """Shuffled batches of tickets of similar length: shuffle, sort within windows of eight
    batches by length, cut, shuffle the batches."""
    shuffled = list(tickets)
    rng.shuffle(shuffled)
    window = size * 8
    batches = []
    for start in range(0, len(shuffled), window):
        chunk = sorted(shuffled[start : start + window], key=lambda t: len(t.text))
        batches.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
    rng.shuffle(batches)
    return batches


def train_triage_model(
    tickets: Sequence[LabelledTicket],
    encoder_dir: Path,
    options: TrainingOptions,
    on_epoch: EpochCallback | None = None,
) -> TriageModel:
    """Fine-tune the encoder and heads on ``tickets`` (all of them: pick the splits before).

    Seeded: the same tickets, options, encoder and thread count give the same weights.
    """
    torch.manual_seed(options.seed)
    rng = random.Random(options.seed)
    encoder, tokenizer = load_encoder(encoder_dir)
    network = TriageNetwork(encoder, encoder.config.hidden_size)
    network.freeze_lower(options.frozen_layers)
    model = TriageModel(network, tokenizer, options.max_length, version="unsaved")

    encoder_params = [p for p in network.encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": options.encoder_lr},
            {"params": network.heads.parameters(), "lr": options.head_lr},
        ],
        weight_decay=options.weight_decay,
    )
    steps = options.epochs * -(-len(tickets) // options.batch_size)
    warmup = max(1.0, options.warmup_fraction * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, (steps - step) / steps)
    )
    loss_fn = nn.CrossEntropyLoss(ignore_index=_NO_LABEL)

    started = time.monotonic()
    for epoch in range(options.epochs):
        network.train()
        total = 0.0
        batches = _batches(tickets, options.batch_size, rng)
        for batch in batches:
            logits = network(**model.tokenize([t.text for t in batch]))
            targets = _targets(batch)
            # A batch without any subsystem label would make that loss NaN: leave it out.
            losses = [
                loss_fn(logits[name], targets[name])
                for name in HEADS
                if (targets[name] != _NO_LABEL).any()
            ]
            loss = torch.stack(losses).sum()
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += loss.item()
        mean_loss = total / len(batches)
        elapsed = time.monotonic() - started
        log.debug("epoch %d/%d: loss %.3f, %.0f s", epoch + 1, options.epochs, mean_loss, elapsed)
        network.eval()
        if on_epoch is not None:
            on_epoch(epoch + 1, mean_loss, elapsed, model)
    return model
