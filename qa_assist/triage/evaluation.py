"""Measuring triage on labelled tickets: per-class precision, recall and F1 with a confusion
matrix for type, subsystem and priority, and the recall of P0 (a missed safety case is the
worst error).

Type and priority are measured on every ticket, priority as the classifier gives it (safety
rules and model combined). Subsystem is measured on the tickets whose gold type is fault, as
the subsystem head ranks them, so that a type error is not counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from .classifier import TriageClassifier
from .dataset import LabelledTicket
from .manifest import HEADS


@dataclass(frozen=True)
class ClassMetrics:
    label: str
    precision: float
    recall: float
    f1: float
    #: gold tickets of this class
    support: int


@dataclass(frozen=True)
class HeadMetrics:
    """How one head did on a set of tickets."""

    name: str
    tickets: int
    accuracy: float
    macro_f1: float
    classes: tuple[ClassMetrics, ...]
    #: rows are gold labels, columns predictions, both in ``labels`` order
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class TriageEvaluation:
    """The measurements of one data set split."""

    split: str
    tickets: int
    type: HeadMetrics
    subsystem: HeadMetrics
    priority: HeadMetrics
    #: share of gold P0 tickets given P0 (rules and model combined)
    p0_recall: float
    #: the same for the model alone, and for the safety rules alone
    p0_recall_model: float
    p0_recall_rules: float
    #: share of tickets marked needs_human, and type accuracy on the others
    needs_human_rate: float
    type_accuracy_confident: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, float]:
        """The headline numbers (what the model manifest records)."""
        return {
            "type_macro_f1": self.type.macro_f1,
            "type_accuracy": self.type.accuracy,
            "subsystem_macro_f1": self.subsystem.macro_f1,
            "priority_accuracy": self.priority.accuracy,
            "p0_recall": self.p0_recall,
            "needs_human_rate": self.needs_human_rate,
        }


def head_metrics(
    name: str, labels: Sequence[str], gold: Sequence[str], predicted: Sequence[str]
) -> HeadMetrics:
    """Metrics over the labels that occur in ``gold`` or ``predicted`` (macro-F1 would
    otherwise average in classes a split does not have)."""
    present = [label for label in labels if label in set(gold) | set(predicted)]
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=present, zero_division=0
    )
    classes = tuple(
        ClassMetrics(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(present, precision, recall, f1, support, strict=True)
    )
    matrix = confusion_matrix(gold, predicted, labels=present)
    return HeadMetrics(
        name=name,
        tickets=len(gold),
        accuracy=float(accuracy_score(gold, predicted)),
        macro_f1=float(sum(c.f1 for c in classes) / len(classes)) if classes else 0.0,
        classes=classes,
        labels=tuple(present),
        confusion=tuple(tuple(int(n) for n in row) for row in matrix),
    )


def _recall(gold: Sequence[bool], predicted: Sequence[bool]) -> float:
    hits = [p for g, p in zip(gold, predicted, strict=True) if g]
    return sum(hits) / len(hits) if hits else 1.0


def evaluate(
    classifier: TriageClassifier, tickets: Sequence[LabelledTicket], split: str
) -> TriageEvaluation:
    """Classify ``tickets`` and compare with their gold labels."""
    results = classifier.classify_batch([ticket.text for ticket in tickets])
    faults = [
        (t, r) for t, r in zip(tickets, results, strict=True) if t.type == "fault" and t.subsystem
    ]
    gold_p0 = [t.priority == "P0" for t in tickets]
    confident = [(t, r) for t, r in zip(tickets, results, strict=True) if not r.needs_human]
    return TriageEvaluation(
        split=split,
        tickets=len(tickets),
        type=head_metrics(
            "type", HEADS["type"], [t.type for t in tickets], [r.type for r in results]
        ),
        subsystem=head_metrics(
            "subsystem",
            HEADS["subsystem"],
            [t.subsystem or "" for t, _ in faults],
            [max(r.subsystem_scores, key=r.subsystem_scores.__getitem__) for _, r in faults],
        ),
        priority=head_metrics(
            "priority",
            HEADS["priority"],
            [t.priority for t in tickets],
            [r.priority for r in results],
        ),
        p0_recall=_recall(gold_p0, [r.priority == "P0" for r in results]),
        p0_recall_model=_recall(
            gold_p0,
            [max(r.priority_scores, key=r.priority_scores.__getitem__) == "P0" for r in results],
        ),
        p0_recall_rules=_recall(
            gold_p0, [any(x.source == "rule" for x in r.priority_reasons) for r in results]
        ),
        needs_human_rate=1 - len(confident) / len(tickets) if tickets else 0.0,
        type_accuracy_confident=(
            sum(t.type == r.type for t, r in confident) / len(confident) if confident else 0.0
        ),
    )


def format_head(metrics: HeadMetrics) -> str:
    """A per-class table and the confusion matrix, as text for a terminal."""
    width = max(len(label) for label in metrics.labels) if metrics.labels else 5
    title = (
        f"{metrics.name}: accuracy {metrics.accuracy:.3f}, macro-F1 {metrics.macro_f1:.3f} "
        f"({metrics.tickets} tickets)"
    )
    lines = [title, f"  {'':{width}}  precision  recall     F1  support"]
    for c in metrics.classes:
        lines.append(
            f"  {c.label:{width}}  {c.precision:9.3f}  {c.recall:6.3f}  {c.f1:5.3f}  {c.support:7d}"
        )
    short = [label[:6] for label in metrics.labels]
    lines.append("  confusion (rows gold, columns predicted):")
    lines.append(f"  {'':{width}}  " + " ".join(f"{s:>6}" for s in short))
    for label, row in zip(metrics.labels, metrics.confusion, strict=True):
        lines.append(f"  {label:{width}}  " + " ".join(f"{n:6d}" for n in row))
    return "\n".join(lines)


def format_evaluation(evaluation: TriageEvaluation) -> str:
    return "\n\n".join(
        [
            f"== {evaluation.split}: {evaluation.tickets} tickets",
            format_head(evaluation.type),
            format_head(evaluation.subsystem) + "\n  (tickets whose gold type is fault)",
            format_head(evaluation.priority) + "\n  (safety rules and model combined)",
            (
                f"P0 recall {evaluation.p0_recall:.3f} (model alone {evaluation.p0_recall_model:.3f}, "
                f"rules alone {evaluation.p0_recall_rules:.3f})\n"
                f"needs_human {evaluation.needs_human_rate:.1%} of tickets; type accuracy on the "
                f"rest {evaluation.type_accuracy_confident:.3f}"
            ),
        ]
    )
