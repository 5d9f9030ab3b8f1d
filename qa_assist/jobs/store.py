"""The job queue in the database: uploaded recordings waiting for, held by, or done by a worker.

Every change of state is one conditional UPDATE (compare and set), so two service processes
on one database (SQLite or PostgreSQL) never hold the same job: a claim names the attempt it
saw, and only the first writer of that attempt wins. A running job whose worker stopped saying
it is alive (its heartbeat older than ``stale_seconds``) is taken for abandoned and claimed
again; after ``max_attempts`` claims it is failed instead, so a recording that kills its worker
is not tried for ever.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..storage import CallMetadata
from ..storage.calls import retry_locked
from ..storage.tables import JobRow, utcnow

log = logging.getLogger("qa_assist")

JobStatus = Literal["queued", "running", "done", "failed"]
JOB_STATUSES: tuple[JobStatus, ...] = get_args(JobStatus)

_METADATA = TypeAdapter(CallMetadata)


@dataclass(frozen=True)
class NewJob:
    file_name: str
    #: the uploaded file under the data folder, until the job is done
    upload_path: str
    content_hash: str | None = None
    metadata: CallMetadata = field(default_factory=CallMetadata)
    #: None lets triage choose
    scenario: str | None = None
    #: a rubric's name (the site's or shipped); None: the scenario's
    rubric: str | None = None
    #: the user who uploaded it
    submitted_by: str | None = None


@dataclass(frozen=True)
class Job:
    id: int
    status: JobStatus
    file_name: str
    upload_path: str
    content_hash: str | None
    metadata: CallMetadata
    scenario: str | None
    rubric: str | None
    submitted_by: str | None
    #: claims so far (a job claimed again after a crash has more than one)
    attempts: int
    #: why it failed, or why the last attempt did
    error: str
    #: the stored call, once done
    call_id: int | None
    claimed_by: str | None
    heartbeat_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    #: wall seconds of the last attempt
    seconds: float | None


@dataclass(frozen=True)
class JobCounts:
    queued: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0


def _job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        status=row.status,  # type: ignore[arg-type]
        file_name=row.file_name,
        upload_path=row.upload_path,
        content_hash=row.content_hash,
        metadata=_METADATA.validate_python(row.call_metadata),
        scenario=row.scenario,
        rubric=row.rubric,
        submitted_by=row.submitted_by,
        attempts=row.attempts,
        error=row.error,
        call_id=row.call_id,
        claimed_by=row.claimed_by,
        heartbeat_at=row.heartbeat_at,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        seconds=row.seconds,
    )


class JobStore:
    def __init__(
        self, sessions: sessionmaker[Session], stale_seconds: float, max_attempts: int
    ) -> None:
        self.sessions = sessions
        self.stale_seconds = stale_seconds
        self.max_attempts = max_attempts

    @retry_locked
    def enqueue(self, job: NewJob) -> Job:
        with self.sessions.begin() as session:
            row = JobRow(
                status="queued",
                file_name=job.file_name,
                upload_path=job.upload_path,
                content_hash=job.content_hash,
                call_metadata=_METADATA.dump_python(job.metadata, mode="json"),
                scenario=job.scenario,
                rubric=job.rubric,
                submitted_by=job.submitted_by,
                attempts=0,
                error="",
            )
            session.add(row)
            session.flush()
            return _job(row)

    def _abandoned(self, now: datetime) -> ColumnElement[bool]:
        return and_(
            JobRow.status == "running",
            JobRow.heartbeat_at < now - timedelta(seconds=self.stale_seconds),
        )

    def _claimable(self, now: datetime) -> ColumnElement[bool]:
        return or_(JobRow.status == "queued", self._abandoned(now))

    @retry_locked
    def give_up_abandoned(self) -> list[Job]:
        """Fail the abandoned jobs that used up their attempts; returns them."""
        now = utcnow()
        exhausted = and_(self._abandoned(now), JobRow.attempts >= self.max_attempts)
        with self.sessions() as session:
            ids = session.scalars(select(JobRow.id).where(exhausted)).all()
        given_up = []
        for job_id in ids:
            with self.sessions.begin() as session:
                changed = session.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, exhausted)
                    .values(
                        status="failed",
                        claimed_by=None,
                        finished_at=now,
                        error=f"given up after {self.max_attempts} attempts: the process "
                        "working on it stopped (crashed or was killed) each time",
                    )
                ).rowcount
            if changed:
                log.warning("job %d given up after %d attempts", job_id, self.max_attempts)
                given_up.append(job_id)
        return [job for job in map(self.get, given_up) if job is not None]

    @retry_locked
    def claim(self, worker: str) -> Job | None:
        """The oldest queued or abandoned job, now held by ``worker``; None when there is none.

        Another process may take the job between our look and our write: the UPDATE only
        succeeds on the attempt we saw, and we look again when it did not.
        """
        while True:
            now = utcnow()
            with self.sessions() as session:
                seen = session.execute(
                    select(JobRow.id, JobRow.attempts)
                    .where(self._claimable(now), JobRow.attempts < self.max_attempts)
                    .order_by(JobRow.id)
                    .limit(1)
                ).first()
            if seen is None:
                return None
            with self.sessions.begin() as session:
                won = session.execute(
                    update(JobRow)
                    .where(
                        JobRow.id == seen.id,
                        JobRow.attempts == seen.attempts,
                        self._claimable(now),
                    )
                    .values(
                        status="running",
                        claimed_by=worker,
                        heartbeat_at=now,
                        started_at=now,
                        attempts=JobRow.attempts + 1,
                    )
                ).rowcount
            if won:
                job = self.get(seen.id)
                assert job is not None
                if job.attempts > 1:
                    log.info("job %d claimed again (attempt %d)", job.id, job.attempts)
                return job

    def _held(self, job_id: int, worker: str) -> ColumnElement[bool]:
        return and_(JobRow.id == job_id, JobRow.status == "running", JobRow.claimed_by == worker)

    def _update_held(self, job_id: int, worker: str, **values: Any) -> bool:
        with self.sessions.begin() as session:
            statement = update(JobRow).where(self._held(job_id, worker)).values(**values)
            return bool(session.execute(statement).rowcount)

    @retry_locked
    def heartbeat(self, job_id: int, worker: str) -> bool:
        """Say ``worker`` is still on the job; False when the job is no longer its own."""
        return self._update_held(job_id, worker, heartbeat_at=utcnow())

    @retry_locked
    def finish(self, job_id: int, worker: str, call_id: int, seconds: float) -> bool:
        return self._update_held(
            job_id,
            worker,
            status="done",
            call_id=call_id,
            seconds=seconds,
            error="",
            finished_at=utcnow(),
            claimed_by=None,
        )

    @retry_locked
    def fail(self, job_id: int, worker: str, reason: str, seconds: float | None = None) -> bool:
        """The job cannot be done (an unreadable recording): it is not tried again."""
        return self._update_held(
            job_id,
            worker,
            status="failed",
            error=reason,
            seconds=seconds,
            finished_at=utcnow(),
            claimed_by=None,
        )

    @retry_locked
    def retry(self, job_id: int, worker: str, reason: str, seconds: float | None = None) -> bool:
        """The attempt broke on something that may pass (a model, the database): queued
        again while attempts are left, else failed."""
        attempts_left = JobRow.attempts < self.max_attempts
        return self._update_held(
            job_id,
            worker,
            status=case((attempts_left, "queued"), else_="failed"),
            finished_at=case(
                (attempts_left, None), else_=literal(utcnow(), JobRow.finished_at.type)
            ),
            error=reason,
            seconds=seconds,
            claimed_by=None,
        )

    @retry_locked
    def release(self, job_id: int, worker: str) -> bool:
        """Give a job back unfinished (the service is stopping): queued again, and this
        attempt does not count."""
        return self._update_held(
            job_id, worker, status="queued", claimed_by=None, attempts=JobRow.attempts - 1
        )

    def get(self, job_id: int) -> Job | None:
        with self.sessions() as session:
            row = session.get(JobRow, job_id)
            return _job(row) if row else None

    def list_jobs(
        self, status: JobStatus | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[Job], int]:
        """Newest first, and how many there are in all."""
        conditions = [JobRow.status == status] if status else []
        with self.sessions() as session:
            rows = session.scalars(
                select(JobRow)
                .where(*conditions)
                .order_by(JobRow.id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
            count = session.scalar(select(func.count(JobRow.id)).where(*conditions)) or 0
            return [_job(row) for row in rows], count

    def counts(self) -> JobCounts:
        with self.sessions() as session:
            by_status = dict(
                session.execute(
                    select(JobRow.status, func.count(JobRow.id)).group_by(JobRow.status)
                ).all()
            )
        return JobCounts(**{status: by_status.get(status, 0) for status in JOB_STATUSES})
