"""Rubrics (scorecards) are versioned YAML files; these models validate them at load time."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Scenario = Literal["general", "fault", "rescue", "complaint", "consultation"]


class RubricError(ValueError):
    """A rubric that cannot be used; the message names the file, the item and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    zh: str
    en: str


class Window(_Strict):
    """Where in the call an item is looked for; both limits may be combined."""

    first_seconds: float | None = Field(default=None, gt=0)
    last_seconds: float | None = Field(default=None, gt=0)


class PhraseCheck(_Strict):
    """Passes when the speaker says at least ``min_hits`` of the phrases (``present``), or
    fails when they say any of them (``absent``), tolerating transcription errors."""

    type: Literal["phrase_present", "phrase_absent"]
    phrases: list[str] = Field(min_length=1)
    min_hits: int = Field(default=1, ge=1)
    #: similarity (0..1, characters or fuzzy pinyin) at which a phrase counts as said
    threshold: float = Field(default=0.8, gt=0, le=1)

    @model_validator(mode="after")
    def _hits_possible(self) -> PhraseCheck:
        if self.min_hits > len(self.phrases):
            raise ValueError(f"min_hits {self.min_hits} exceeds the {len(self.phrases)} phrases")
        return self


Check = Annotated[PhraseCheck, Field(discriminator="type")]


class Item(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    points: float = Field(ge=0)
    #: 一票否决: failing it sets the whole call to 0
    fatal: bool = False
    speaker: Literal["agent", "customer", "both"] = "agent"
    window: Window = Window()
    #: scenarios the item applies to; empty means all
    scenarios: list[Scenario] = []
    check: Check
    coaching: Text | None = None


class Rubric(_Strict):
    id: str
    version: str
    title: Text
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        ids = [item.id for item in self.items]
        duplicates = sorted({item_id for item_id in ids if ids.count(item_id) > 1})
        if duplicates:
            raise ValueError(f"item ids used twice: {', '.join(duplicates)}")
        return self

    @property
    def max_points(self) -> float:
        return sum(item.points for item in self.items)


def _describe(error: ValidationError, data: object) -> str:
    problems = []
    for detail in error.errors():
        location = list(detail["loc"])
        where = ".".join(str(part) for part in location)
        # Name the item by its id, not its index: that is what the author sees in the file.
        if len(location) >= 2 and location[0] == "items" and isinstance(data, dict):
            items = data.get("items") or []
            index = location[1]
            if isinstance(index, int) and index < len(items) and isinstance(items[index], dict):
                rest = ".".join(str(part) for part in location[2:])
                where = f"item {items[index].get('id', index)!r}" + (f" field {rest}" if rest else "")
        problems.append(f"{where}: {detail['msg']}")
    return "; ".join(problems)


def parse_rubric(text: str, source: str) -> Rubric:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RubricError(f"{source}: not valid YAML ({error})") from error
    try:
        return Rubric.model_validate(data)
    except ValidationError as error:
        raise RubricError(f"{source}: {_describe(error, data)}") from error


def load_rubric(name_or_path: str) -> Rubric:
    """A shipped rubric by name (``general``) or any YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"}:
        try:
            return parse_rubric(path.read_text(encoding="utf-8"), str(path))
        except OSError as error:
            raise RubricError(f"{path}: cannot read the rubric ({error.strerror})") from error
    shipped = resources.files("qa_assist.score") / "rubrics" / f"{name_or_path}.yaml"
    if not shipped.is_file():
        raise RubricError(f"unknown rubric {name_or_path!r}: {', '.join(shipped_rubrics())}")
    return parse_rubric(shipped.read_text(encoding="utf-8"), f"rubric {name_or_path}")


def shipped_rubrics() -> list[str]:
    folder = resources.files("qa_assist.score") / "rubrics"
    return sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir() if entry.name.endswith(".yaml"))
