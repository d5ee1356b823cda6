"""The Discord command schema last synced, per application and scope, in the database.

It was a JSON file beside the SQLite file, so on PostgreSQL (or a second machine)
every start uploaded the commands again. One row per ``<application id>/<scope>``.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INSTANT = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")


def upgrade() -> None:
    """Create synced_commands."""
    op.create_table(
        "synced_commands",
        sa.Column("scope", sa.Text(), primary_key=True),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("synced_at", INSTANT, nullable=False),
    )


def downgrade() -> None:
    """Drop synced_commands."""
    op.drop_table("synced_commands")
