"""Upload jobs: what became of each uploaded recording."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from ...auth import User
from ...jobs import Job, JobStatus, JobStore
from ..deps import require

router = APIRouter(prefix="/jobs", tags=["jobs"])


def _jobs(request: Request) -> JobStore:
    return request.app.state.jobs


Jobs = Annotated[JobStore, Depends(_jobs)]
Uploader = Annotated[User, Depends(require("calls:upload"))]


@dataclass(frozen=True)
class JobView:
    id: int
    #: queued, running, done or failed
    status: JobStatus
    file_name: str
    scenario: str | None
    rubric: str | None
    submitted_by: str | None
    attempts: int
    #: why it failed (or why its last attempt did)
    error: str
    #: the stored call once done: `GET /api/v1/calls/{call_id}`
    call_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    #: wall seconds the worker took
    seconds: float | None

    @classmethod
    def of(cls, job: Job) -> JobView:
        return cls(
            id=job.id,
            status=job.status,
            file_name=job.file_name,
            scenario=job.scenario,
            rubric=job.rubric,
            submitted_by=job.submitted_by,
            attempts=job.attempts,
            error=job.error,
            call_id=job.call_id,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            seconds=job.seconds,
        )


@dataclass(frozen=True)
class JobList:
    data: list[JobView]
    count: int


@router.get("", response_model=JobList)
def list_jobs(
    jobs: Jobs,
    _: Uploader,
    status: JobStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JobList:
    """Newest first; `count` is every job with that status."""
    found, count = jobs.list_jobs(status, limit, offset)
    return JobList(data=[JobView.of(job) for job in found], count=count)


@router.get("/{job_id}", response_model=JobView)
def get_job(job_id: int, jobs: Jobs, _: Uploader) -> JobView:
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"no job with id {job_id}")
    return JobView.of(job)
