"""Runs from files: what a track added to a run, and its best efforts.

``runs.source_file``: the file's kind (``gpx``, ``fit``, ``tcx``) or ``strava``
for a run imported from a Strava export's CSV alone; ``file_sha256`` the
file's content hash and ``strava_id`` the Strava activity id, each unique per
runner, so the same file or activity stored twice is one run;
``started_at`` (UTC), ``elapsed_s`` (the moving time is ``duration_s``, so the
pause is the difference) and ``elevation_gain_m`` as read from the file.
``run_efforts``: the fastest stretch of each standard distance inside the track.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INSTANT = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")


def upgrade() -> None:
    """Add the run columns, their unique indexes and ``run_efforts``."""
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("source_file", sa.Text(), nullable=True))
        batch.add_column(sa.Column("file_sha256", sa.Text(), nullable=True))
        batch.add_column(sa.Column("strava_id", sa.Text(), nullable=True))
        batch.add_column(sa.Column("started_at", INSTANT, nullable=True))
        batch.add_column(sa.Column("elapsed_s", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("elevation_gain_m", sa.Float(), nullable=True))
    op.create_index("runs_user_file", "runs", ["user_id", "file_sha256"], unique=True)
    op.create_index("runs_user_strava", "runs", ["user_id", "strava_id"], unique=True)
    op.create_table(
        "run_efforts",
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("distance_m", sa.Integer(), primary_key=True),
        sa.Column("seconds", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_table("run_efforts")
    op.drop_index("runs_user_strava", table_name="runs")
    op.drop_index("runs_user_file", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        for name in (
            "elevation_gain_m",
            "elapsed_s",
            "started_at",
            "strava_id",
            "file_sha256",
            "source_file",
        ):
            batch.drop_column(name)
