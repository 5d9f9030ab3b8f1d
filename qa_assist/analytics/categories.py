"""Ticket categories of calls (triage type, a fault's subsystem, the vehicle model the customer
named) counted over a period, and alerts when one spikes against its baseline (售后告警)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..triage import load_labels

UNCLASSIFIED = "unclassified"
#: Keys of vehicle-model categories start with this.
VEHICLE_PREFIX = "vehicle:"


@dataclass(frozen=True)
class CategoryLine:
    key: str
    zh: str
    en: str
    count: int
    share: float
    #: share over the baseline days; None when those days had no calls
    baseline_share: float | None
    alert: bool


@dataclass(frozen=True)
class Categorised:
    """What a call counts towards."""

    ticket_type: str | None
    ticket_subsystem: str | None
    #: "brand model" names the customer said
    vehicle_models: tuple[str, ...] = ()


def category_counts(calls: Iterable[Categorised]) -> Counter[str]:
    """Calls per type, per fault subsystem (``fault/brakes``) and per vehicle model."""
    counts: Counter[str] = Counter()
    for call in calls:
        counts[call.ticket_type or UNCLASSIFIED] += 1
        if call.ticket_type == "fault" and call.ticket_subsystem:
            counts[f"fault/{call.ticket_subsystem}"] += 1
        for model in set(call.vehicle_models):
            counts[VEHICLE_PREFIX + model] += 1
    return counts


@lru_cache(maxsize=512)
def category_names(key: str) -> tuple[str, str]:
    """The Chinese and English names of a category key."""
    if key == UNCLASSIFIED:
        return "未分类", "Unclassified"
    if key.startswith(VEHICLE_PREFIX):
        model = key.removeprefix(VEHICLE_PREFIX)
        return f"车型 · {model}", f"Model · {model}"
    labels = load_labels()
    ticket_type, _, subsystem = key.partition("/")
    kind = labels.get("types", ticket_type)
    if not subsystem:
        return kind.zh, kind.en
    part = labels.get("subsystems", subsystem)
    return f"{kind.zh} · {part.zh}", f"{kind.en} · {part.en}"


def _calls(counts: Counter[str]) -> int:
    # Every call counts once among the types; subsystems and models count it again.
    return sum(n for key, n in counts.items() if "/" not in key and ":" not in key)


def spike_lines(
    current: Counter[str], baseline: Counter[str], ratio: float, min_calls: int
) -> tuple[CategoryLine, ...]:
    """Counts of the period by category, each alerted when its share of the period's calls is
    ``ratio`` times its share over the baseline, with at least ``min_calls`` calls (a category
    new against a baseline with calls counts as a spike)."""
    total, base_total = _calls(current), _calls(baseline)
    lines = []
    for key, count in sorted(current.items(), key=lambda pair: (-pair[1], pair[0])):
        share = count / total if total else 0.0
        base = baseline[key] / base_total if base_total else None
        spiking = base is not None and (base == 0 or share >= ratio * base)
        alert = key != UNCLASSIFIED and count >= min_calls and spiking
        zh, en = category_names(key)
        lines.append(
            CategoryLine(key, zh, en, count, round(share, 3), base and round(base, 3), alert)
        )
    return tuple(lines)
