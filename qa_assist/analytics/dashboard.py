"""The supervisors' dashboard over a period: score distribution, trend per day, averages per
agent and team, the items that fail most, ticket categories per day and their spikes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from ..settings import Settings
from .categories import CategoryLine, category_counts, category_names, spike_lines
from .facts import CallFacts, load_facts
from .groups import GroupLine, average, group_line, group_lines
from .items import ItemLine, item_failures

#: Width of a bar of the score distribution, in percent of the rubric's points.
BUCKET_WIDTH = 10


@dataclass(frozen=True)
class Bucket:
    #: percent of the rubric's points, ``low`` inclusive, ``high`` exclusive (100 inclusive)
    low: int
    high: int
    count: int


@dataclass(frozen=True)
class CategoryTrend:
    key: str
    zh: str
    en: str
    #: calls per day of ``Dashboard.days``
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Dashboard:
    start: date
    end: date
    agent: str | None
    team: str | None
    days: tuple[date, ...]
    calls: int
    scored: int
    average: float | None
    distribution: tuple[Bucket, ...]
    #: one line per day (``name`` is the ISO date), days without calls included
    trend: tuple[GroupLine, ...]
    agents: tuple[GroupLine, ...]
    teams: tuple[GroupLine, ...]
    items: tuple[ItemLine, ...]
    category_trends: tuple[CategoryTrend, ...]
    #: the last day's categories against the ``baseline_days`` before it
    categories: tuple[CategoryLine, ...]
    baseline_days: int

    @property
    def alerts(self) -> tuple[CategoryLine, ...]:
        return tuple(line for line in self.categories if line.alert)


def _distribution(facts: list[CallFacts]) -> tuple[Bucket, ...]:
    counts = Counter(
        min(int(call.percent // BUCKET_WIDTH), 100 // BUCKET_WIDTH - 1)
        for call in facts
        if call.percent is not None
    )
    return tuple(
        Bucket(n * BUCKET_WIDTH, (n + 1) * BUCKET_WIDTH, counts[n])
        for n in range(100 // BUCKET_WIDTH)
    )


def build_dashboard(
    sessions: sessionmaker[Session],
    settings: Settings,
    start: date,
    end: date,
    agent: str | None = None,
    team: str | None = None,
) -> Dashboard:
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    baseline_start = end - timedelta(days=settings.report_baseline_days)
    loaded = load_facts(sessions, start=min(start, baseline_start), end=end, agent=agent, team=team)
    facts = [call for call in loaded if call.day >= start]
    days = tuple(start + timedelta(days=n) for n in range((end - start).days + 1))
    by_day = {day: [call for call in facts if call.day == day] for day in days}
    daily_counts = {
        day: category_counts(c.category for c in calls) for day, calls in by_day.items()
    }
    keys = sorted(
        {key for counts in daily_counts.values() for key in counts},
        key=lambda key: (-sum(daily_counts[d][key] for d in days), key),
    )
    baseline = category_counts(call.category for call in loaded if baseline_start <= call.day < end)
    return Dashboard(
        start=start,
        end=end,
        agent=agent,
        team=team,
        days=days,
        calls=len(facts),
        scored=sum(call.score is not None for call in facts),
        average=average(facts),
        distribution=_distribution(facts),
        trend=tuple(group_line(day.isoformat(), by_day[day]) for day in days),
        agents=group_lines(facts, lambda call: call.agent),
        teams=group_lines(facts, lambda call: call.team),
        items=item_failures(call.score for call in facts if call.score),
        category_trends=tuple(
            CategoryTrend(key, *category_names(key), tuple(daily_counts[d][key] for d in days))
            for key in keys
        ),
        categories=spike_lines(
            daily_counts[end],
            baseline,
            settings.report_spike_ratio,
            settings.report_spike_min_calls,
        ),
        baseline_days=settings.report_baseline_days,
    )
