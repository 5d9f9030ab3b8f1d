"""The schema as ``create_all`` made it before migrations existed.

A database from those days has no ``alembic_version`` table: it is stamped at this revision
and upgraded from here (``qa_assist.storage.migrate``). Unique constraints carry the names of
the naming convention in ``tables.py``; in such an old SQLite database they are unnamed, and
a later migration that drops one passes the convention to ``batch_alter_table``.

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(512), nullable=False),
        sa.Column("audio_path", sa.String(1024), nullable=False),
        sa.Column("scenario", sa.String(32), nullable=False),
        sa.Column("agent_id", sa.String(64)),
        sa.Column("duration", sa.Float),
        _when("created_at"),
    )
    op.create_index("ix_calls_scenario", "calls", ["scenario"])
    op.create_index("ix_calls_agent_id", "calls", ["agent_id"])
    op.create_index("ix_calls_content_hash", "calls", ["content_hash"], unique=True)
    op.create_table(
        "transcripts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("call_id", sa.Integer, sa.ForeignKey("calls.id"), nullable=False),
        sa.Column("engine", sa.String(32), nullable=False),
        sa.Column("model_version", sa.String(128), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        _when("created_at"),
        sa.UniqueConstraint("call_id", name="uq_transcripts_call_id"),
    )
    op.create_table(
        "scores",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("call_id", sa.Integer, sa.ForeignKey("calls.id"), nullable=False),
        sa.Column("rubric_id", sa.String(64), nullable=False),
        sa.Column("rubric_version", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(128), nullable=False),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("fatal_failure", sa.Boolean, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("note", sa.Text),
        _when("created_at"),
        sa.UniqueConstraint(
            "call_id",
            "rubric_id",
            "rubric_version",
            "model_version",
            name="uq_scores_call_id_rubric_id_rubric_version_model_version",
        ),
    )
    op.create_index("ix_scores_call_id", "scores", ["call_id"])
    op.create_index("ix_scores_total", "scores", ["total"])
    op.create_table(
        "item_reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("score_id", sa.Integer, sa.ForeignKey("scores.id"), nullable=False),
        sa.Column("call_id", sa.Integer, sa.ForeignKey("calls.id"), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        _when("updated_at"),
        sa.UniqueConstraint("score_id", "item_id", name="uq_item_reviews_score_id_item_id"),
    )
    op.create_index("ix_item_reviews_call_id", "item_reviews", ["call_id"])
    op.create_index("ix_item_reviews_score_id", "item_reviews", ["score_id"])
    op.create_table(
        "review_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("call_id", sa.Integer, sa.ForeignKey("calls.id"), nullable=False),
        sa.Column("score_id", sa.Integer, sa.ForeignKey("scores.id"), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("before", sa.JSON, nullable=False),
        sa.Column("after", sa.JSON, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        _when("at"),
    )
    op.create_index("ix_review_audit_call_id", "review_audit", ["call_id"])


def downgrade() -> None:
    for table in ("review_audit", "item_reviews", "scores", "transcripts", "calls"):
        op.drop_table(table)
