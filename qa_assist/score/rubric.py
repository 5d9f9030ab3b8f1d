"""Rubrics (scorecards) are versioned YAML files; these models validate them at load time.

An item holds one or more checks, combined with ``all`` (every check must pass) or ``any``
(one passing check is enough: a standard phrase *or* a line meaning the same). A scenario
rubric may ``extends: general`` to take the general items and add or replace its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Scenario = Literal["general", "fault", "rescue", "complaint", "consultation"]
SCENARIOS: tuple[Scenario, ...] = ("general", "fault", "rescue", "complaint", "consultation")
SpeakerScope = Literal["agent", "customer", "both"]
Expect = Literal["present", "absent"]
Metric = Literal[
    "longest_dead_air",
    "silence_ratio",
    "holds",
    "overtalk_seconds",
    "interruptions",
    "agent_speech_rate",
    "agent_talk_ratio",
    "agent_first_response",
]


class RubricError(ValueError):
    """A rubric that cannot be used; the message names the file, the item and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    zh: str
    en: str


class After(_Strict):
    """An event that opens a window: the first turn in which ``speaker`` says a phrase."""

    speaker: SpeakerScope = "customer"
    phrases: list[str] = Field(min_length=1)
    threshold: float = Field(default=0.8, gt=0, le=1)


class Window(_Strict):
    """Where in the call an item is looked for; the limits combine."""

    first_seconds: float | None = Field(default=None, gt=0)
    last_seconds: float | None = Field(default=None, gt=0)
    #: only turns from the event on (e.g. after the customer mentions a complaint)
    after: After | None = None


class PhraseCheck(_Strict):
    """At least ``min_hits`` of the phrases said (``present``) or none of them (``absent``),
    tolerating transcription errors (characters or fuzzy pinyin)."""

    type: Literal["phrase"]
    expect: Expect = "present"
    phrases: list[str] = Field(min_length=1)
    min_hits: int = Field(default=1, ge=1)
    #: similarity (0..1) at which a phrase counts as said
    threshold: float = Field(default=0.8, gt=0, le=1)

    @model_validator(mode="after")
    def _hits_possible(self) -> PhraseCheck:
        if self.min_hits > len(self.phrases):
            raise ValueError(f"min_hits {self.min_hits} exceeds the {len(self.phrases)} phrases")
        return self


class RegexCheck(_Strict):
    """A regular expression over each turn's text (punctuation and spaces kept)."""

    type: Literal["regex"]
    expect: Expect = "present"
    pattern: str
    #: turns matching this are ignored (e.g. the customer's own number read back)
    exclude: str | None = None

    @field_validator("pattern", "exclude")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as error:
                raise ValueError(f"not a regular expression ({error})") from error
        return value


class SemanticCheck(_Strict):
    """A sentence meaning the same as one of the reference script lines (sentence embeddings).

    ``threshold`` is a cosine similarity of multilingual-e5-small, whose cosines are compressed
    (about 0.88 for unrelated sentences, 0.95 for paraphrases): calibrate it per check.
    """

    type: Literal["semantic"]
    expect: Expect = "present"
    references: list[str] = Field(min_length=1)
    threshold: float = Field(default=0.92, gt=0, le=1)


class OrderCheck(_Strict):
    """Item ``first`` is evidenced before item ``then`` (identity verified before a solution);
    without ``then``, ``first`` must be in the speaker's first turn (greeting before anything)."""

    type: Literal["order"]
    first: str
    then: str | None = None


class MetricCheck(_Strict):
    """A timing measure of the call within limits (seconds, ratios, characters per minute)."""

    type: Literal["metric"]
    metric: Metric
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _has_a_limit(self) -> MetricCheck:
        if self.min is None and self.max is None:
            raise ValueError("a metric check needs min or max")
        return self


class LLMJudgeCheck(_Strict):
    """A subjective question for a language model; ``prompt`` is a template in ``prompts/``."""

    type: Literal["llm_judge"]
    prompt: str = "judge.j2"
    criterion: Text


Check = Annotated[
    PhraseCheck | RegexCheck | SemanticCheck | OrderCheck | MetricCheck | LLMJudgeCheck,
    Field(discriminator="type"),
]


class Item(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    points: float = Field(ge=0)
    #: 一票否决: failing it sets the whole call to 0
    fatal: bool = False
    speaker: SpeakerScope = "agent"
    window: Window = Window()
    #: scenarios the item applies to; empty means all
    scenarios: list[Scenario] = []
    checks: list[Check] = Field(min_length=1)
    combine: Literal["all", "any"] = "all"
    coaching: Text | None = None


class Rubric(_Strict):
    id: str
    version: str
    title: Text
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        ids = [item.id for item in self.items]
        duplicates = sorted({item_id for item_id in ids if ids.count(item_id) > 1})
        if duplicates:
            raise ValueError(f"item ids used twice: {', '.join(duplicates)}")
        ordering = {item.id for item in self.items if _orders(item)}
        for item in self.items:
            for index, check in enumerate(item.checks):
                if not isinstance(check, OrderCheck):
                    continue
                for name, target in (("first", check.first), ("then", check.then)):
                    if target is not None and (target not in ids or target in ordering):
                        raise ValueError(
                            f"item {item.id!r} field checks.{index}.{name}: {target!r} is not "
                            "an item of this rubric without order checks"
                        )
        return self

    @property
    def max_points(self) -> float:
        return sum(item.points for item in self.items)


def _orders(item: Item) -> bool:
    return any(isinstance(check, OrderCheck) for check in item.checks)


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
                where = f"item {items[index].get('id', index)!r}" + (
                    f" field {rest}" if rest else ""
                )
        message = detail["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems)


#: Finds a rubric by name or path: how ``extends`` reaches its base.
Resolver = Callable[[str], "Rubric"]


def _extend(data: dict[str, Any], folder: Path | None, resolve: Resolver) -> dict[str, Any]:
    """The base rubric's items with this rubric's added (or replacing those of the same id)."""
    name = str(data.pop("extends"))
    base_path = folder / name if folder is not None and name.endswith((".yaml", ".yml")) else None
    base = resolve(str(base_path) if base_path else name)
    own = [item for item in data.get("items") or [] if isinstance(item, dict)]
    replacing = {item.get("id"): item for item in own}
    merged = [
        replacing.pop(item.id) if item.id in replacing else item.model_dump(exclude_defaults=True)
        for item in base.items
    ]
    # The base order is kept, a replacement in its place; new items follow.
    data["items"] = merged + [item for item in own if item.get("id") in replacing]
    # A change in the base is a change in this rubric: both versions identify the result.
    data["version"] = f"{data.get('version')}+{base.id}.{base.version}"
    return data


def parse_rubric(
    text: str, source: str, folder: Path | None = None, resolve: Resolver | None = None
) -> Rubric:
    """A rubric from its YAML text; ``resolve`` finds the base an ``extends`` names (default:
    the shipped rubrics and files beside ``folder``)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RubricError(f"{source}: not valid YAML ({error})") from error
    if isinstance(data, dict) and "extends" in data:
        data = _extend(data, folder, resolve or load_rubric)
    try:
        return Rubric.model_validate(data)
    except ValidationError as error:
        raise RubricError(f"{source}: {_describe(error, data)}") from error


def load_rubric(name_or_path: str) -> Rubric:
    """A shipped rubric by name (``general``) or any YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"}:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise RubricError(f"{path}: cannot read the rubric ({error.strerror})") from error
        return parse_rubric(text, str(path), path.parent)
    shipped = resources.files("qa_assist.score") / "rubrics" / f"{name_or_path}.yaml"
    if not shipped.is_file():
        raise RubricError(f"unknown rubric {name_or_path!r}: {', '.join(shipped_rubrics())}")
    return parse_rubric(shipped.read_text(encoding="utf-8"), f"rubric {name_or_path}")


def shipped_rubrics() -> list[str]:
    folder = resources.files("qa_assist.score") / "rubrics"
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


def rubric_for_scenario(scenario: str) -> Rubric:
    """The shipped rubric named after the scenario, else the general one."""
    return load_rubric(scenario if scenario in shipped_rubrics() else "general")


def scenario_for_ticket_type(ticket_type: str) -> Scenario:
    """Triage's ticket types name the scenarios (fault, rescue, complaint, consultation);
    any other type is scored as a general call."""
    return ticket_type if ticket_type in SCENARIOS else "general"  # type: ignore[return-value]
