"""Batch runs and what became of each of their inputs, so that a report lists the failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from .calls import retry_locked
from .tables import BatchItemRow, BatchRunRow, utcnow

Outcome = Literal["scored", "skipped", "failed"]


@dataclass(frozen=True)
class BatchItem:
    """The outcome of one input: a recording, or a manifest line that named none usable."""

    #: the recording's path, or where the problem is (``manifest.csv:3``)
    source: str
    outcome: Outcome
    #: why it failed or was skipped; empty when scored
    reason: str = ""
    call_id: int | None = None
    content_hash: str | None = None
    audio_seconds: float | None = None
    #: wall seconds spent on it
    seconds: float = 0.0


@dataclass(frozen=True)
class BatchRun:
    id: int
    run_date: date
    engine: str
    workers: int
    started_at: datetime
    finished_at: datetime | None
    total: int
    scored: int
    skipped: int
    failed: int


def _run(row: BatchRunRow) -> BatchRun:
    return BatchRun(
        row.id,
        row.run_date,
        row.engine,
        row.workers,
        row.started_at,
        row.finished_at,
        row.total,
        row.scored,
        row.skipped,
        row.failed,
    )


class BatchStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @retry_locked
    def start_run(self, run_date: date, engine: str, workers: int, total: int) -> int:
        with self.sessions.begin() as session:
            row = BatchRunRow(run_date=run_date, engine=engine, workers=workers, total=total)
            session.add(row)
            session.flush()
            return row.id

    @retry_locked
    def record(self, run_id: int, item: BatchItem) -> None:
        with self.sessions.begin() as session:
            session.add(
                BatchItemRow(
                    run_id=run_id,
                    source=item.source,
                    content_hash=item.content_hash,
                    call_id=item.call_id,
                    outcome=item.outcome,
                    reason=item.reason,
                    audio_seconds=item.audio_seconds,
                    seconds=item.seconds,
                )
            )

    @retry_locked
    def finish_run(self, run_id: int) -> BatchRun:
        """Close the run with the counts of its recorded outcomes."""
        with self.sessions.begin() as session:
            row = session.get_one(BatchRunRow, run_id)
            counts = dict(
                session.execute(
                    select(BatchItemRow.outcome, func.count())
                    .where(BatchItemRow.run_id == run_id)
                    .group_by(BatchItemRow.outcome)
                ).all()
            )
            row.scored, row.skipped, row.failed = (
                counts.get(outcome, 0) for outcome in ("scored", "skipped", "failed")
            )
            row.finished_at = utcnow()
            return _run(row)

    def runs_between(self, first: date, last: date) -> list[BatchRun]:
        with self.sessions() as session:
            rows = session.scalars(
                select(BatchRunRow)
                .where(BatchRunRow.run_date >= first, BatchRunRow.run_date <= last)
                .order_by(BatchRunRow.id)
            )
            return [_run(row) for row in rows]

    def day_items(self, first: date, last: date) -> dict[date, list[BatchItem]]:
        """Per day, the outcome of every input of that day's runs: the latest, except that a
        recording scored in one run and skipped as done in a rerun counts as scored (and one
        that failed and then scored in a rerun, as scored)."""
        with self.sessions() as session:
            rows = session.execute(
                select(BatchRunRow.run_date, BatchItemRow)
                .join(BatchRunRow, BatchItemRow.run_id == BatchRunRow.id)
                .where(BatchRunRow.run_date >= first, BatchRunRow.run_date <= last)
                .order_by(BatchItemRow.id)
            ).all()
        latest: dict[date, dict[str, BatchItem]] = {}
        for run_date, row in rows:
            day = latest.setdefault(run_date, {})
            earlier = day.get(row.source)
            if row.outcome == "skipped" and earlier is not None and earlier.outcome == "scored":
                continue
            day[row.source] = BatchItem(
                row.source,
                row.outcome,  # type: ignore[arg-type]
                row.reason,
                row.call_id,
                row.content_hash,
                row.audio_seconds,
                row.seconds or 0.0,
            )
        return {day: list(items.values()) for day, items in latest.items()}
