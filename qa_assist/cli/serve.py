"""``qa-assist serve``: the HTTP service."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import settings_with

if TYPE_CHECKING:
    from ..settings import Settings


def run_server(settings: Settings) -> None:
    import uvicorn

    from ..api import create_app

    typer.secho(f"qa_assist is serving at http://{settings.host}:{settings.port}/", bold=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Database and audio folder.")] = None,
) -> None:
    """Start the API and the web pages."""
    run_server(settings_with(host=host, port=port, data_dir=data_dir))
