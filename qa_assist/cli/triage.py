"""``qa-assist triage``: train and evaluate the ticket classifier, classify tickets, check
ticket records against their calls.

``qa-assist triage TEXT`` is short for ``qa-assist triage classify TEXT``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer
from typer.core import TyperGroup

from ..jsonl import Line, chunks, read_objects
from .common import echo_json_line, fail, settings_with, user_errors
from .triage_check import check

if TYPE_CHECKING:
    from ..triage.results import TriageResult

#: Lines classified per model call when reading a file: large enough for batching to pay,
#: small enough that results stream out.
_FILE_BATCH = 64


class _ClassifyByDefault(TyperGroup):
    """Reads ``triage TEXT`` (and ``triage --file F``) as ``triage classify ...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["classify", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_ClassifyByDefault,
    help="Ticket triage: type, subsystem, priority, escalation risk and entities.",
    no_args_is_help=True,
)


@app.command()
def train(
    force: Annotated[bool, typer.Option(help="Train even if the model is up to date.")] = False,
    epochs: Annotated[
        int | None, typer.Option(help="Passes over the data (default: the measured recipe).")
    ] = None,
    splits: Annotated[
        list[str] | None,
        typer.Option("--split", help="Data set splits to train on (default: train and dev)."),
    ] = None,
) -> None:
    """Fine-tune the classifier on the labelled tickets and save it (a few minutes on 2 cores)."""
    from ..triage.build import ensure_trained, training_options

    try:
        options = training_options(epochs, splits)
    except ValueError as error:
        raise fail(str(error)) from None

    def progress(epoch: int, loss: float, seconds: float, _model: object) -> None:
        typer.echo(f"epoch {epoch}/{options.epochs}: loss {loss:.3f} ({seconds:.0f} s)")

    with user_errors():
        outcome = ensure_trained(settings_with(), options, force=force, on_epoch=progress)
    manifest = outcome.manifest
    state = "trained" if outcome.trained else "up to date"
    typer.echo(
        f"{state}: {outcome.version} at {outcome.folder} (trained on {', '.join(manifest.trained_on)} "
        f"in {manifest.training_seconds:.0f} s)"
    )
    # What the classifier does: the encoder model and the n-gram model combined.
    for split, metrics in outcome.metrics.items():
        typer.echo(
            f"  {split}: " + ", ".join(f"{name} {value:.3f}" for name, value in metrics.items())
        )


@app.command("eval")
def evaluate(
    split: Annotated[str, typer.Option(help="train, dev or test.")] = "test",
    as_json: Annotated[
        bool, typer.Option("--json", help="All numbers as one JSON object.")
    ] = False,
) -> None:
    """Per-class precision, recall and F1 and confusion matrices on a data set split."""
    from ..models import ModelRegistry
    from ..triage import load_tickets
    from ..triage.evaluation import evaluate as run_evaluation
    from ..triage.evaluation import format_evaluation
    from ..triage.manifest import read_manifest

    if split not in ("train", "dev", "test"):
        raise fail(f"unknown split {split!r}; choose train, dev or test")
    settings = settings_with()
    registry = ModelRegistry(settings)
    with user_errors():
        manifest = read_manifest(registry.triage_model_dir())
        classifier = registry.triage_classifier()
    if split in manifest.trained_on:
        typer.secho(
            f"warning: the model was trained on {split}; these numbers are not a test",
            err=True,
            fg=typer.colors.YELLOW,
        )
    result = run_evaluation(classifier, load_tickets(split=split), split)  # type: ignore[arg-type]
    if as_json:
        echo_json_line(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        typer.echo(format_evaluation(result))


def _describe(result: TriageResult) -> str:
    from ..triage import load_labels

    labels = load_labels()
    ticket_type = labels.get("types", result.type)
    lines = [
        f"type      {ticket_type.zh} {ticket_type.en} ({result.type}, {result.type_scores[result.type]:.0%})"
    ]
    others = [
        f"{name} {score:.0%}"
        for name, score in result.type_scores.items()
        if name != result.type and score >= 0.1
    ]
    if others:
        lines[-1] += f"; also {', '.join(others)}"
    if result.subsystem is not None:
        subsystem = labels.get("subsystems", result.subsystem)
        lines.append(f"subsystem {subsystem.zh} {subsystem.en} ({result.subsystem})")
    priority = labels.get("priorities", result.priority)
    lines.append(f"priority  {result.priority} {priority.zh} / {priority.en}")
    for reason in result.priority_reasons:
        said = (
            f": {reason.phrase}" + (f" + {reason.context}" if reason.context else "")
            if reason.phrase
            else ""
        )
        lines.append(f"          because {reason.zh} / {reason.en}{said}")
    risk = result.escalation_risk
    if risk.level != "none":
        phrases = ", ".join(f"{t.signal}: {t.phrase}" for t in risk.triggers)
        lines.append(f"escalation {risk.level} ({phrases})")
    for item in result.entities.all():
        lines.append(f"entity    {type(item).__name__} {item.value}")  # type: ignore[attr-defined]
    review = "  needs human review" if result.needs_human else ""
    lines.append(f"confidence {result.confidence:.2f}{review}")
    return "\n".join(lines)


def _with_text(line: Line) -> Line:
    number, item = line
    if isinstance(item, dict) and not (isinstance(item.get("text"), str) and item["text"].strip()):
        return number, 'needs a JSON object with a non-empty "text"'
    return line


@app.command()
def classify(
    text: Annotated[
        str | None, typer.Argument(help="The ticket, e-mail, chat or transcript text.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help='JSON lines, each an object with a "text" (other fields pass through).'
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per ticket.")] = False,
) -> None:
    """Type, subsystem, priority (with the safety rules that forced it), escalation risk and entities."""
    from ..models import ModelRegistry

    if (text is None) == (file is None):
        raise fail("give a TEXT or --file, not both")
    with user_errors():
        classifier = ModelRegistry(settings_with()).triage_classifier()
        if text is not None:
            result = classifier.classify(text)
            echo_json_line(
                json.dumps(result.to_dict(), ensure_ascii=False)
            ) if as_json else typer.echo(_describe(result))
            return
        assert file is not None
        failures = 0
        for chunk in chunks(map(_with_text, read_objects(file)), _FILE_BATCH):
            good = [(number, item) for number, item in chunk if isinstance(item, dict)]
            results = iter(classifier.classify_batch([item["text"] for _, item in good]))
            for number, item in chunk:
                if isinstance(item, str):
                    failures += 1
                    typer.secho(f"error: {file}:{number}: {item}", fg=typer.colors.RED, err=True)
                    continue
                result = next(results)
                if as_json:
                    echo_json_line(json.dumps({**item, **result.to_dict()}, ensure_ascii=False))
                else:
                    typer.echo(f"== {file}:{number}\n{_describe(result)}")
    if failures:
        raise typer.Exit(1)


app.command()(check)

__all__ = ["app"]
