"""Storing and reading scored calls.

Writers may be several processes at once (batch workers, the web service): a recording stored
twice is one call, a score stored twice under the same key is one row, and a write that finds
the database locked for longer than SQLite's busy timeout is tried again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ..score import CallScore
from ..transcribe import Transcript
from .tables import CallRow, ScoreRow, TranscriptRow

log = logging.getLogger("qa_assist")

Direction = Literal["inbound", "outbound"]
#: Which channel of a stereo recording is the agent's, or one channel for both.
ChannelLayout = Literal["agent_left", "agent_right", "mono"]
#: Where a call's scenario came from: given with the call, inferred by triage of the customer's
#: words, or neither (general).
ScenarioSource = Literal["given", "triage", "default"]

#: Attempts of a write that keeps finding the database locked (each after the busy timeout).
LOCKED_ATTEMPTS = 5

P = ParamSpec("P")
R = TypeVar("R")


def retry_locked(write: Callable[P, R]) -> Callable[P, R]:
    @wraps(write)
    def attempt(*args: P.args, **kwargs: P.kwargs) -> R:
        for number in range(1, LOCKED_ATTEMPTS + 1):
            try:
                return write(*args, **kwargs)
            except OperationalError as error:
                if "database is locked" not in str(error) or number == LOCKED_ATTEMPTS:
                    raise
                log.warning("database locked (%s, attempt %d): retrying", write.__name__, number)
                time.sleep(0.5 * number)
        raise AssertionError("unreachable")

    return attempt


def models_key(versions: dict[str, str]) -> str:
    """One fixed-length key for a set of model versions (``CallScore.model_versions``)."""
    return hashlib.sha256(json.dumps(versions, sort_keys=True).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CallMetadata:
    """What is known of a call besides its audio: from an upload form, a batch manifest, or
    triage of what the customer said."""

    agent_id: str | None = None
    team: str | None = None
    call_time: datetime | None = None
    ticket_id: str | None = None
    direction: Direction | None = None
    channel_layout: ChannelLayout | None = None
    scenario_source: ScenarioSource | None = None
    ticket_type: str | None = None
    ticket_subsystem: str | None = None
    ticket_priority: str | None = None

    def columns(self) -> dict[str, object]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass(frozen=True)
class NewCall:
    content_hash: str
    file_name: str
    audio_path: str
    scenario: str = "general"
    metadata: CallMetadata = CallMetadata()


@dataclass(frozen=True)
class CallColumns:
    """What a call is, without its transcript or score."""

    id: int
    file_name: str
    scenario: str
    agent_id: str | None
    duration: float | None
    created_at: datetime
    team: str | None
    call_time: datetime | None
    ticket_id: str | None
    direction: str | None
    channel_layout: str | None
    scenario_source: str | None
    ticket_type: str | None
    ticket_subsystem: str | None
    ticket_priority: str | None


@dataclass(frozen=True)
class CallRecord(CallColumns):
    transcript: Transcript | None
    #: the newest automatic score
    score: CallScore | None


@dataclass(frozen=True)
class ScoreSummary:
    """The headline of a call's newest automatic score, read without its items."""

    rubric_id: str
    rubric_version: str
    #: with people's verdicts applied ("includes manual edits" when ``edited``)
    total: float
    fatal_failure: bool
    needs_review: bool
    #: the lowest confidence of a judged item
    confidence: float
    #: whether a person changed an item's verdict; ``auto_total`` is the machine's total then
    edited: bool = False
    auto_total: float | None = None


@dataclass(frozen=True)
class CallSummary(CallColumns):
    """A row of a call list: the call and its score's headline, no transcript."""

    #: None while the call is not scored
    score: ScoreSummary | None


@dataclass(frozen=True)
class KeptAudio:
    """Where a call's recording is kept, and whose call it is."""

    agent_id: str | None
    path: Path
    file_name: str


CallSort = Literal["call_time", "created_at", "score", "duration"]
SortOrder = Literal["asc", "desc"]


def _utc(moment: datetime) -> datetime:
    # A time without a zone is the server's local time, as in batch manifests.
    return moment.astimezone(UTC)


def _day_start(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return _utc(day)
    return _utc(datetime.combine(day, datetime.min.time()))


@dataclass(frozen=True)
class CallQuery:
    """Which calls a list shows and in which order; a filter left None is not applied.

    Dates are on the call's time, or when it was stored for a call whose time is not known.
    Score filters look at the newest automatic score; a call not scored yet passes none of them.
    """

    #: from this moment on (a date: from the start of that day, server time)
    date_from: date | datetime | None = None
    #: before this moment (a date: up to the end of that day, server time)
    date_to: date | datetime | None = None
    agent_id: str | None = None
    team: str | None = None
    scenario: str | None = None
    #: total score at least / at most (0..100)
    min_score: float | None = None
    max_score: float | None = None
    #: only calls with (True) or without (False) a failed fatal item
    fatal: bool | None = None
    #: only calls that wait (True) or do not wait (False) for a person
    needs_review: bool | None = None
    #: "call_time" sorts on the call's time, else when it was stored
    sort: CallSort = "call_time"
    order: SortOrder = "desc"
    limit: int = 50
    offset: int = 0

    @property
    def starts(self) -> datetime | None:
        return _day_start(self.date_from) if self.date_from is not None else None

    @property
    def ends(self) -> datetime | None:
        """The first moment no longer wanted."""
        if self.date_to is None:
            return None
        if isinstance(self.date_to, datetime):
            return _utc(self.date_to)
        return _day_start(self.date_to + timedelta(days=1))


def _columns(row: CallRow) -> dict[str, Any]:
    return {field.name: getattr(row, field.name) for field in fields(CallColumns)}


def _record(row: CallRow) -> CallRecord:
    latest = row.scores[-1] if row.scores else None
    return CallRecord(
        **_columns(row),
        transcript=Transcript.from_dict(row.transcript.payload) if row.transcript else None,
        score=CallScore.from_dict(latest.payload) if latest else None,
    )


def _latest_scores() -> Any:
    """The newest score row of each scored call."""
    newest = select(func.max(ScoreRow.id).label("id")).group_by(ScoreRow.call_id).subquery("newest")
    return (
        select(
            ScoreRow.call_id,
            ScoreRow.rubric_id,
            ScoreRow.rubric_version,
            # What people decided where they changed a verdict, the machine's result elsewhere.
            func.coalesce(ScoreRow.reviewed_total, ScoreRow.total).label("total"),
            func.coalesce(ScoreRow.reviewed_fatal_failure, ScoreRow.fatal_failure).label(
                "fatal_failure"
            ),
            ScoreRow.total.label("auto_total"),
            ScoreRow.reviewed_total.is_not(None).label("edited"),
            ScoreRow.payload["needs_review"].as_boolean().label("needs_review"),
            ScoreRow.payload["confidence"].as_float().label("confidence"),
        )
        .join(newest, newest.c.id == ScoreRow.id)
        .subquery("latest")
    )


def _filtered(query: CallQuery, statement: Select[Any], latest: Any) -> Select[Any]:
    when = func.coalesce(CallRow.call_time, CallRow.created_at)
    conditions: list[ColumnElement[bool]] = []
    if query.starts is not None:
        conditions.append(when >= query.starts)
    if query.ends is not None:
        conditions.append(when < query.ends)
    for column, wanted in (
        (CallRow.agent_id, query.agent_id),
        (CallRow.team, query.team),
        (CallRow.scenario, query.scenario),
        (latest.c.fatal_failure, query.fatal),
        (latest.c.needs_review, query.needs_review),
    ):
        if wanted is not None:
            conditions.append(column == wanted)
    if query.min_score is not None:
        conditions.append(latest.c.total >= query.min_score)
    if query.max_score is not None:
        conditions.append(latest.c.total <= query.max_score)
    return statement.where(*conditions)


def _ordered(query: CallQuery, statement: Select[Any], latest: Any) -> Select[Any]:
    key = {
        "call_time": func.coalesce(CallRow.call_time, CallRow.created_at),
        "created_at": CallRow.created_at,
        "score": latest.c.total,
        "duration": CallRow.duration,
    }[query.sort]
    if query.order == "asc":
        return statement.order_by(key.asc().nulls_last(), CallRow.id.asc())
    return statement.order_by(key.desc().nulls_last(), CallRow.id.desc())


class CallStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def _call_id(self, content_hash: str) -> int | None:
        with self.sessions() as session:
            return session.scalar(select(CallRow.id).where(CallRow.content_hash == content_hash))

    @retry_locked
    def add_call(self, call: NewCall) -> tuple[int, bool]:
        """Register a recording; returns its id and whether it was new (same content = same call)."""
        existing = self._call_id(call.content_hash)
        if existing is not None:
            return existing, False
        metadata = {key: value for key, value in call.metadata.columns().items() if value}
        try:
            with self.sessions.begin() as session:
                row = CallRow(
                    content_hash=call.content_hash,
                    file_name=call.file_name,
                    audio_path=call.audio_path,
                    scenario=call.scenario,
                    **metadata,
                )
                session.add(row)
                session.flush()
                return row.id, True
        except IntegrityError:
            # Another process stored the same recording between our look and our write.
            existing = self._call_id(call.content_hash)
            if existing is None:
                raise
            return existing, False

    @retry_locked
    def complete_metadata(self, call_id: int, metadata: CallMetadata) -> None:
        """Fill in what the stored call does not know yet (a recording first uploaded bare,
        then listed in a batch manifest); what it knows stays."""
        with self.sessions.begin() as session:
            row = session.get_one(CallRow, call_id)
            for key, value in metadata.columns().items():
                if value is not None and getattr(row, key) is None:
                    setattr(row, key, value)

    @retry_locked
    def save_transcript(self, call_id: int, transcript: Transcript) -> None:
        with self.sessions.begin() as session:
            call = session.get_one(CallRow, call_id)
            call.duration = transcript.duration
            call.transcript = TranscriptRow(
                engine=transcript.engine,
                model_version=transcript.model_version,
                payload=transcript.to_dict(),
            )

    def has_score(
        self,
        call_id: int,
        rubric_id: str,
        rubric_version: str | None = None,
        model_versions: dict[str, str] | None = None,
    ) -> bool:
        """Whether the call has a score by this rubric; of this version and these model
        versions when they are given (None: any)."""
        conditions = [ScoreRow.call_id == call_id, ScoreRow.rubric_id == rubric_id]
        if rubric_version is not None:
            conditions.append(ScoreRow.rubric_version == rubric_version)
        if model_versions is not None:
            conditions.append(ScoreRow.models_key == models_key(model_versions))
        with self.sessions() as session:
            return session.scalar(select(ScoreRow.id).where(*conditions).limit(1)) is not None

    @retry_locked
    def save_score(self, call_id: int, score: CallScore, model_version: str) -> bool:
        """Store an automatic score; False when one with the same key (rubric version, model
        versions) is there already, put there by another process meanwhile."""
        try:
            with self.sessions.begin() as session:
                session.add(
                    ScoreRow(
                        call_id=call_id,
                        rubric_id=score.rubric_id,
                        rubric_version=score.rubric_version,
                        model_version=model_version,
                        models_key=models_key(score.model_versions),
                        total=score.total,
                        fatal_failure=score.fatal_failure,
                        payload=score.to_dict(),
                    )
                )
            return True
        except IntegrityError:
            if not self.has_score(
                call_id, score.rubric_id, score.rubric_version, score.model_versions
            ):
                raise
            return False

    def _one(self, condition) -> CallRecord | None:  # type: ignore[no-untyped-def]
        with self.sessions() as session:
            row = session.scalar(
                select(CallRow)
                .where(condition)
                .options(selectinload(CallRow.transcript), selectinload(CallRow.scores))
            )
            return _record(row) if row else None

    def get_call(self, call_id: int) -> CallRecord | None:
        return self._one(CallRow.id == call_id)

    def find_by_hash(self, content_hash: str) -> CallRecord | None:
        return self._one(CallRow.content_hash == content_hash)

    def kept_audio(self, call_id: int) -> KeptAudio | None:
        with self.sessions() as session:
            row = session.execute(
                select(CallRow.agent_id, CallRow.audio_path, CallRow.file_name).where(
                    CallRow.id == call_id
                )
            ).first()
        return KeptAudio(row.agent_id, Path(row.audio_path), row.file_name) if row else None

    def list_calls(self, query: CallQuery | None = None) -> tuple[list[CallSummary], int]:
        """One page of the calls ``query`` selects, and how many it selects in all. Reads
        columns only: no transcript or score payload is loaded."""
        query = query or CallQuery()
        latest = _latest_scores()
        base = select(CallRow).outerjoin(latest, latest.c.call_id == CallRow.id)
        page = _ordered(query, _filtered(query, base, latest), latest)
        page = page.add_columns(*latest.c).limit(query.limit).offset(query.offset)
        counted = _filtered(query, base.with_only_columns(func.count(CallRow.id)), latest)
        with self.sessions() as session:
            rows = session.execute(page).all()
            count = session.scalar(counted) or 0
        return [_summary(row) for row in rows], count


def _summary(row: Any) -> CallSummary:
    call: CallRow = row[0]
    score = (
        ScoreSummary(
            rubric_id=row.rubric_id,
            rubric_version=row.rubric_version,
            total=row.total,
            fatal_failure=row.fatal_failure,
            needs_review=bool(row.needs_review),
            confidence=row.confidence if row.confidence is not None else 1.0,
            edited=bool(row.edited),
            auto_total=row.auto_total,
        )
        if row.rubric_id is not None
        else None
    )
    return CallSummary(**_columns(call), score=score)
