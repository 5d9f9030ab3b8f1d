"""Database tables. Transcripts and scores are stored whole as JSON beside the columns that
lists filter and sort on, so a result reads back exactly as it was produced."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class CallRow(Base):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 of the recording: the same recording uploaded twice is one call
    content_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    file_name: Mapped[str] = mapped_column(String(512))
    audio_path: Mapped[str] = mapped_column(String(1024))
    scenario: Mapped[str] = mapped_column(String(32), default="general", index=True)
    agent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    duration: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    transcript: Mapped[TranscriptRow | None] = relationship(
        back_populates="call", cascade="all, delete-orphan", uselist=False
    )
    scores: Mapped[list[ScoreRow]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="ScoreRow.id"
    )


class TranscriptRow(Base):
    __tablename__ = "transcripts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), unique=True)
    engine: Mapped[str] = mapped_column(String(32))
    model_version: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    call: Mapped[CallRow] = relationship(back_populates="transcript")


class ScoreRow(Base):
    """One automatic scoring of a call; a rescore after a rubric change adds a row."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("call_id", "rubric_id", "rubric_version", "model_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    rubric_id: Mapped[str] = mapped_column(String(64))
    rubric_version: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(128))
    total: Mapped[float] = mapped_column(Float, index=True)
    fatal_failure: Mapped[bool] = mapped_column(default=False)
    payload: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    call: Mapped[CallRow] = relationship(back_populates="scores")


class ItemReviewRow(Base):
    """A person's current verdict on one item of one automatic score (the score row itself,
    the machine's result, is never changed)."""

    __tablename__ = "item_reviews"
    __table_args__ = (UniqueConstraint("score_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))
    #: "override" when the person changed the verdict, "confirm" when they agreed with it
    action: Mapped[str] = mapped_column(String(16))
    reviewer: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditRow(Base):
    """Every review action, never updated or deleted: who, when, the verdict before and after."""

    __tablename__ = "review_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id"))
    item_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    reviewer: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
