"""What a template family is: one way of telling one kind of story, with its labels.

The families themselves live in one module per ticket type (``faults``, ``rescues``,
``complaints``, ``consultations``, ``others``); the labelling conventions they follow are
written at the top of :mod:`qa_assist.triage.data.ticket_families`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


class LabelOverrides(TypedDict, total=False):
    """Labels of one case that differ from the family's."""

    priority: str
    subsystem: str | None
    escalation: bool


Case = tuple[dict[str, str], LabelOverrides]  # (slot -> pool overrides, label overrides)


@dataclass(frozen=True)
class Family:
    """One template family with its labels."""

    id: str
    type: str
    subsystem: str | None
    priority: str
    phrasings: tuple[str, ...]
    escalation: bool = False
    lang: str = "zh"
    styles: tuple[str, ...] | None = None
    cases: tuple[Case, ...] = ()
    count: int = 3


#: Tickets per family. Few, so that the data set is many stories rather than many renderings of
#: one, and a test split of whole families holds many of them.
TICKETS_PER_FAMILY = 3
#: At most this many tickets when a family has more phrasings or cases to show.
MAX_TICKETS_PER_FAMILY = 4


def F(
    family_id: str,
    ticket_type: str,
    subsystem: str | None,
    priority: str,
    *phrasings: str,
    escalation: bool = False,
    lang: str = "zh",
    styles: tuple[str, ...] | None = None,
    cases: tuple[Case, ...] = (),
    count: int | None = None,
) -> Family:
    """Shorthand for a :class:`Family`: one ticket per phrasing (and per case), between
    :data:`TICKETS_PER_FAMILY` and :data:`MAX_TICKETS_PER_FAMILY`."""
    wanted = len(phrasings) * max(1, len(cases))
    return Family(
        id=family_id,
        type=ticket_type,
        subsystem=subsystem,
        priority=priority,
        phrasings=phrasings,
        escalation=escalation,
        lang=lang,
        styles=styles,
        cases=cases,
        count=count
        if count is not None
        else min(MAX_TICKETS_PER_FAMILY, max(TICKETS_PER_FAMILY, wanted)),
    )


# The same story in a city street (vehicle unusable, P1) and on a motorway (safety risk, P0).
CITY_OR_MOTORWAY: tuple[Case, ...] = (
    ({"loc": "city_loc"}, {"priority": "P1"}),
    ({"loc": "mw_loc"}, {"priority": "P0"}),
)
CITY_OR_MOTORWAY_EN: tuple[Case, ...] = (
    ({"loc": "city_loc_en"}, {"priority": "P1"}),
    ({"loc": "mw_loc_en"}, {"priority": "P0"}),
)
