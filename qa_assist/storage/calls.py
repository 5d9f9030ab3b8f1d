"""Storing and reading scored calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ..score import CallScore
from ..transcribe import Transcript
from .tables import CallRow, ScoreRow, TranscriptRow


@dataclass(frozen=True)
class NewCall:
    content_hash: str
    file_name: str
    audio_path: str
    scenario: str = "general"
    agent_id: str | None = None


@dataclass(frozen=True)
class CallRecord:
    id: int
    file_name: str
    scenario: str
    agent_id: str | None
    duration: float | None
    created_at: datetime
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
        transcript=Transcript.from_dict(row.transcript.payload) if row.transcript else None,
        score=CallScore.from_dict(latest.payload) if latest else None,
    )


class CallStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def add_call(self, call: NewCall) -> tuple[int, bool]:
        """Register a recording; returns its id and whether it was new (same content = same call)."""
        with self.sessions.begin() as session:
            existing = session.scalar(select(CallRow.id).where(CallRow.content_hash == call.content_hash))
            if existing is not None:
                return existing, False
            row = CallRow(
                content_hash=call.content_hash,
                file_name=call.file_name,
                audio_path=call.audio_path,
                scenario=call.scenario,
                agent_id=call.agent_id,
            )
            session.add(row)
            session.flush()
            return row.id, True

    def save_transcript(self, call_id: int, transcript: Transcript) -> None:
        with self.sessions.begin() as session:
            call = session.get_one(CallRow, call_id)
            call.duration = transcript.duration
            call.transcript = TranscriptRow(
                engine=transcript.engine,
                model_version=transcript.model_version,
                payload=transcript.to_dict(),
            )

    def has_score(self, call_id: int, rubric_id: str, rubric_version: str, model_version: str) -> bool:
        with self.sessions() as session:
            return (
                session.scalar(
                    select(ScoreRow.id).where(
                        ScoreRow.call_id == call_id,
                        ScoreRow.rubric_id == rubric_id,
                        ScoreRow.rubric_version == rubric_version,
                        ScoreRow.model_version == model_version,
                    )
                )
                is not None
            )

    def save_score(self, call_id: int, score: CallScore, model_version: str) -> None:
        with self.sessions.begin() as session:
            session.add(
                ScoreRow(
                    call_id=call_id,
                    rubric_id=score.rubric_id,
                    rubric_version=score.rubric_version,
                    model_version=model_version,
                    total=score.total,
                    fatal_failure=score.fatal_failure,
                    payload=score.to_dict(),
                )
            )

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
