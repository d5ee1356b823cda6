"""Index only the runs that came from a file or from Strava.

``runs_user_file`` and ``runs_user_strava`` keep a file's hash and a Strava id unique
per runner. A typed ``/log`` has neither (both NULL, which a unique index never
compares), yet every INSERT still wrote an entry into both indexes: two more pages
in each commit's WAL frame. As partial indexes (``... IS NOT NULL``) they hold only
the runs that carry the value and enforce the same uniqueness.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_INDEXES = (("runs_user_file", "file_sha256"), ("runs_user_strava", "strava_id"))


def upgrade() -> None:
    """Recreate both unique indexes as partial ones."""
    for name, column in _INDEXES:
        op.drop_index(name, table_name="runs")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            name,
            "runs",
            ["user_id", column],
            unique=True,
            sqlite_where=where,
            postgresql_where=where,
        )


def downgrade() -> None:
    """Back to indexes over every run."""
    for name, column in _INDEXES:
        op.drop_index(name, table_name="runs")
        op.create_index(name, "runs", ["user_id", column], unique=True)
