"""Each challenge member's tally kept by the database; boards read it in order.

``challenge_members`` gets ``value`` (the metric in the challenge's window) and
``reached`` (the latest counted run or check-in id, for ties), kept exact by triggers
on ``runs``, ``checkins``, ``challenge_members`` and ``challenges`` (SQLite triggers;
PostgreSQL plpgsql trigger functions), compiled from the expressions in
``bot/storage/tallies.py``; every existing member is counted here. The index
``challenge_members_board`` holds the board order, so a board reads its members from
it instead of aggregating their runs on every read. ``runs_date`` served only that
aggregate on PostgreSQL: dropped (one index fewer written by every run).

SQLite: adding the columns is a plain ``ALTER TABLE ADD COLUMN`` (no table rebuild).
A later batch migration that rebuilds one of those four tables drops its triggers,
so it must create them again (``tallies.create_statements``); a test checks that they
exist after upgrading to head.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage import tallies

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the tally columns, their index and triggers; count every member; drop runs_date."""
    conn = op.get_bind()
    with op.batch_alter_table("challenge_members") as batch:
        batch.add_column(
            sa.Column("value", sa.Float(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(sa.Column("reached", sa.Integer(), nullable=True))
    op.create_index(
        "challenge_members_board",
        "challenge_members",
        ["challenge_id", sa.text("value DESC"), "reached", "joined_at", "user_id"],
    )
    op.drop_index("runs_date", table_name="runs")
    for statement in tallies.create_statements(conn.dialect.name):
        conn.exec_driver_sql(statement)
    conn.execute(tallies.recount())


def downgrade() -> None:
    """Back to boards aggregated from the runs on every read."""
    conn = op.get_bind()
    for statement in tallies.drop_statements(conn.dialect.name):
        conn.exec_driver_sql(statement)
    op.create_index(
        "runs_date", "runs", ["local_date", "user_id", "distance_m", "duration_s", "id"]
    )
    op.drop_index("challenge_members_board", table_name="challenge_members")
    with op.batch_alter_table("challenge_members") as batch:
        batch.drop_column("reached")
        batch.drop_column("value")
