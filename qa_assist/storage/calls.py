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
from datetime import datetime
from functools import wraps
from typing import Literal, ParamSpec, TypeVar

from sqlalchemy import select
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
class CallRecord:
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
    transcript: Transcript | None
    #: the newest automatic score
    score: CallScore | None


def _record(row: CallRow) -> CallRecord:
    latest = row.scores[-1] if row.scores else None
    return CallRecord(
        id=row.id,
        file_name=row.file_name,
        scenario=row.scenario,
        agent_id=row.agent_id,
        duration=row.duration,
        created_at=row.created_at,
        team=row.team,
        call_time=row.call_time,
        ticket_id=row.ticket_id,
        direction=row.direction,
        channel_layout=row.channel_layout,
        scenario_source=row.scenario_source,
        ticket_type=row.ticket_type,
        ticket_subsystem=row.ticket_subsystem,
        ticket_priority=row.ticket_priority,
        transcript=Transcript.from_dict(row.transcript.payload) if row.transcript else None,
        score=CallScore.from_dict(latest.payload) if latest else None,
    )


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

    def list_calls(self, limit: int = 100, offset: int = 0) -> tuple[list[CallRecord], int]:
        with self.sessions() as session:
            rows = session.scalars(
                select(CallRow)
                .order_by(CallRow.id.desc())
                .limit(limit)
                .offset(offset)
                .options(selectinload(CallRow.transcript), selectinload(CallRow.scores))
            ).all()
            count = session.query(CallRow).count()
            return [_record(row) for row in rows], count
