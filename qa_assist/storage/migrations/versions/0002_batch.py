"""Call metadata (team, call time, ticket, direction, channel layout, triage), scores keyed by
every model version, and batch runs with the outcome of each input.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-20
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: Gives the unnamed unique constraints of a database made before migrations their names, so
#: that they can be dropped by name (the same convention as ``tables.py``).
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
OLD_KEY = "uq_scores_call_id_rubric_id_rubric_version_model_version"
NEW_KEY = "uq_scores_call_id_rubric_id_rubric_version_models_key"

CALL_COLUMNS = (
    ("scenario_source", sa.String(16), False),
    ("team", sa.String(64), True),
    ("call_time", sa.DateTime(timezone=True), True),
    ("ticket_id", sa.String(64), True),
    ("direction", sa.String(16), False),
    ("channel_layout", sa.String(16), False),
    ("ticket_type", sa.String(32), True),
    ("ticket_subsystem", sa.String(32), False),
    ("ticket_priority", sa.String(8), False),
)


def _models_key(versions: dict[str, str]) -> str:
    # A frozen copy of ``storage.calls.models_key``: this migration must not change when the
    # application code does.
    return hashlib.sha256(json.dumps(versions, sort_keys=True).encode("utf-8")).hexdigest()


def upgrade() -> None:
    for name, type_, indexed in CALL_COLUMNS:
        op.add_column("calls", sa.Column(name, type_, nullable=True))
        if indexed:
            op.create_index(f"ix_calls_{name}", "calls", [name])

    op.add_column("scores", sa.Column("models_key", sa.String(64), nullable=True))
    scores = sa.table(
        "scores",
        sa.column("id", sa.Integer),
        sa.column("model_version", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("models_key", sa.String),
    )
    connection = op.get_bind()
    for score_id, asr_version, payload in connection.execute(
        sa.select(scores.c.id, scores.c.model_version, scores.c.payload)
    ).all():
        versions = (payload or {}).get("model_versions") or {"asr": asr_version}
        connection.execute(
            scores.update().where(scores.c.id == score_id).values(models_key=_models_key(versions))
        )
    with op.batch_alter_table("scores", naming_convention=NAMING) as batch:
        batch.alter_column("models_key", existing_type=sa.String(64), nullable=False)
        batch.drop_constraint(OLD_KEY, type_="unique")
        batch.create_unique_constraint(
            NEW_KEY, ["call_id", "rubric_id", "rubric_version", "models_key"]
        )

    op.create_table(
        "batch_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_date", sa.Date, nullable=False),
        sa.Column("engine", sa.String(16), nullable=False),
        sa.Column("workers", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        *(
            sa.Column(name, sa.Integer, nullable=False)
            for name in ("total", "scored", "skipped", "failed")
        ),
    )
    op.create_index("ix_batch_runs_run_date", "batch_runs", ["run_date"])
    op.create_table(
        "batch_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("batch_runs.id"), nullable=False),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("call_id", sa.Integer, sa.ForeignKey("calls.id")),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("audio_seconds", sa.Float),
        sa.Column("seconds", sa.Float),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("run_id", "content_hash", "call_id", "outcome"):
        op.create_index(f"ix_batch_items_{column}", "batch_items", [column])


def downgrade() -> None:
    op.drop_table("batch_items")
    op.drop_table("batch_runs")
    with op.batch_alter_table("scores", naming_convention=NAMING) as batch:
        batch.drop_constraint(NEW_KEY, type_="unique")
        batch.create_unique_constraint(
            OLD_KEY, ["call_id", "rubric_id", "rubric_version", "model_version"]
        )
        batch.drop_column("models_key")
    with op.batch_alter_table("calls") as batch:
        for name, _, indexed in CALL_COLUMNS:
            if indexed:
                batch.drop_index(f"ix_calls_{name}")
            batch.drop_column(name)
