"""The ``qa-assist`` command."""

from __future__ import annotations

from typing import Annotated

import typer

from . import batch, calls, kb, models, review, serve, transcribe, triage, users
from .common import configure_logging

app = typer.Typer(
    help="qa_assist: call QA, ticket triage and knowledge-base suggestions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(models.app, name="models")
app.add_typer(triage.app, name="triage")
app.add_typer(review.app, name="review")
app.add_typer(kb.app, name="kb")
app.add_typer(users.app, name="users")
app.command()(transcribe.transcribe)
app.command()(calls.score)
app.command()(calls.demo)
app.command()(batch.batch)
app.command()(review.calibrate)
app.command()(serve.serve)


@app.callback()
def _options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    configure_logging(verbose)


def main() -> None:
    app()


__all__ = ["app", "main"]
