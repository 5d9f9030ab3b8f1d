"""Agents' disputes (申诉) of item verdicts and their resolution; audit entries about a whole
call (an agent accepting its result, a comment on it) carry no item.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_audit") as table:
        table.alter_column("item_id", existing_type=sa.String(64), nullable=True)

    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("call_id", sa.Integer, sa.ForeignKey("calls.id"), nullable=False),
        sa.Column("score_id", sa.Integer, sa.ForeignKey("scores.id"), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("raised_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolution", sa.Text, nullable=False),
        sa.Column("new_verdict", sa.String(16)),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
    )
    for column in ("call_id", "status"):
        op.create_index(f"ix_disputes_{column}", "disputes", [column])
    open_only = sa.text("status = 'open'")
    op.create_index(
        "uq_disputes_open_item",
        "disputes",
        ["score_id", "item_id"],
        unique=True,
        sqlite_where=open_only,
        postgresql_where=open_only,
    )


def downgrade() -> None:
    op.drop_table("disputes")
    # The older schema has no call-wide audit entries: they are kept, as about no item ('').
    review_audit = sa.table("review_audit", sa.column("item_id", sa.String))
    op.execute(review_audit.update().where(review_audit.c.item_id.is_(None)).values(item_id=""))
    with op.batch_alter_table("review_audit") as table:
        table.alter_column("item_id", existing_type=sa.String(64), nullable=False)
