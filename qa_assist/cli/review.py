"""``qa-assist review ...`` and ``qa-assist calibrate``: people check the machine's scores.

The review queue lists the calls the scorer was unsure of; a reviewer overrides an item (with a
comment) or confirms the call; every action lands in the audit trail. ``calibrate`` compares
the automatic verdicts with people's (stored reviews, or a CSV of labels) and suggests
threshold changes.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import fail, settings_with

if TYPE_CHECKING:
    from ..score import CallScore
    from ..storage import ReviewStore

app = typer.Typer(
    help="Review automatic scores: queue, show, override, confirm.", no_args_is_help=True
)

DataDir = Annotated[Path | None, typer.Option(help="Database and audio folder.")]
Reviewer = Annotated[
    str, typer.Option("--by", help="Who is reviewing (recorded in the audit trail).")
]


def _stores(data_dir: Path | None):  # type: ignore[no-untyped-def]
    from ..storage import CallStore, ReviewStore, open_database

    sessions = open_database(settings_with(data_dir=data_dir).resolved_database_url)
    return CallStore(sessions), ReviewStore(sessions)


def _reviews(data_dir: Path | None) -> ReviewStore:
    return _stores(data_dir)[1]


def _print_score(score: CallScore) -> None:
    fatal = "  FATAL" if score.fatal_failure else ""
    typer.echo(
        f"{score.rubric_id} {score.rubric_version}: {score.total:.1f}{fatal}  confidence {score.confidence:.2f}"
    )
    for item in score.items:
        changed = (
            f"  [{item.override.reviewer}: was {item.override.auto_verdict}; {item.override.comment}]"
            if item.override
            else ""
        )
        typer.echo(
            f"  {item.item_id:26} {item.verdict:15} {item.confidence:4.2f}  {item.reason}{changed}"
        )


def _guarded(action):  # type: ignore[no-untyped-def]
    from ..storage import ReviewError

    try:
        return action()
    except ReviewError as error:
        raise fail(str(error)) from None


@app.command()
def queue(data_dir: DataDir = None, limit: int = 50) -> None:
    """Calls waiting for a person, least sure first."""
    waiting = _reviews(data_dir).queue(limit)
    for call in waiting:
        typer.echo(
            f"call {call.call_id:4}  {call.file_name}: {call.total:5.1f}  confidence {call.confidence:.2f}  {'; '.join(call.items)}"
        )
    typer.echo(f"{len(waiting)} call(s) waiting")


@app.command()
def show(call_id: int, data_dir: DataDir = None) -> None:
    """A call's reviewed score and its audit trail."""
    store = _reviews(data_dir)
    _print_score(_guarded(lambda: store.reviewed_score(call_id)))
    for entry in store.history(call_id):
        typer.echo(
            f"  {entry.at:%Y-%m-%d %H:%M} {entry.reviewer}: {entry.action} {entry.item_id} "
            f"{entry.before['verdict']} -> {entry.after['verdict']}"
            + (f"  ({entry.comment})" if entry.comment else "")
        )


@app.command()
def override(
    call_id: int,
    item_id: str,
    verdict: Annotated[str, typer.Argument(help="pass, fail, not_applicable or needs_review")],
    by: Reviewer,
    comment: Annotated[
        str, typer.Option(help="Why (shown to the agent and in the audit trail).")
    ] = "",
    data_dir: DataDir = None,
) -> None:
    """Set a person's verdict on one item; the automatic result is kept."""
    store = _reviews(data_dir)
    _print_score(_guarded(lambda: store.override(call_id, item_id, verdict, by, comment)))  # type: ignore[arg-type]


@app.command()
def confirm(
    call_id: int,
    by: Reviewer,
    comment: Annotated[str, typer.Option(help="A note for the audit trail.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Agree with every current verdict of a call (it leaves the queue)."""
    store = _reviews(data_dir)
    _print_score(_guarded(lambda: store.confirm(call_id, by, comment)))


def _labels_from_csv(path: Path, data_dir: Path | None):  # type: ignore[no-untyped-def]
    """(automatic score, human score) pairs from rows ``call_id,item_id,verdict``."""
    from ..score.calibration import HumanScore

    calls, _ = _stores(data_dir)
    by_call: dict[int, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_call.setdefault(int(row["call_id"]), {})[row["item_id"]] = row["verdict"]
    pairs = []
    for call_id, items in by_call.items():
        record = calls.get_call(call_id)
        if record is None or record.score is None:
            raise fail(f"{path}: call {call_id} is not a scored call")
        pairs.append((record.score, HumanScore(str(call_id), items)))
    return pairs


def calibrate(
    labels: Annotated[
        Path | None,
        typer.Argument(help="CSV with call_id,item_id,verdict; default: the stored reviews."),
    ] = None,
    min_gain: Annotated[
        int, typer.Option(help="Suggest a threshold only if it fixes this many verdicts.")
    ] = 2,
    data_dir: DataDir = None,
) -> None:
    """Compare automatic verdicts with people's and suggest threshold changes.

    Prints per-item agreement and Cohen's κ, overall agreement and κ, and the mean absolute
    error of the call totals.
    """
    from ..score import load_rubric, shipped_rubrics
    from ..score.calibration import calibrate as run
    from ..score.calibration import format_report

    pairs = _labels_from_csv(labels, data_dir) if labels else _reviews(data_dir).human_scores()
    if not pairs:
        raise fail("no human verdicts: review some calls first, or pass a CSV of labels")
    rubrics = [load_rubric(name) for name in shipped_rubrics()]
    typer.echo(format_report(run(pairs, rubrics, min_gain)))
