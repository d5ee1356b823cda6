"""The weekly digest, opt-in: one row per runner who asked for it (no row: off).

``weekday``/``local_time``: when, on the runner's wall clock (``/settings digest sun
19:00``); ``next_due_at``: the next instant it is due (indexed for the sweep), and
``occurrence`` the local date it belongs to.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INSTANT = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")


def upgrade() -> None:
    """Create the digests table."""
    op.create_table(
        "digests",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.Text(), nullable=False),
        sa.Column("occurrence", sa.Date(), nullable=True),
        sa.Column("next_due_at", INSTANT, nullable=True),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="digests_weekday"),
    )
    op.create_index(
        "digests_due",
        "digests",
        ["next_due_at"],
        sqlite_where=sa.text("next_due_at IS NOT NULL"),
        postgresql_where=sa.text("next_due_at IS NOT NULL"),
    )


def downgrade() -> None:
    """Drop the digests table."""
    op.drop_index("digests_due", table_name="digests")
    op.drop_table("digests")
