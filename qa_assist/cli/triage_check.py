"""``qa-assist triage check``: ticket quality check (工单质检) of ticket records against the
calls they came from, with the ticket error rate per agent."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..jsonl import read_objects
from .common import echo_json_line, settings_with, user_errors

if TYPE_CHECKING:
    from ..settings import Settings
    from ..storage import CallStore


def check(
    file: Annotated[
        Path,
        typer.Argument(
            help="JSON lines: a ticket record (id, type, agent_id, vin, plate, phone, ...) with "
            '"call_text" or "call_id" (a scored call in the database).'
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per ticket, then the agent rates.")
    ] = False,
) -> None:
    """Ticket quality check (工单质检): records against their type's template and their calls;
    error rate per agent."""
    from ..models import ModelRegistry
    from ..triage.quality import TicketChecker, TicketRecord, agent_error_rates

    settings = settings_with()
    pairs: list[tuple[TicketRecord, str]] = []
    failures = 0
    with user_errors():
        store = None
        for number, payload in read_objects(file):
            try:
                if isinstance(payload, str):
                    raise ValueError(payload)  # noqa: TRY004 (a refused line, reported like the rest)
                call_id, call_text = payload.pop("call_id", None), payload.pop("call_text", None)
                if call_text is None and call_id is not None:
                    store = store or _store(settings)
                    call_text = _call_text(store, int(call_id))
                if not call_text:
                    raise ValueError('needs "call_text" or the "call_id" of a transcribed call')
                pairs.append((TicketRecord.from_dict(payload), call_text))
            except (ValueError, TypeError) as error:
                failures += 1
                typer.secho(f"error: {file}:{number}: {error}", fg=typer.colors.RED, err=True)
        reports = TicketChecker(ModelRegistry(settings).triage_classifier()).check_batch(pairs)
    for report in reports:
        if as_json:
            echo_json_line(json.dumps(report.to_dict(), ensure_ascii=False))
            continue
        typer.echo(
            f"== ticket {report.ticket_id} (agent {report.agent_id or 'unknown'}): "
            f"{'ok' if not report.issues else f'{len(report.issues)} issue(s)'}"
        )
        for issue in report.issues:
            typer.echo(f"  {issue.severity:8} {issue.code:18} {issue.message}")
    rates = agent_error_rates(reports)
    if as_json:
        echo_json_line(json.dumps({"agents": [asdict(rate) for rate in rates]}, ensure_ascii=False))
    else:
        typer.echo("\nagent            tickets  with errors  error rate")
        for rate in rates:
            typer.echo(
                f"{rate.agent_id:16} {rate.tickets:7d}  {rate.tickets_with_errors:11d}  {rate.error_rate:10.1%}"
            )
    if failures:
        raise typer.Exit(1)


def _store(settings: Settings) -> CallStore:
    from ..storage import CallStore, open_database

    return CallStore(open_database(settings.resolved_database_url))


def _call_text(store: CallStore, call_id: int) -> str:
    from ..triage.quality import transcript_text

    record = store.get_call(call_id)
    if record is None or record.transcript is None:
        raise ValueError(f"no transcribed call with id {call_id}")
    return transcript_text(
        [(segment.speaker, segment.text) for segment in record.transcript.segments]
    )
