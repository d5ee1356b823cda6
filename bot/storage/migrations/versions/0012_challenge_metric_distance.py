"""The distance a challenge metric is about: ``fastest 5k`` and ``streak min 1.6km``.

``challenges.effort_m``: the standard distance a ``fastest`` challenge ranks efforts
over (1000, 5000, 10000 or 21097 m). ``challenges.day_min_m``: the least a ``streak``
challenge counts as a day with a run (NULL: any run). Both NULL for other metrics.
SQLite: plain ``ALTER TABLE ADD COLUMN`` (no table rebuild).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two columns."""
    with op.batch_alter_table("challenges") as batch:
        batch.add_column(sa.Column("effort_m", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("day_min_m", sa.Float(), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("challenges") as batch:
        batch.drop_column("day_min_m")
        batch.drop_column("effort_m")
