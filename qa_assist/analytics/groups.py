"""Scores summed up per agent, team or day: calls, average, fatal failures, calls to review."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Protocol, TypeVar

#: The name of the group of calls that carry no agent or team.
UNASSIGNED = "—"


class Scored(Protocol):
    @property
    def total(self) -> float | None: ...
    @property
    def fatal(self) -> bool: ...
    @property
    def needs_review(self) -> bool: ...


S = TypeVar("S", bound=Scored)


@dataclass(frozen=True)
class GroupLine:
    """Calls of one agent, team or day."""

    name: str
    calls: int
    #: mean total of the scored calls, one decimal; None when none is scored
    average: float | None
    fatal: int
    to_review: int


def average(calls: Iterable[Scored]) -> float | None:
    totals = [call.total for call in calls if call.total is not None]
    return round(mean(totals), 1) if totals else None


def group_line(name: str, members: Sequence[Scored]) -> GroupLine:
    return GroupLine(
        name,
        len(members),
        average(members),
        sum(call.fatal for call in members),
        sum(call.needs_review for call in members),
    )


def group_lines(calls: Iterable[S], key: Callable[[S], str]) -> tuple[GroupLine, ...]:
    """One line per group, by name, the unassigned last."""
    grouped: dict[str, list[S]] = defaultdict(list)
    for call in calls:
        grouped[key(call)].append(call)
    return tuple(
        group_line(name, members)
        for name, members in sorted(
            grouped.items(), key=lambda pair: (pair[0] == UNASSIGNED, pair[0])
        )
    )
