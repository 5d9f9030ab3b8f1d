"""``qa-assist review ...`` and ``qa-assist calibrate``: people check the machine's scores.

The review queue lists the calls agents dispute and those the scorer was unsure of; a
reviewer overrides an item (with a comment), confirms the call or comments; an agent accepts
a call's result or disputes an item, and a reviewer resolves the dispute. Every action lands in
the audit trail. ``calibrate`` compares the automatic verdicts with people's (stored reviews,
or a CSV of labels) and suggests threshold changes.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import fail, settings_with

if TYPE_CHECKING:
    from ..score import CallScore
    from ..storage import AuditEntry, Dispute, DisputeStore, ReviewStore

app = typer.Typer(
    help="Review automatic scores: queue, show, override, confirm, comment; agents' accept "
    "and dispute, and their resolution.",
    no_args_is_help=True,
)

DataDir = Annotated[Path | None, typer.Option(help="Database and audio folder.")]
Reviewer = Annotated[
    str, typer.Option("--by", help="Who is reviewing (recorded in the audit trail).")
]
Agent = Annotated[str, typer.Option("--by", help="The agent (recorded in the audit trail).")]


def _stores(data_dir: Path | None):  # type: ignore[no-untyped-def]
    from ..storage import CallStore, ReviewStore, open_database

    sessions = open_database(settings_with(data_dir=data_dir).resolved_database_url)
    return CallStore(sessions), ReviewStore(sessions)


def _reviews(data_dir: Path | None) -> ReviewStore:
    return _stores(data_dir)[1]


def _disputes(data_dir: Path | None) -> DisputeStore:
    from ..storage import DisputeStore

    return DisputeStore(_reviews(data_dir).sessions)


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


def _audit_line(entry: AuditEntry) -> str:
    before, after = entry.before.get("verdict"), entry.after.get("verdict")
    if before != after:
        state = f"{before} -> {after}"
    elif after is not None:
        state = str(after)
    else:
        state = f"total {entry.after['total']:.1f}"
    comment = f"  ({entry.comment})" if entry.comment else ""
    return (
        f"  {entry.at:%Y-%m-%d %H:%M} {entry.reviewer}: {entry.action} "
        f"{entry.item_id or 'call'} {state}{comment}"
    )


def _dispute_line(dispute: Dispute) -> str:
    line = (
        f"dispute {dispute.id:4}  call {dispute.call_id} {dispute.file_name} "
        f"({dispute.agent_id or 'no agent'}): {dispute.item_id} {dispute.verdict}  "
        f"{dispute.status}  {dispute.raised_by}: {dispute.reason}"
    )
    if dispute.status != "open":
        changed = f" -> {dispute.new_verdict}" if dispute.new_verdict else ""
        line += f"  | {dispute.resolved_by}{changed}: {dispute.resolution}"
    return line


def _guarded(action):  # type: ignore[no-untyped-def]
    from ..storage import ReviewError

    try:
        return action()
    except ReviewError as error:
        raise fail(str(error)) from None


@app.command()
def queue(data_dir: DataDir = None, limit: int = 50) -> None:
    """Calls agents dispute, then calls waiting for a person, least sure first."""
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
    for dispute in _disputes(data_dir).list(call_id=call_id)[0]:
        typer.echo(_dispute_line(dispute))
    for entry in store.history(call_id):
        typer.echo(_audit_line(entry))


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


@app.command()
def comment(
    call_id: int,
    text: Annotated[str, typer.Argument(help="The remark.")],
    by: Reviewer,
    item: Annotated[
        str | None, typer.Option(help="The item it is about; default the call.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Comment on a call or one of its items without changing a verdict."""
    store = _reviews(data_dir)
    typer.echo(_audit_line(_guarded(lambda: store.comment(call_id, by, text, item))))


@app.command()
def accept(
    call_id: int,
    by: Agent,
    comment: Annotated[str, typer.Option(help="A note for the audit trail.")] = "",
    data_dir: DataDir = None,
) -> None:
    """The agent accepts (acknowledges) the call's reviewed result."""
    store = _disputes(data_dir)
    typer.echo(_audit_line(_guarded(lambda: store.accept(call_id, by, comment))))


@app.command()
def dispute(
    call_id: int,
    item_id: str,
    by: Agent,
    reason: Annotated[str, typer.Option(help="Why the verdict is wrong (申诉理由).")],
    data_dir: DataDir = None,
) -> None:
    """The agent disputes one item's verdict (申诉); it waits for a reviewer."""
    store = _disputes(data_dir)
    typer.echo(_dispute_line(_guarded(lambda: store.dispute(call_id, item_id, by, reason))))


@app.command()
def disputes(
    status: Annotated[str, typer.Option(help="open, upheld, rejected, or all.")] = "open",
    call: Annotated[int | None, typer.Option(help="Only this call's.")] = None,
    agent: Annotated[str | None, typer.Option(help="Only calls of this agent id.")] = None,
    limit: int = 100,
    data_dir: DataDir = None,
) -> None:
    """Disputes, oldest first (by default the open ones, waiting for an answer)."""
    from ..storage.disputes import DISPUTE_STATUSES

    if status != "all" and status not in DISPUTE_STATUSES:
        raise fail(f"--status must be one of {', '.join(DISPUTE_STATUSES)} or all, not {status!r}")
    found, count = _disputes(data_dir).list(
        None if status == "all" else status,
        call,
        agent,
        limit,  # type: ignore[arg-type]
    )
    for entry in found:
        typer.echo(_dispute_line(entry))
    typer.echo(f"{count} dispute(s)")


@app.command()
def resolve(
    dispute_id: int,
    outcome: Annotated[str, typer.Argument(help="upheld (the verdict changes) or rejected")],
    by: Reviewer,
    comment: Annotated[str, typer.Option(help="The answer the agent reads.")],
    verdict: Annotated[
        str | None, typer.Option(help="The item's verdict when upheld; default pass for a fail.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Answer an agent's dispute: upheld sets the item's verdict, rejected keeps it."""
    store = _disputes(data_dir)
    typer.echo(
        _dispute_line(_guarded(lambda: store.resolve(dispute_id, outcome, by, comment, verdict)))
    )


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
