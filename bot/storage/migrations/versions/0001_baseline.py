"""Baseline: the schema of the last release before Alembic (its migrations 0001-0005).

A database made by that release is stamped at this revision instead of running
it (see ``bot.storage.migrate``); a new database starts here.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Instants: the ISO text that release wrote on SQLite; timestamptz on PostgreSQL.
INSTANT = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")


def upgrade() -> None:
    """Create every table of the release."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.Text(), server_default="", nullable=False),
        sa.Column("timezone", sa.Text(), server_default="UTC", nullable=False),
        sa.Column("units", sa.Text(), server_default="km", nullable=False),
        sa.Column("run_days", sa.Text(), server_default="", nullable=False),
        sa.Column("run_time", sa.Text(), nullable=True),
        sa.Column("bedtime", sa.Text(), nullable=True),
        sa.Column("target_bedtime", sa.Text(), nullable=True),
        sa.Column("wake_time", sa.Text(), nullable=True),
        sa.Column("quiet_start", sa.Text(), nullable=True),
        sa.Column("quiet_end", sa.Text(), nullable=True),
        sa.Column("nudge_platform", sa.Text(), nullable=True),
        sa.Column("onboarding_step", sa.Text(), nullable=True),
        sa.Column("onboarded_at", INSTANT, nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.CheckConstraint("units IN ('km', 'mi')", name="users_units"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("habit", sa.Text(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.Text(), server_default="", nullable=False),
        sa.Column("hours", sa.Float(), nullable=True),
        sa.Column("bedtime", sa.Text(), nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=True),
        sa.Column("sets", sa.Integer(), nullable=True),
        sa.Column("reps", sa.Integer(), nullable=True),
        sa.Column("load", sa.Float(), nullable=True),
        sa.Column("load_unit", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("source_key", sa.Text(), nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.CheckConstraint(
            "habit IN ('sleep', 'mobility', 'strength', 'fuel')", name="checkins_habit"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    op.create_index(
        "checkins_user_habit_date", "checkins", ["user_id", "habit", "local_date"], unique=False
    )
    op.create_table(
        "handled_messages",
        sa.Column("source_key", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("source_key"),
    )
    op.create_table(
        "identities",
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("platform_user_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.Text(), server_default="", nullable=False),
        sa.Column("unreachable_since", INSTANT, nullable=True),
        sa.Column("unreachable_told", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("last_seen_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform", "platform_user_id"),
    )
    op.create_index("identities_user", "identities", ["user_id"], unique=False)
    op.create_table(
        "link_codes",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "nudge_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("occurrence", sa.Text(), nullable=False),
        sa.Column("anchor", sa.Date(), nullable=False),
        sa.Column("due_utc", INSTANT, nullable=False),
        sa.Column("claimed_at", INSTANT, nullable=False),
        sa.Column("sent_at", INSTANT, nullable=True),
        sa.Column("answered_at", INSTANT, nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("platform", sa.Text(), nullable=True),
        sa.Column("platform_user_id", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "status IN ('claimed', 'sent', 'skipped', 'failed', 'unreachable')",
            name="nudge_deliveries_status",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "kind", "occurrence"),
    )
    op.create_index(
        "nudge_deliveries_claimed",
        "nudge_deliveries",
        ["claimed_at"],
        unique=False,
        sqlite_where=sa.text("status = 'claimed'"),
        postgresql_where=sa.text("status = 'claimed'"),
    )
    op.create_index(
        "nudge_deliveries_user", "nudge_deliveries", ["user_id", "kind", "anchor"], unique=False
    )
    op.create_table(
        "nudge_oneoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("occurrence", sa.Text(), nullable=False),
        sa.Column("anchor", sa.Date(), nullable=False),
        sa.Column("due_utc", INSTANT, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("since_utc", INSTANT, nullable=True),
        sa.Column("state", sa.Text(), server_default="pending", nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("replaced_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'claimed', 'cancelled')", name="oneoffs_state"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "kind", "occurrence"),
    )
    op.create_index(
        "nudge_oneoffs_due",
        "nudge_oneoffs",
        ["due_utc"],
        unique=False,
        sqlite_where=sa.text("state = 'pending'"),
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index(
        "nudge_oneoffs_run",
        "nudge_oneoffs",
        ["user_id", "run_id"],
        unique=False,
        sqlite_where=sa.text("run_id IS NOT NULL"),
        postgresql_where=sa.text("run_id IS NOT NULL"),
    )
    op.create_table(
        "nudge_prefs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("wind_down_lead", sa.Integer(), server_default=sa.text("30"), nullable=False),
        sa.Column("pre_run_lead", sa.Integer(), server_default=sa.text("10"), nullable=False),
        sa.Column("fuel_delay", sa.Integer(), server_default=sa.text("20"), nullable=False),
        sa.Column("bedtime_step", sa.Integer(), server_default=sa.text("15"), nullable=False),
        sa.Column("plan_first_step", sa.Integer(), server_default=sa.text("30"), nullable=False),
        sa.Column("plan_start", sa.Date(), nullable=True),
        sa.Column("plan_from", sa.Text(), nullable=True),
        sa.Column("plan_source", sa.Text(), nullable=True),
        sa.Column("plan_target", sa.Text(), nullable=True),
        sa.Column("strength_days", sa.Text(), server_default="", nullable=False),
        sa.Column("strength_time", sa.Text(), nullable=True),
        sa.Column("race_date", sa.Date(), nullable=True),
        sa.Column("race_name", sa.Text(), server_default="", nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "nudge_schedules",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("local_time", sa.Text(), nullable=True),
        sa.Column("days", sa.Text(), server_default="", nullable=False),
        sa.Column("occurrence", sa.Date(), nullable=True),
        sa.Column("next_due_utc", INSTANT, nullable=True),
        sa.Column("skip_date", sa.Date(), nullable=True),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kind"),
    )
    op.create_index(
        "nudge_schedules_due",
        "nudge_schedules",
        ["next_due_utc"],
        unique=False,
        sqlite_where=sa.text("next_due_utc IS NOT NULL"),
        postgresql_where=sa.text("next_due_utc IS NOT NULL"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("source_key", sa.Text(), nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.CheckConstraint("distance_m > 0", name="runs_distance"),
        sa.CheckConstraint("duration_s > 0", name="runs_duration"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("runs_user_date", "runs", ["user_id", "local_date"], unique=False)


def downgrade() -> None:
    """Drop everything."""
    for table in (
        "nudge_deliveries",
        "nudge_oneoffs",
        "nudge_schedules",
        "nudge_prefs",
        "link_codes",
        "handled_messages",
        "checkins",
        "runs",
        "identities",
        "users",
    ):
        op.drop_table(table)
