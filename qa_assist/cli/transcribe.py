"""``qa-assist transcribe``: turns, timed segments and call metrics of recordings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import echo_json_line, fail, settings_with, user_error_types

if TYPE_CHECKING:
    from ..transcribe import CallMetrics


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
        for turn in transcript.turns:
            typer.echo(f"[{turn.start:7.2f} – {turn.end:7.2f}] {turn.speaker:8} {turn.text}")
        if transcript.metrics:
            typer.echo(_metrics_line(transcript.metrics))
    if failures:
        raise typer.Exit(1)


def _metrics_line(metrics: CallMetrics) -> str:
    dead_air = metrics.longest_dead_air.seconds if metrics.longest_dead_air else 0.0
    talk = ", ".join(
        f"{item.speaker} {item.talk_seconds:.0f} s at {item.speech_rate_cpm:.0f}/min"
        for item in metrics.speakers
    )
    return (
        f"   talk: {talk}; silence {metrics.silence_ratio:.0%}, longest dead air {dead_air:.1f} s, "
        f"holds {len(metrics.holds)}, overtalk {metrics.overtalk_seconds:.1f} s, "
        f"interruptions {len(metrics.agent_interruptions)}"
    )
