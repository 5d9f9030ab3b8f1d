"""Scores keep the total and fatal flag with people's verdicts applied, so call lists,
filters and dashboards show what QA decided (and mark it as including manual edits).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scores") as table:
        table.add_column(sa.Column("reviewed_total", sa.Float))
        table.add_column(sa.Column("reviewed_fatal_failure", sa.Boolean))
    # Scores people already changed get their reviewed totals now, by the same code that keeps
    # them from here on.
    from qa_assist.storage.reviews import store_reviewed_totals
    from qa_assist.storage.tables import ItemReviewRow, ScoreRow

    session = Session(bind=op.get_bind())
    overridden = sa.select(ItemReviewRow.score_id).where(ItemReviewRow.action == "override")
    for score_row in session.scalars(sa.select(ScoreRow).where(ScoreRow.id.in_(overridden))).all():
        store_reviewed_totals(session, score_row)
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table("scores") as table:
        table.drop_column("reviewed_fatal_failure")
        table.drop_column("reviewed_total")
