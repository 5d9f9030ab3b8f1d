"""``qa-assist transcribe``: text and timed segments for recordings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .common import user_error_types, echo_json_line, fail, settings_with


def transcribe(
    files: Annotated[list[Path], typer.Argument(help="Recordings (WAV, MP3, M4A, ...).")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file.")] = False,
    engine: Annotated[
        str | None, typer.Option(help="faster-whisper (default) or openai-whisper.")
    ] = None,
    language: Annotated[str | None, typer.Option(help="Language code, or 'auto'.")] = None,
) -> None:
    """Transcribe recordings; a bad file is reported and the rest go on."""
    from ..models import ModelRegistry
    from ..transcribe import ENGINES, Transcriber

    if engine is not None and engine not in ENGINES:
        raise fail(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    settings = settings_with(engine=engine, language=language)
    transcriber = Transcriber(settings, ModelRegistry(settings))
    failures = 0
    for path in files:
        try:
            transcript = transcriber.transcribe(path)
        except user_error_types() as error:
            failures += 1
            typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
            continue
        if as_json:
            echo_json_line(json.dumps(transcript.to_dict(), ensure_ascii=False))
            continue
        typer.secho(f"== {path} ({transcript.language}, {transcript.duration:.1f} s)", bold=True)
        for segment in transcript.segments:
            typer.echo(f"[{segment.start:7.2f} – {segment.end:7.2f}] {segment.speaker:8} {segment.text}")
    if failures:
        raise typer.Exit(1)
