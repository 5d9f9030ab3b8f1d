"""The day's report: what the batch runs of a date scored, in figures supervisors act on.

Built from the database alone (runs, their outcomes, the calls and their newest scores), so a
report can be made again at any time; rendered as HTML and XLSX by :mod:`.render`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import mean
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..analytics import (
    CategoryLine,
    GroupLine,
    ItemLine,
    average,
    category_counts,
    group_lines,
    item_failures,
    load_facts,
    spike_lines,
)
from ..settings import Settings
from ..storage import BatchItem, BatchRun, BatchStore
from ..storage.tables import TranscriptRow, utcnow
from ..transcribe.guards import LOW_LOG_PROBABILITY


@dataclass(frozen=True)
class CallLine:
    call_id: int
    url: str
    file_name: str
    agent: str
    team: str
    scenario: str
    total: float | None
    fatal: bool
    needs_review: bool
    confidence: float | None
    #: for a fatal call the fatal items it failed; for one to review the items unsure
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class HealthLine:
    call_id: int
    url: str
    file_name: str
    #: mean probability Whisper gave the words; None when it heard none
    word_probability: float | None
    #: share of segments with a mean token log-probability below the guard's limit
    unsure_share: float
    low: bool


@dataclass(frozen=True)
class DayReport:
    day: date
    generated_at: datetime
    runs: tuple[BatchRun, ...]
    calls: tuple[CallLine, ...]
    scored_in_runs: int
    skipped_in_runs: int
    failures: tuple[BatchItem, ...]
    audio_hours: float
    agents: tuple[GroupLine, ...]
    teams: tuple[GroupLine, ...]
    items: tuple[ItemLine, ...]
    categories: tuple[CategoryLine, ...]
    baseline_days: int
    health: tuple[HealthLine, ...]

    @property
    def scored(self) -> tuple[CallLine, ...]:
        return tuple(call for call in self.calls if call.total is not None)

    @property
    def average(self) -> float | None:
        return average(self.scored)

    @property
    def fatal(self) -> tuple[CallLine, ...]:
        return tuple(call for call in self.calls if call.fatal)

    @property
    def to_review(self) -> tuple[CallLine, ...]:
        waiting = [call for call in self.calls if call.needs_review]
        return tuple(sorted(waiting, key=lambda call: call.confidence or 0.0))

    @property
    def alerts(self) -> tuple[CategoryLine, ...]:
        return tuple(line for line in self.categories if line.alert)

    @property
    def low_confidence(self) -> tuple[HealthLine, ...]:
        return tuple(line for line in self.health if line.low)

    @property
    def low_confidence_share(self) -> float:
        return len(self.low_confidence) / len(self.health) if self.health else 0.0


def _health(
    call_id: int, url: str, file_name: str, transcript: dict[str, Any], settings: Settings
) -> HealthLine:
    segments = transcript.get("segments", [])
    words = [word["probability"] for segment in segments for word in segment.get("words", [])]
    probability = round(mean(words), 3) if words else None
    unsure = sum(segment.get("avg_logprob", 0.0) < LOW_LOG_PROBABILITY for segment in segments)
    share = round(unsure / len(segments), 3) if segments else 1.0
    low = (
        probability is None
        or probability < settings.health_min_word_probability
        or share > settings.health_max_unsure_share
    )
    return HealthLine(call_id, url, file_name, probability, share, low)


def _call_ids(items: Iterable[BatchItem]) -> set[int]:
    return {item.call_id for item in items if item.call_id is not None and item.outcome != "failed"}


def build_report(sessions: sessionmaker[Session], day: date, settings: Settings) -> DayReport:
    base_url = (settings.report_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    batches = BatchStore(sessions)
    first = day - timedelta(days=settings.report_baseline_days)
    items_by_day = batches.day_items(first, day)
    items = items_by_day.get(day, [])
    today_ids = _call_ids(items)
    baseline_ids = (
        _call_ids(i for d, its in items_by_day.items() if d != day for i in its) - today_ids
    )
    facts = {call.call_id: call for call in load_facts(sessions, call_ids=today_ids | baseline_ids)}
    with sessions() as session:
        transcripts = dict(
            session.execute(
                select(TranscriptRow.call_id, TranscriptRow.payload).where(
                    TranscriptRow.call_id.in_(today_ids)
                )
            ).all()
        )
    calls: list[CallLine] = []
    health: list[HealthLine] = []
    for call_id in sorted(today_ids):
        fact = facts[call_id]
        score = fact.score
        url = f"{base_url}/calls/{call_id}"
        unsure: tuple[str, ...] = ()
        if score is not None:
            if score["fatal_failure"]:
                unsure = tuple(
                    item["title_zh"]
                    for item in score["items"]
                    if item["fatal"] and item["verdict"] == "fail"
                )
            elif score["needs_review"]:
                unsure = tuple(
                    f"{item['title_zh']} ({item['confidence']:.2f})"
                    for item in score["items"]
                    if item["verdict"] == "needs_review"
                    or (
                        item["verdict"] in ("pass", "fail")
                        and item["confidence"] < settings.review_confidence
                    )
                )
        calls.append(
            CallLine(
                call_id,
                url,
                fact.file_name,
                fact.agent,
                fact.team,
                fact.scenario,
                fact.total,
                fact.fatal,
                fact.needs_review,
                fact.confidence,
                unsure,
            )
        )
        if call_id in transcripts:
            health.append(_health(call_id, url, fact.file_name, transcripts[call_id], settings))
    report_calls = tuple(calls)
    runs = tuple(run for run in batches.runs_between(day, day))
    return DayReport(
        day=day,
        generated_at=utcnow(),
        runs=runs,
        calls=report_calls,
        scored_in_runs=sum(item.outcome == "scored" for item in items),
        skipped_in_runs=sum(item.outcome == "skipped" for item in items),
        failures=tuple(item for item in items if item.outcome == "failed"),
        audio_hours=round(sum(facts[i].duration or 0.0 for i in today_ids) / 3600, 3),
        agents=group_lines(report_calls, lambda call: call.agent),
        teams=group_lines(report_calls, lambda call: call.team),
        items=item_failures(facts[i].score for i in sorted(today_ids) if facts[i].score),
        categories=spike_lines(
            category_counts(facts[i].category for i in today_ids),
            category_counts(facts[i].category for i in baseline_ids),
            settings.report_spike_ratio,
            settings.report_spike_min_calls,
        ),
        baseline_days=settings.report_baseline_days,
        health=tuple(health),
    )
