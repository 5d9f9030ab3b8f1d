"""The day's report: what the batch runs of a date scored, in figures supervisors act on.

Built from the database alone (runs, their outcomes, the calls and their newest scores), so a
report can be made again at any time; rendered as HTML and XLSX by :mod:`.render`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import mean
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..settings import Settings
from ..storage import BatchItem, BatchRun, BatchStore
from ..storage.tables import CallRow, ScoreRow, TranscriptRow, utcnow
from ..transcribe.guards import LOW_LOG_PROBABILITY
from ..triage import load_labels

UNASSIGNED = "—"


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
class GroupLine:
    """Calls of one agent or team."""

    name: str
    calls: int
    average: float | None
    fatal: int
    to_review: int


@dataclass(frozen=True)
class ItemLine:
    item_id: str
    title_zh: str
    title_en: str
    failed: int
    judged: int

    @property
    def rate(self) -> float:
        return self.failed / self.judged if self.judged else 0.0


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
        return _average(self.scored)

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


def _average(calls: Iterable[CallLine]) -> float | None:
    totals = [call.total for call in calls if call.total is not None]
    return round(mean(totals), 1) if totals else None


def _groups(calls: tuple[CallLine, ...], key: str) -> tuple[GroupLine, ...]:
    grouped: dict[str, list[CallLine]] = defaultdict(list)
    for call in calls:
        grouped[getattr(call, key)].append(call)
    return tuple(
        GroupLine(
            name,
            len(members),
            _average(members),
            sum(call.fatal for call in members),
            sum(call.needs_review for call in members),
        )
        for name, members in sorted(
            grouped.items(), key=lambda pair: (pair[0] == UNASSIGNED, pair[0])
        )
    )


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


def _category_key(ticket_type: str | None, subsystem: str | None) -> str:
    if ticket_type is None:
        return "unclassified"
    return f"{ticket_type}/{subsystem}" if subsystem else ticket_type


def _category_names(key: str) -> tuple[str, str]:
    if key == "unclassified":
        return "未分类", "Unclassified"
    labels = load_labels()
    ticket_type, _, subsystem = key.partition("/")
    kind = labels.get("types", ticket_type)
    if not subsystem:
        return kind.zh, kind.en
    part = labels.get("subsystems", subsystem)
    return f"{kind.zh} · {part.zh}", f"{kind.en} · {part.en}"


def _categories(
    today: Counter[str], baseline: Counter[str], settings: Settings
) -> tuple[CategoryLine, ...]:
    """Counts of the day by category (a fault also by its subsystem); a category whose share
    of the day's calls is ``report_spike_ratio`` times its share over the baseline days, with
    at least ``report_spike_min_calls`` calls, is alerted (a category new against a baseline
    with calls counts as a spike)."""
    day_total, base_total = sum(today.values()), sum(baseline.values())
    lines = []
    for key, count in sorted(today.items(), key=lambda pair: (-pair[1], pair[0])):
        share = count / day_total
        base = baseline[key] / base_total if base_total else None
        spiking = base is not None and (base == 0 or share >= settings.report_spike_ratio * base)
        alert = key != "unclassified" and count >= settings.report_spike_min_calls and spiking
        zh, en = _category_names(key)
        lines.append(
            CategoryLine(key, zh, en, count, round(share, 3), base and round(base, 3), alert)
        )
    return tuple(lines)


def _counter(rows: Iterable[CallRow]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for row in rows:
        counts[_category_key(row.ticket_type, None)] += 1
        if row.ticket_type == "fault" and row.ticket_subsystem:
            counts[_category_key(row.ticket_type, row.ticket_subsystem)] += 1
    return counts


def _call_ids(items: Iterable[BatchItem]) -> set[int]:
    return {item.call_id for item in items if item.call_id is not None and item.outcome != "failed"}


def _newest_scores(session: Session, call_ids: set[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(ScoreRow.call_id, ScoreRow.payload)
        .where(ScoreRow.call_id.in_(call_ids))
        .order_by(ScoreRow.id)
    ).all()
    return {call_id: payload for call_id, payload in rows}


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
    with sessions() as session:
        rows = {
            row.id: row
            for row in session.scalars(
                select(CallRow).where(CallRow.id.in_(today_ids | baseline_ids))
            )
        }
        scores = _newest_scores(session, today_ids)
        transcripts = dict(
            session.execute(
                select(TranscriptRow.call_id, TranscriptRow.payload).where(
                    TranscriptRow.call_id.in_(today_ids)
                )
            ).all()
        )
    calls: list[CallLine] = []
    health: list[HealthLine] = []
    item_counts: dict[str, list[Any]] = {}
    for call_id in sorted(today_ids):
        row, score = rows[call_id], scores.get(call_id)
        url = f"{base_url}/calls/{call_id}"
        unsure: tuple[str, ...] = ()
        if score is not None:
            for item in score["items"]:
                counts = item_counts.setdefault(
                    item["item_id"], [item["title_zh"], item["title_en"], 0, 0]
                )
                counts[2] += item["verdict"] == "fail"
                counts[3] += item["verdict"] in ("pass", "fail")
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
                row.file_name,
                row.agent_id or UNASSIGNED,
                row.team or UNASSIGNED,
                row.scenario,
                score["total"] if score else None,
                bool(score and score["fatal_failure"]),
                bool(score and score["needs_review"]),
                score["confidence"] if score else None,
                unsure,
            )
        )
        if call_id in transcripts:
            health.append(_health(call_id, url, row.file_name, transcripts[call_id], settings))
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
        audio_hours=round(sum(rows[i].duration or 0.0 for i in today_ids) / 3600, 3),
        agents=_groups(report_calls, "agent"),
        teams=_groups(report_calls, "team"),
        items=tuple(
            sorted(
                (
                    ItemLine(item_id, zh, en, failed, judged)
                    for item_id, (zh, en, failed, judged) in item_counts.items()
                ),
                key=lambda line: (-line.failed, -line.rate, line.item_id),
            )
        ),
        categories=_categories(
            _counter(rows[i] for i in today_ids), _counter(rows[i] for i in baseline_ids), settings
        ),
        baseline_days=settings.report_baseline_days,
        health=tuple(health),
    )
