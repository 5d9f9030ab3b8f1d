"""What every command shares: settings from options, logging set-up, and clean errors."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from ..settings import Settings


def user_error_types() -> tuple[type[Exception], ...]:
    """Errors a user can fix; printed as one line, never as a traceback. Imported here, not at
    module level, so ``qa-assist --help`` does not load numpy and pydantic."""
    from ..kb import KbIndexError
    from ..models import ModelError
    from ..score import RubricError
    from ..transcribe import AudioError

    return (AudioError, RubricError, ModelError, KbIndexError, OSError)


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("qa_assist").setLevel(logging.DEBUG if verbose else logging.INFO)


def settings_with(**overrides: object) -> Settings:
    """The settings from the environment and config file, with command-line options on top."""
    from ..settings import Settings

    return Settings(**{key: value for key, value in overrides.items() if value is not None})


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except user_error_types() as error:
        raise fail(str(error)) from None


def echo_json_line(payload: str) -> None:
    sys.stdout.write(payload + "\n")
    sys.stdout.flush()
