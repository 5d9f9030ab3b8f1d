"""Calls: upload recordings (processed by the background worker), list and read scored calls,
stream their audio."""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Annotated, get_args

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.routing import APIRoute

from ...auth import User, mask_call, mask_text
from ...jobs import (
    JobStore,
    NewJob,
    NotAudio,
    SavedUpload,
    UploadRefused,
    UploadTooLarge,
    check_audio_name,
    clean_name,
    discard_upload,
    save_upload,
)
from ...score import SCENARIOS, RubricError, RubricLibrary
from ...settings import Settings
from ...storage import (
    CallMetadata,
    CallQuery,
    CallRecord,
    CallSort,
    CallSummary,
    ChannelLayout,
    Direction,
    SortOrder,
)
from ..deps import Store, require
from .jobs import JobList, JobView

router = APIRouter(prefix="/calls", tags=["calls"])

Reader = Annotated[User, Depends(require("calls:read"))]
Uploader = Annotated[User, Depends(require("calls:upload"))]

#: Room for the form fields and multipart boundaries beside the files themselves.
FORM_SLACK = 1024 * 1024


@dataclass(frozen=True)
class CallList:
    data: list[CallSummary]
    #: every call the filters select, not only this page
    count: int


def _own_calls_only(user: User) -> bool:
    # Agents read only calls with their own agent id (see User.may_read_call).
    return user.role == "agent"


def call_query(
    date_from: Annotated[
        date | datetime | None,
        Query(
            description="ISO 8601; on the call's time, else when it was stored. A date: from "
            "the start of that day."
        ),
    ] = None,
    date_to: Annotated[
        date | datetime | None,
        Query(description="ISO 8601, exclusive. A date: up to the end of that day."),
    ] = None,
    agent_id: str | None = None,
    team: str | None = None,
    scenario: str | None = None,
    min_score: Annotated[float | None, Query(ge=0, le=100)] = None,
    max_score: Annotated[float | None, Query(ge=0, le=100)] = None,
    fatal: Annotated[bool | None, Query(description="A fatal item failed.")] = None,
    needs_review: Annotated[bool | None, Query(description="Waits for a person.")] = None,
    sort: CallSort = "call_time",
    order: SortOrder = "desc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CallQuery:
    return CallQuery(
        date_from=date_from,
        date_to=date_to,
        agent_id=agent_id,
        team=team,
        scenario=scenario,
        min_score=min_score,
        max_score=max_score,
        fatal=fatal,
        needs_review=needs_review,
        sort=sort,
        order=order,
        limit=limit,
        offset=offset,
    )


@router.get("", response_model=CallList)
def list_calls(
    store: Store, user: Reader, query: Annotated[CallQuery, Depends(call_query)]
) -> CallList:
    """Calls with the headline of their newest score (no transcript: see `GET /calls/{id}`).
    An agent sees only their own calls."""
    if _own_calls_only(user):
        if user.agent_id is None:
            return CallList(data=[], count=0)
        query = replace(query, agent_id=user.agent_id)
    records, count = store.list_calls(query)
    if not user.sees_pii:
        records = [replace(record, file_name=mask_text(record.file_name)) for record in records]
    return CallList(data=records, count=count)


def _no_call(call_id: int) -> HTTPException:
    return HTTPException(status_code=404, detail=f"no call with id {call_id}")


@router.get("/{call_id}", response_model=CallRecord)
def get_call(call_id: int, store: Store, user: Reader) -> CallRecord:
    record = store.get_call(call_id)
    if record is None or not user.may_read_call(record.agent_id):
        raise _no_call(call_id)
    return record if user.sees_pii else mask_call(record)


@router.get(
    "/{call_id}/audio",
    response_class=FileResponse,
    responses={206: {"description": "The bytes a `Range` header asked for."}},
)
def call_audio(call_id: int, store: Store, user: Reader) -> FileResponse:
    """The kept recording; honours `Range` (206 with `Content-Range`), so players can seek."""
    kept = store.kept_audio(call_id)
    if kept is None or not user.may_read_call(kept.agent_id):
        raise _no_call(call_id)
    if not kept.path.is_file():
        raise HTTPException(
            status_code=404, detail=f"the recording of call {call_id} is no longer on disk"
        )
    media_type = mimetypes.guess_type(kept.path.name)[0] or "application/octet-stream"
    return FileResponse(kept.path, media_type=media_type, content_disposition_type="inline")


class _BoundedUpload(APIRoute):
    """Refuses a body larger than the limits allow before it is read: Starlette would write
    all of it to temporary files first."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def bounded(request: Request) -> Response:
            settings: Settings = request.app.state.settings
            limit = settings.upload_max_bytes * settings.upload_max_files + FORM_SLACK
            length = request.headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                return JSONResponse(
                    {
                        "detail": f"upload of {length} bytes is over the limit of {limit} bytes "
                        f"({settings.upload_max_files} files of {settings.upload_max_bytes} bytes)"
                    },
                    status_code=413,
                )
            return await handler(request)

        return bounded


def _invalid(detail: str) -> HTTPException:
    return HTTPException(status_code=422, detail=detail)


def _choice(name: str, value: str | None, choices: tuple[str, ...]) -> str | None:
    if value is None or not value.strip():
        return None
    if value.strip() not in choices:
        raise _invalid(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value.strip()


def _call_time(value: str | None) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _invalid(
            f"call_time {value!r} is not an ISO 8601 time (such as 2026-12-01T09:30:00+08:00)"
        ) from None
    # A time without a zone is the server's local time, as in batch manifests.
    return moment.astimezone()


def _rubric(name: str | None, settings: Settings) -> str | None:
    """A rubric the site scores with (its own, or a shipped one), by name."""
    if name is None or not name.strip():
        return None
    name = name.strip()
    # A rubric file on the server is the administrator's choice (settings), not an uploader's.
    if "/" in name or "\\" in name or name.endswith((".yaml", ".yml")):
        raise _invalid(f"rubric must be a rubric's name, not a path ({name!r})")
    try:
        RubricLibrary(settings.resolved_rubrics_dir).load(name)
    except RubricError as error:
        raise _invalid(str(error)) from None
    return name


def _uploads(files: list[UploadFile] | None, settings: Settings) -> list[tuple[UploadFile, str]]:
    """The uploaded files with their clean names, checked before anything is written."""
    # A browser form whose file input was left empty sends a nameless, empty part.
    files = [upload for upload in files or [] if upload.filename or upload.size]
    if not files:
        raise HTTPException(
            status_code=400, detail="no file: send one or more recordings as form field 'files'"
        )
    if len(files) > settings.upload_max_files:
        raise HTTPException(
            status_code=400,
            detail=f"{len(files)} files in one upload; at most {settings.upload_max_files}",
        )
    named = []
    for upload in files:
        try:
            name = clean_name(upload.filename)
            check_audio_name(name)
        except NotAudio as error:
            raise HTTPException(status_code=415, detail=str(error)) from None
        except UploadRefused as error:
            raise HTTPException(status_code=400, detail=str(error)) from None
        if upload.size is not None and upload.size > settings.upload_max_bytes:
            raise HTTPException(
                status_code=413,
                detail=f"{name}: {upload.size} bytes, over the upload limit of "
                f"{settings.upload_max_bytes} bytes",
            )
        if upload.size == 0:
            raise HTTPException(status_code=400, detail=f"{name}: the file is empty (0 bytes)")
        named.append((upload, name))
    return named


def _saved(named: list[tuple[UploadFile, str]], settings: Settings) -> list[SavedUpload]:
    """Every file written under the uploads folder, or none (the request is refused whole)."""
    saved: list[SavedUpload] = []
    try:
        for upload, name in named:
            saved.append(
                save_upload(upload.file, name, settings.upload_dir, settings.upload_max_bytes)
            )
    except UploadRefused as error:
        for done in saved:
            discard_upload(done.path, settings.upload_dir)
        status = 413 if isinstance(error, UploadTooLarge) else 400
        raise HTTPException(status_code=status, detail=str(error)) from None
    return saved


def upload_calls(
    request: Request,
    user: Uploader,
    files: Annotated[
        list[UploadFile] | None,
        File(description="One or more recordings (WAV, MP3, M4A, AMR, OGG/Opus, FLAC...)."),
    ] = None,
    agent_id: Annotated[str | None, Form(max_length=64)] = None,
    team: Annotated[str | None, Form(max_length=64)] = None,
    call_time: Annotated[
        str | None,
        Form(description="ISO 8601 (2026-12-01T09:30:00+08:00); without a zone: server time."),
    ] = None,
    direction: Annotated[str | None, Form(description="inbound or outbound")] = None,
    ticket_id: Annotated[str | None, Form(max_length=64)] = None,
    channel_layout: Annotated[
        str | None, Form(description="agent_left, agent_right or mono")
    ] = None,
    scenario: Annotated[
        str | None,
        Form(description=f"{', '.join(SCENARIOS)}; none: triage reads it from the call"),
    ] = None,
    rubric: Annotated[
        str | None,
        Form(description="A rubric's name (the site's or shipped); none: the scenario's"),
    ] = None,
) -> JobList:
    """Queue recordings for the background worker; answers at once (202) with a job per file.
    Poll `GET /api/v1/jobs/{id}` until `done` (its `call_id` is the scored call) or `failed`
    (its `error` says why). The metadata applies to every file of the request."""
    settings: Settings = request.app.state.settings
    jobs: JobStore = request.app.state.jobs
    metadata = CallMetadata(
        agent_id=(agent_id or "").strip() or None,
        team=(team or "").strip() or None,
        call_time=_call_time(call_time),
        ticket_id=(ticket_id or "").strip() or None,
        direction=_choice("direction", direction, get_args(Direction)),  # type: ignore[arg-type]
        channel_layout=_choice(  # type: ignore[arg-type]
            "channel_layout", channel_layout, get_args(ChannelLayout)
        ),
    )
    chosen_scenario = _choice("scenario", scenario, SCENARIOS)
    rubric_name = _rubric(rubric, settings)
    saved = _saved(_uploads(files, settings), settings)
    created = [
        jobs.enqueue(
            NewJob(
                file_name=upload.file_name,
                upload_path=str(upload.path),
                content_hash=upload.content_hash,
                metadata=metadata,
                scenario=chosen_scenario,
                rubric=rubric_name,
                submitted_by=user.username,
            )
        )
        for upload in saved
    ]
    return JobList(data=[JobView.of(job) for job in created], count=len(created))


router.add_api_route(
    "",
    upload_calls,
    methods=["POST"],
    status_code=202,
    response_model=JobList,
    route_class_override=_BoundedUpload,
    summary="Upload recordings",
    responses={
        400: {"description": "No file, too many files, an empty file."},
        413: {"description": "A file or the request over the upload limit."},
        415: {"description": "A file whose name is not that of a recording."},
        422: {"description": "A bad call_time, direction, layout, scenario or rubric."},
    },
)
