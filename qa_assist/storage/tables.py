"""Database tables. Transcripts and scores are stored whole as JSON beside the columns that
lists filter and sort on, so a result reads back exactly as it was produced."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC and read back aware on every dialect.

    PostgreSQL's ``timestamptz`` keeps the moment but SQLite's text drops the offset (an
    aware 09:15+08:00 would be stored as 09:15) and reads naive; a naive value is taken as
    UTC on both, where PostgreSQL would take the server's time zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @staticmethod
    def _utc(value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        return self._utc(value)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return self._utc(value)


class Base(DeclarativeBase):
    # Named unique constraints: a migration can drop one by name on every dialect.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        }
    )


class CallRow(Base):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 of the recording: the same recording uploaded twice is one call
    content_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    file_name: Mapped[str] = mapped_column(String(512))
    audio_path: Mapped[str] = mapped_column(String(1024))
    scenario: Mapped[str] = mapped_column(String(32), default="general", index=True)
    #: "given" (upload form, manifest), "triage" (inferred from the customer's words) or
    #: "default" (neither: general)
    scenario_source: Mapped[str | None] = mapped_column(String(16))
    agent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    #: when the call took place (from the recorder), not when it was stored
    call_time: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ticket_id: Mapped[str | None] = mapped_column(String(64), index=True)
    #: "inbound" or "outbound"
    direction: Mapped[str | None] = mapped_column(String(16))
    #: "agent_left", "agent_right" or "mono"
    channel_layout: Mapped[str | None] = mapped_column(String(16))
    #: triage of the customer's words: what the call was about
    ticket_type: Mapped[str | None] = mapped_column(String(32), index=True)
    ticket_subsystem: Mapped[str | None] = mapped_column(String(32))
    ticket_priority: Mapped[str | None] = mapped_column(String(8))
    duration: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    call: Mapped[CallRow] = relationship(back_populates="transcript")


class ScoreRow(Base):
    """One automatic scoring of a call; a rescore after a rubric or model change adds a row.

    A call is scored at most once per rubric version and set of model versions (ASR, sentence
    encoder, LLM): ``models_key`` stands for the set, so that the key fits a unique index.
    """

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("call_id", "rubric_id", "rubric_version", "models_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    rubric_id: Mapped[str] = mapped_column(String(64))
    rubric_version: Mapped[str] = mapped_column(String(64))
    #: the ASR model's version (the transcript's)
    model_version: Mapped[str] = mapped_column(String(128))
    #: SHA-256 of every model version that produced the score (``CallScore.model_versions``)
    models_key: Mapped[str] = mapped_column(String(64))
    total: Mapped[float] = mapped_column(Float, index=True)
    fatal_failure: Mapped[bool] = mapped_column(default=False)
    #: the total and fatal flag with people's verdicts applied, once a person changed one
    #: (None: the automatic result stands), so lists and dashboards show what people decided
    reviewed_total: Mapped[float | None] = mapped_column(Float)
    reviewed_fatal_failure: Mapped[bool | None] = mapped_column()
    payload: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

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
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditRow(Base):
    """Every review action, never updated or deleted: who, when, the verdict before and after."""

    __tablename__ = "review_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id"))
    #: None for what concerns the whole call (an agent accepting its result, a comment on it)
    item_id: Mapped[str | None] = mapped_column(String(64))
    #: override, confirm, comment, accept, dispute, dispute_upheld or dispute_rejected
    action: Mapped[str] = mapped_column(String(16))
    reviewer: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BatchRunRow(Base):
    """One invocation of ``qa-assist batch`` for a day's recordings; a rerun adds a row."""

    __tablename__ = "batch_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the day whose recordings the run scores (the report's date)
    run_date: Mapped[date] = mapped_column(Date, index=True)
    engine: Mapped[str] = mapped_column(String(16))
    workers: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None while running, and for ever when the run was killed
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)
    scored: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)

    items: Mapped[list[BatchItemRow]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="BatchItemRow.id"
    )


class BatchItemRow(Base):
    """What became of one input of a run: scored, skipped (already done) or failed (why)."""

    __tablename__ = "batch_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("batch_runs.id"), index=True)
    #: the recording, or ``manifest:line`` for a manifest line that named none usable
    source: Mapped[str] = mapped_column(String(1024))
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    #: "scored", "skipped" or "failed"
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    audio_seconds: Mapped[float | None] = mapped_column(Float)
    #: wall seconds the worker spent on it
    seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    run: Mapped[BatchRunRow] = relationship(back_populates="items")


class JobRow(Base):
    """A recording uploaded to the service, waiting for or done by the background worker.

    Jobs live in the database so that a restart loses none: a job left ``running`` by a
    process that died is claimed again (``heartbeat_at`` too old); processing is idempotent
    (calls keyed by content, scores by rubric and model versions), so a job picked up twice
    never scores a call twice.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: "queued", "running", "done" or "failed"
    status: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    file_name: Mapped[str] = mapped_column(String(512))
    #: the uploaded file, kept under the data folder until the job is done
    upload_path: Mapped[str] = mapped_column(String(1024))
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    #: ``CallMetadata`` given with the upload, as JSON (ISO times)
    call_metadata: Mapped[dict] = mapped_column(JSON, default=dict)
    #: scenario given with the upload; None lets triage choose
    scenario: Mapped[str | None] = mapped_column(String(32))
    #: rubric name given with the upload; None: the scenario's
    rubric: Mapped[str | None] = mapped_column(String(256))
    #: the user who uploaded it
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    #: which worker holds a running job, and when it last said it was alive
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: wall seconds of the last attempt
    seconds: Mapped[float | None] = mapped_column(Float)


class UserRow(Base):
    """A person who signs in to the web pages, or a machine account holding API tokens."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    #: Argon2id hash; empty for accounts that only hold API tokens
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    #: "admin", "qa", "agent" or "viewer"
    role: Mapped[str] = mapped_column(String(16))
    #: for agents: the agent id their calls carry (``calls.agent_id``)
    agent_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiTokenRow(Base):
    """A bearer token for machines; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSessionRow(Base):
    """A signed-in browser; the cookie holds the token, the database its SHA-256, so signing
    out (or an admin deactivating the user) ends the session at once."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisputeRow(Base):
    """An agent's appeal (申诉) against one item's verdict, and how a QA specialist resolved it."""

    __tablename__ = "disputes"
    # One open dispute per item: a second click on "dispute" is refused by the database.
    __table_args__ = (
        Index(
            "uq_disputes_open_item",
            "score_id",
            "item_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id"))
    item_id: Mapped[str] = mapped_column(String(64))
    #: "open", "upheld" (the verdict was changed) or "rejected"
    status: Mapped[str] = mapped_column(String(16), index=True, default="open")
    #: the item's verdict the agent disputed (the reviewed one, at the time)
    verdict: Mapped[str] = mapped_column(String(16))
    raised_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    #: the QA specialist's answer to the agent
    resolution: Mapped[str] = mapped_column(Text, default="")
    #: the verdict an upheld dispute gave the item
    new_verdict: Mapped[str | None] = mapped_column(String(16))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
