"""``qa-assist batch``: score a day's recordings and write the day's report."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Self

import typer

from .common import echo_json_line, fail, settings_with, user_errors

if TYPE_CHECKING:
    from ..batch import BatchSummary, Progress

ENGINES = ("local", "ray")


class ProgressBar:
    """Calls done of all, audio hours done, calls per minute and time left, on stderr."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
        from rich.progress import Progress as Bar

        self.bar = Bar(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            console=Console(stderr=True),
        )
        self.task = self.bar.add_task("batch", total=None, status="")
        self.started = time.monotonic()
        self.processed = 0

    def __enter__(self) -> Self:
        self.bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.bar.stop()

    def __call__(self, progress: Progress) -> None:
        if progress.item is not None and progress.item.seconds:
            self.processed += 1  # by a worker, not settled at once from the database
        minutes = (time.monotonic() - self.started) / 60
        rate = self.processed / minutes if minutes else 0.0
        left = progress.audio_total - progress.audio_done
        # Time left at the pace of audio so far: call lengths vary far more than their pace.
        eta = (
            f"{minutes * left / progress.audio_done:.0f} min left"
            if progress.audio_done and left > 0
            else "—"
        )
        status = (
            f"{progress.audio_done / 3600:.2f}/{progress.audio_total / 3600:.2f} h audio · "
            f"{rate:.1f} calls/min · {eta}"
        )
        self.bar.update(self.task, total=progress.total, completed=progress.done, status=status)


def _summary_lines(summary: BatchSummary) -> list[str]:
    run = summary.run
    lines = [
        (
            f"run {run.id} for {run.run_date}: {run.scored} scored, {run.skipped} skipped "
            f"(already done), {run.failed} failed of {run.total}"
        ),
        (
            f"{summary.audio_seconds / 3600:.2f} h of audio scored in {summary.wall_seconds:.0f}"
            f" s on {summary.workers} {run.engine} workers x {summary.threads} threads"
        ),
    ]
    lines += [f"failed: {item.source}: {item.reason}" for item in summary.failures]
    lines += [f"report: {path}" for path in summary.report_paths]
    return lines


def _summary_json(summary: BatchSummary) -> str:
    run = summary.run
    return json.dumps(
        {
            "run_id": run.id,
            "date": run.run_date.isoformat(),
            "engine": run.engine,
            "workers": summary.workers,
            "threads": summary.threads,
            "total": run.total,
            "scored": run.scored,
            "skipped": run.skipped,
            "failed": run.failed,
            "failures": [{"source": i.source, "reason": i.reason} for i in summary.failures],
            "audio_hours": round(summary.audio_seconds / 3600, 4),
            "wall_seconds": round(summary.wall_seconds, 1),
            "report": [str(path) for path in summary.report_paths],
        },
        ensure_ascii=False,
    )


def batch(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Folders of recordings (searched recursively) and CSV/JSONL manifests."
        ),
    ],
    day: Annotated[
        str | None,
        typer.Option("--date", help="The day the recordings are of (YYYY-MM-DD); default today."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes or Ray actors; default one per core."),
    ] = None,
    engine: Annotated[str, typer.Option(help="local (processes) or ray.")] = "local",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON line at the end.")
    ] = False,
    rescore: Annotated[
        bool,
        typer.Option(help="Score again calls scored by another rubric version or other models."),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(help="Folder for the report; default: reports in the data folder."),
    ] = None,
    rubric: Annotated[
        str | None, typer.Option(help="Rubric name or YAML file for every call.")
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Database and audio folder.")] = None,
) -> None:
    """Score a day's recordings, resumably, and write the day's report; exit 1 if one failed.

    A rerun does only what is left; a recording that fails is recorded with why, and the rest
    go on."""
    from ..batch import BatchOptions, build_report, collect_inputs, run_batch, write_report
    from ..storage import open_database

    if engine not in ENGINES:
        raise fail(f"unknown engine {engine!r}: {', '.join(ENGINES)}")
    try:
        run_date = date.fromisoformat(day) if day else date.today()
    except ValueError:
        raise fail(f"--date must be YYYY-MM-DD, not {day!r}") from None
    settings = settings_with(rubric=rubric, data_dir=data_dir)
    collected = collect_inputs(inputs)
    for problem in collected.problems:
        typer.secho(
            f"warning: {problem.source}: {problem.reason}", fg=typer.colors.YELLOW, err=True
        )
    options = BatchOptions(run_date, engine, workers, rescore)  # type: ignore[arg-type]
    with user_errors(), ProgressBar() as bar:
        summary = run_batch(settings, collected, options, bar)
    with user_errors():
        day_report = build_report(open_database(settings.resolved_database_url), run_date, settings)
        paths = write_report(day_report, report or settings.data_dir / "reports")
    summary = replace(summary, report_paths=paths)
    for line in _summary_lines(summary):
        typer.echo(line, err=as_json)
    if as_json:
        echo_json_line(_summary_json(summary))
    if summary.run.failed:
        raise typer.Exit(1)
