"""Uploading recordings with their call details; the page follows each job until its call is
scored (the form posts to ``POST /api/v1/calls``, the status comes from ``/api/v1/jobs``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...score import SCENARIOS
from ..rendering import render
from .common import Uploader, shown_time

router = APIRouter()

#: Jobs listed under the form.
RECENT_JOBS = 20


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, user: Uploader) -> HTMLResponse:
    jobs, _ = request.app.state.jobs.list_jobs(limit=RECENT_JOBS)
    return render(
        request,
        "upload.html",
        user=user,
        jobs=jobs,
        scenarios=SCENARIOS,
        shown_time=shown_time,
        max_mb=request.app.state.settings.upload_max_bytes // (1024 * 1024),
    )
