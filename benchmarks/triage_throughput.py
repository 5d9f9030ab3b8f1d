"""Triage throughput and accuracy: our classifier (the fine-tuned encoder and the character
n-gram model combined) against the character n-gram logistic regression alone (the
reference), in the same run, on the test split.

    python benchmarks/triage_throughput.py [--repeat 3]

The reference is trained here on the same splits as the saved model (see its manifest), on
the same input (the customer's words, ``customer_content``), with the same safety rules
forcing P0, so that only the model differs. Throughput is tickets per second on the test
split's 188 tickets, batched, best of ``--repeat`` runs, on ``QA_ASSIST_THREADS`` cores; CPU
time per ticket is printed too, since wall-clock speed falls when other jobs share the cores.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from qa_assist.models import ModelRegistry
from qa_assist.settings import get_settings
from qa_assist.triage import LabelledTicket, is_safety_critical, load_tickets
from qa_assist.triage.evaluation import head_metrics
from qa_assist.triage.manifest import HEADS, read_manifest
from qa_assist.triage.ngram import train_ngram_model


def _top(scores: dict[str, float]) -> str:
    return max(scores, key=scores.__getitem__)


class CharNgramReference:
    """The character n-gram logistic regression alone (the half of ours that reads words),
    trained here; the safety rules force P0 as ours do."""

    def __init__(self, tickets: Sequence[LabelledTicket]) -> None:
        self.model = train_ngram_model(tickets)

    def classify_batch(self, texts: Sequence[str]) -> list[tuple[str, str, str]]:
        return [
            (
                _top(s.type),
                _top(s.subsystem),
                "P0" if is_safety_critical(text) else _top(s.priority),
            )
            for text, s in zip(texts, self.model.predict(texts), strict=True)
        ]


@dataclass(frozen=True)
class Speed:
    #: wall-clock tickets per second (falls when other jobs share the cores)
    per_second: float
    #: CPU milliseconds per ticket, summed over threads (steadier on a shared machine)
    cpu_ms: float


def measure(run: Callable[[list[str]], object], texts: list[str], repeat: int) -> Speed:
    """The best of ``repeat`` runs over ``texts``."""
    return min((_timed(run, texts) for _ in range(repeat)), key=lambda speed: -speed.per_second)


def _timed(run: Callable[[list[str]], object], texts: list[str]) -> Speed:
    wall, cpu = time.perf_counter(), time.process_time()
    run(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Speed(len(texts) / wall, 1000 * cpu / len(texts))


def accuracy_row(
    name: str, tickets: Sequence[LabelledTicket], predicted: Sequence[tuple[str, str, str]]
) -> str:
    type_metrics = head_metrics(
        "type", HEADS["type"], [t.type for t in tickets], [p[0] for p in predicted]
    )
    faults = [
        (t, p) for t, p in zip(tickets, predicted, strict=True) if t.type == "fault" and t.subsystem
    ]
    subsystem = head_metrics(
        "subsystem",
        HEADS["subsystem"],
        [t.subsystem or "" for t, _ in faults],
        [p[1] for _, p in faults],
    )
    priority = head_metrics(
        "priority", HEADS["priority"], [t.priority for t in tickets], [p[2] for p in predicted]
    )
    p0 = [p[2] == "P0" for t, p in zip(tickets, predicted, strict=True) if t.priority == "P0"]
    return (
        f"{name:18} type F1 {type_metrics.macro_f1:.3f} (acc {type_metrics.accuracy:.3f})  "
        f"subsystem F1 {subsystem.macro_f1:.3f}  priority acc {priority.accuracy:.3f}  "
        f"P0 recall {sum(p0) / len(p0):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs per contender; the best counts"
    )
    args = parser.parse_args()

    settings = get_settings()
    torch.set_num_threads(settings.threads)
    registry = ModelRegistry(settings)
    manifest = read_manifest(registry.triage_model_dir())
    ours = registry.triage_classifier()
    train = [t for t in load_tickets() if t.split in manifest.trained_on]
    test = load_tickets(split="test")
    texts = [t.text for t in test]

    started = time.perf_counter()
    baseline = CharNgramReference(train)
    print(
        f"reference trained on {len(train)} tickets ({', '.join(manifest.trained_on)}) "
        f"in {time.perf_counter() - started:.1f} s; ours trained in {manifest.training_seconds:.0f} s"
    )

    ours.classify_batch(texts[:32])  # warm-up: first calls allocate
    speeds = {
        "ours (full result)": measure(ours.classify_batch, texts, args.repeat),
        "ours (model only)": measure(ours.model.predict, texts, args.repeat),
        "reference": measure(baseline.classify_batch, texts, args.repeat),
        "ours, one by one": _timed(lambda batch: [ours.classify(t) for t in batch], texts[:48]),
    }
    reference = speeds["reference"]
    print(
        f"\nthroughput on {len(texts)} test tickets, {settings.threads} threads, load {os.getloadavg()[0]:.1f}:"
    )
    for name, speed in speeds.items():
        print(
            f"  {name:20} {speed.per_second:8.1f} tickets/s ({speed.per_second / reference.per_second:.3f} x "
            f"reference), {speed.cpu_ms:7.2f} CPU ms/ticket ({speed.cpu_ms / reference.cpu_ms:.0f} x reference)"
        )

    print("\naccuracy on the test split (safety rules force P0 in both):")
    results = ours.classify_batch(texts)
    print(
        accuracy_row(
            "ours",
            test,
            [
                (r.type, max(r.subsystem_scores, key=r.subsystem_scores.__getitem__), r.priority)
                for r in results
            ],
        )
    )
    print(accuracy_row("reference", test, baseline.classify_batch(texts)))
    print(f"\n{np.mean([r.needs_human for r in results]):.1%} of our results need a human")


if __name__ == "__main__":
    main()
