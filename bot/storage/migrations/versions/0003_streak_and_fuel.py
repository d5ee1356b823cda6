"""Cheaper /log: a cached run streak on the runner, and the snack nudge due on the run row.

``users.streak_since``/``streak_last``: the Mondays of the first and the latest
week of the runner's latest unbroken block of weeks with a run (NULL: work it
out from the runs on next use). ``runs.fuel_due_at``: when this run's post-run
snack nudge is due, NULL once it was written out (or for a run logged for an
earlier day). Pending snack nudges of the old one-off table move over.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INSTANT = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")


def upgrade() -> None:
    """Add the columns and move pending snack nudges onto their runs."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("streak_since", sa.Date(), nullable=True))
        batch.add_column(sa.Column("streak_last", sa.Date(), nullable=True))
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("fuel_due_at", INSTANT, nullable=True))
    op.create_index(
        "runs_fuel_due",
        "runs",
        ["fuel_due_at"],
        sqlite_where=sa.text("fuel_due_at IS NOT NULL"),
        postgresql_where=sa.text("fuel_due_at IS NOT NULL"),
    )
    # A pending snack nudge, or one replaced by a later run of the day whose own nudge is
    # still pending (it comes back if that run is deleted), is now the run's fuel_due_at.
    op.execute(
        "UPDATE runs SET fuel_due_at = (SELECT o.due_utc FROM nudge_oneoffs o"
        " WHERE o.run_id = runs.id AND o.kind = 'post_run_fuel'"
        " AND o.occurrence = 'run:' || CAST(runs.id AS TEXT)"
        " AND (o.state = 'pending' OR (o.state = 'cancelled' AND EXISTS ("
        "   SELECT 1 FROM nudge_oneoffs r WHERE r.kind = 'post_run_fuel'"
        "   AND r.run_id = o.replaced_by AND r.state = 'pending'))))"
    )
    op.execute(
        "DELETE FROM nudge_oneoffs WHERE kind = 'post_run_fuel' AND run_id IS NOT NULL"
        " AND occurrence = 'run:' || CAST(run_id AS TEXT) AND state != 'claimed'"
    )


def downgrade() -> None:
    """Drop the columns (pending snack nudges are not moved back)."""
    op.drop_index("runs_fuel_due", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("fuel_due_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("streak_last")
        batch.drop_column("streak_since")
