"""The triage label set (ticket types, subsystems, priorities) read from ``labels.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

LABELS_PATH = Path(__file__).with_name("labels.yaml")

LabelGroup = Literal["types", "subsystems", "priorities"]


@dataclass(frozen=True, slots=True)
class Label:
    """One label with its display names and a one-sentence description."""

    id: str
    zh: str
    en: str
    description: str


@dataclass(frozen=True, slots=True)
class LabelSet:
    """All triage labels, in the order the YAML file lists them."""

    types: tuple[Label, ...]
    subsystems: tuple[Label, ...]
    priorities: tuple[Label, ...]

    def ids(self, group: LabelGroup) -> tuple[str, ...]:
        """The label ids of one group, e.g. ``ids("priorities") == ("P0", "P1", "P2", "P3")``."""
        return tuple(label.id for label in getattr(self, group))

    def get(self, group: LabelGroup, label_id: str) -> Label:
        """The label ``label_id`` of ``group``; ``KeyError`` if there is none."""
        for label in getattr(self, group):
            if label.id == label_id:
                return label
        raise KeyError(f"no {group} label {label_id!r}")


def _read_group(raw: dict[str, dict[str, str]]) -> tuple[Label, ...]:
    return tuple(
        Label(id=key, zh=value["zh"], en=value["en"], description=value["description"])
        for key, value in raw.items()
    )


@lru_cache
def load_labels(path: Path = LABELS_PATH) -> LabelSet:
    """Read the label file (cached: the file ships with the package and does not change)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return LabelSet(
        types=_read_group(raw["types"]),
        subsystems=_read_group(raw["subsystems"]),
        priorities=_read_group(raw["priorities"]),
    )


TICKET_TYPES: tuple[str, ...] = load_labels().ids("types")
SUBSYSTEMS: tuple[str, ...] = load_labels().ids("subsystems")
PRIORITIES: tuple[str, ...] = load_labels().ids("priorities")
