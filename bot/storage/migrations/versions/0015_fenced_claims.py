"""Fenced claims: a delivery's claim carries its owner and an epoch; a claim index.

``owner`` (the claiming process) and ``epoch`` (bumped at every claim) let marking
a row as sending and recording its outcome require the claim they belong to: a
process paused past its lease cannot send a row that was taken back and claimed
again. ``deliveries_claim`` (platform, due_at, id over due rows) serves the claim's
"first N due rows of a platform" as an index-ordered scan instead of a sort of the
whole backlog.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

DUE = sa.text("status = 'due'")


def upgrade() -> None:
    """Add owner and epoch, and the claim index."""
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("owner", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("epoch", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.create_index(
        "deliveries_claim",
        "deliveries",
        ["platform", "due_at", "id"],
        sqlite_where=DUE,
        postgresql_where=DUE,
    )


def downgrade() -> None:
    """Drop the index and the columns."""
    op.drop_index("deliveries_claim", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("epoch")
        batch.drop_column("owner")
