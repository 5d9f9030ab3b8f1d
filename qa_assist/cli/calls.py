"""``qa-assist score`` and ``qa-assist demo``: recordings in, scored calls in the database out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import fail, settings_with, user_error_types, user_errors

Scenario = typer.Option(
    help="general, fault, rescue, complaint or consultation: picks the rubric of that name "
    "(unless --rubric is given) and the items that apply; default: read by triage from what "
    "the customer says."
)
TicketType = typer.Option(help="The call's ticket type from triage; sets the scenario it names.")


def _processor(settings, registry=None):  # type: ignore[no-untyped-def]
    from ..models import ModelRegistry
    from ..processing import CallProcessor
    from ..storage import CallStore, open_database

    with user_errors():
        store = CallStore(open_database(settings.resolved_database_url))
        return CallProcessor(settings, registry or ModelRegistry(settings), store)


def _report(result) -> None:  # type: ignore[no-untyped-def]
    if result.score is None:
        typer.echo(f"call {result.call_id:4}  {result.file_name}: already scored")
        return
    score = result.score
    fatal = "  FATAL" if score.fatal_failure else ""
    review = "  to review" if score.needs_review else ""
    failed = [item.item_id for item in score.items if item.verdict == "fail"]
    typer.echo(
        f"call {result.call_id:4}  {result.file_name}: {score.total:5.1f}{fatal}{review}"
        f"  ({score.rubric_id} {score.rubric_version})"
        + (f"  failed: {', '.join(failed)}" if failed else "")
    )


def score(
    files: Annotated[list[Path], typer.Argument(help="Recordings to score and store.")],
    scenario: Annotated[str | None, Scenario] = None,
    ticket_type: Annotated[str | None, TicketType] = None,
    agent: Annotated[str | None, typer.Option(help="Agent id.")] = None,
    rubric: Annotated[str | None, typer.Option(help="Rubric name or YAML file.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Database and audio folder.")] = None,
) -> None:
    """Transcribe, score and store recordings; a bad file is reported and the rest go on."""
    from ..score import SCENARIOS, scenario_for_ticket_type

    if scenario is not None and scenario not in SCENARIOS:
        raise fail(f"unknown scenario {scenario!r}: {', '.join(SCENARIOS)}")
    from ..storage import CallMetadata

    # Neither given: triage reads the scenario from what the customer says.
    scenario = scenario or (scenario_for_ticket_type(ticket_type) if ticket_type else None)
    processor = _processor(settings_with(rubric=rubric, data_dir=data_dir))
    failures = 0
    for path in files:
        try:
            _report(processor.process(path, scenario, CallMetadata(agent_id=agent)))
        except user_error_types() as error:
            failures += 1
            typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    if failures:
        raise typer.Exit(1)


def demo(
    data_dir: Annotated[Path | None, typer.Option(help="Database and audio folder.")] = None,
    serve: Annotated[bool, typer.Option(help="Start the web service afterwards.")] = True,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Prepare models, synthesise the demo calls, score them into the database, index the seed
    knowledge base, serve them."""
    from ..auth import UserStore
    from ..demo import generate_demo_calls
    from ..demo.roster import call_metadata, ensure_accounts
    from ..kb import seed_knowledge_base
    from ..models import ModelRegistry, prepare_models
    from .serve import run_server

    settings = settings_with(data_dir=data_dir, host=host, port=port)
    with user_errors():
        prepare_models(settings.models_dir)
        calls = generate_demo_calls(settings.data_dir / "demo_calls")
    registry = ModelRegistry(settings)
    processor = _processor(settings, registry)
    for index, call in enumerate(calls):
        with user_errors():
            _report(processor.process(call.path, call.scenario, call_metadata(index)))
    with user_errors():
        # Agent assist and /suggest answer from the knowledge base: start it with the seed.
        index = seed_knowledge_base(registry).index()
    typer.echo(f"knowledge base: {index.size} entries")
    credentials = settings.data_dir / "demo-accounts.tsv"
    accounts = ensure_accounts(UserStore(processor.store.sessions), credentials)
    typer.echo(f"sign in with one of these demo accounts (kept in {credentials}):")
    for account in accounts:
        typer.echo(f"  {account.username:8} {account.role:7} password {account.password}")
    if serve:
        run_server(settings)
