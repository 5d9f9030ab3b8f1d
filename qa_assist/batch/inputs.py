"""What a batch scores: recordings found in folders (recursively) and listed in manifests.

A manifest is CSV (a header row) or JSON lines, one recording per row: ``path`` (relative to
the manifest's folder, or absolute) and optional ``agent``, ``team``, ``call_time`` (ISO 8601),
``ticket_id``, ``direction`` (inbound/outbound), ``channel_layout`` (agent_left, agent_right,
mono) and ``scenario``. A row that cannot be used is reported with its file and line; the others
go on. A recording listed in a manifest and also found in a folder is one input, with the
manifest's metadata.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..jsonl import read_objects
from ..score import SCENARIOS
from ..storage import CallMetadata, ChannelLayout, Direction

AUDIO_EXTENSIONS = frozenset(
    {".wav", ".mp3", ".m4a", ".aac", ".flac", ".ogg", ".opus", ".amr", ".wma", ".webm"}
)
MANIFEST_EXTENSIONS = frozenset({".csv", ".jsonl"})
#: Other spellings recorders and call-centre exports use for the layout.
_LAYOUTS: dict[str, ChannelLayout] = {
    "agent_left": "agent_left",
    "left": "agent_left",
    "agent_right": "agent_right",
    "right": "agent_right",
    "mono": "mono",
}


@dataclass(frozen=True)
class BatchInput:
    path: Path
    #: None: triage reads it from the customer's words
    scenario: str | None
    metadata: CallMetadata
    #: where it was listed: ``manifest.csv:3``, or the folder or file given
    origin: str


@dataclass(frozen=True)
class InputProblem:
    #: ``manifest.csv:3``, or the argument that named nothing usable
    source: str
    reason: str


@dataclass(frozen=True)
class CollectedInputs:
    inputs: tuple[BatchInput, ...]
    problems: tuple[InputProblem, ...]


class ManifestRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    path: str = Field(min_length=1)
    agent: str | None = Field(default=None, validation_alias=AliasChoices("agent", "agent_id"))
    team: str | None = None
    call_time: datetime | None = Field(
        default=None, validation_alias=AliasChoices("call_time", "time")
    )
    ticket_id: str | None = Field(
        default=None, validation_alias=AliasChoices("ticket_id", "ticket")
    )
    direction: Direction | None = None
    channel_layout: str | None = Field(
        default=None, validation_alias=AliasChoices("channel_layout", "layout", "channels")
    )
    scenario: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("channel_layout")
    @classmethod
    def _known_layout(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in _LAYOUTS:
            raise ValueError(f"must be one of {', '.join(_LAYOUTS)}")
        return value

    @field_validator("scenario")
    @classmethod
    def _known_scenario(cls, value: str | None) -> str | None:
        if value is not None and value not in SCENARIOS:
            raise ValueError(f"must be one of {', '.join(SCENARIOS)}")
        return value

    def metadata(self) -> CallMetadata:
        return CallMetadata(
            agent_id=self.agent,
            team=self.team,
            # A time without a zone is the recorder's local time.
            call_time=self.call_time.astimezone() if self.call_time else None,
            ticket_id=self.ticket_id,
            direction=self.direction,
            channel_layout=_LAYOUTS[self.channel_layout.lower()] if self.channel_layout else None,
        )


def _why(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'row'}: {problem['msg']}"
        for problem in error.errors()
    )


def _rows(manifest: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, the row) or (line number, why it is no row)."""
    if manifest.suffix.lower() != ".csv":
        yield from read_objects(manifest)
        return
    with manifest.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "path" not in reader.fieldnames:
            yield 1, "the header row has no 'path' column"
            return
        for row in reader:
            if None in row:
                yield reader.line_num, "more cells than the header has columns"
            elif any(value for value in row.values()):
                yield reader.line_num, row


def read_manifest(manifest: Path) -> tuple[list[BatchInput], list[InputProblem]]:
    inputs: list[BatchInput] = []
    problems: list[InputProblem] = []
    try:
        rows = list(_rows(manifest))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return [], [InputProblem(str(manifest), f"cannot be read ({error})")]
    for number, row in rows:
        where = f"{manifest}:{number}"
        if isinstance(row, str):
            problems.append(InputProblem(where, row))
            continue
        try:
            parsed = ManifestRow.model_validate(row)
        except ValidationError as error:
            problems.append(InputProblem(where, _why(error)))
            continue
        path = Path(parsed.path)
        inputs.append(
            BatchInput(
                (manifest.parent / path).resolve() if not path.is_absolute() else path,
                parsed.scenario,
                parsed.metadata(),
                where,
            )
        )
    return inputs, problems


def _recordings(folder: Path) -> list[Path]:
    return sorted(
        path.resolve()
        for path in folder.rglob("*")
        if path.suffix.lower() in AUDIO_EXTENSIONS
        and not path.name.startswith(".")
        and path.is_file()
    )


def collect_inputs(arguments: Sequence[Path]) -> CollectedInputs:
    """Every recording the arguments name: folders, manifests and single recordings."""
    listed: dict[Path, BatchInput] = {}
    found: dict[Path, BatchInput] = {}
    problems: list[InputProblem] = []
    for argument in arguments:
        kind: Literal["folder", "manifest", "recording"] | None = (
            "folder"
            if argument.is_dir()
            else "manifest"
            if argument.suffix.lower() in MANIFEST_EXTENSIONS and argument.is_file()
            else "recording"
            if argument.suffix.lower() in AUDIO_EXTENSIONS
            else None
        )
        if kind == "folder":
            recordings = _recordings(argument)
            if not recordings:
                problems.append(InputProblem(str(argument), "no recordings in the folder"))
            for path in recordings:
                found.setdefault(path, BatchInput(path, None, CallMetadata(), str(argument)))
        elif kind == "manifest":
            inputs, bad = read_manifest(argument)
            problems.extend(bad)
            for item in inputs:
                if item.path in listed:
                    problems.append(
                        InputProblem(item.origin, f"listed before at {listed[item.path].origin}")
                    )
                else:
                    listed[item.path] = item
        elif kind == "recording":
            # A missing file is the worker's to report, like any recording it cannot read.
            path = argument.resolve()
            found.setdefault(path, BatchInput(path, None, CallMetadata(), str(argument)))
        elif not argument.exists():
            problems.append(InputProblem(str(argument), "no such file or folder"))
        else:
            problems.append(
                InputProblem(
                    str(argument),
                    "not a folder, a manifest (.csv, .jsonl) or a recording "
                    f"({', '.join(sorted(AUDIO_EXTENSIONS))})",
                )
            )
    merged = {**found, **listed}
    return CollectedInputs(tuple(merged.values()), tuple(problems))
