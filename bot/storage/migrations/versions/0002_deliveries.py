"""One scheduled-message path: ``deliveries`` replaces ``nudge_deliveries``.

A delivery now has a target (a runner's DM or a group chat), is written
``due`` before it is sent, and passes through ``claimed`` and ``sending``, so
that after a crash the claims never tried go back to due. Old rows are copied
over; an old ``claimed`` row was a crash before sending (that release marked
such rows failed on its next start), so it is copied as failed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INSTANT = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")
STATES = ("due", "claimed", "sending", "sent", "skipped", "failed", "unreachable", "expired")


def upgrade() -> None:
    """Create ``deliveries``, copy the old records, drop the old table."""
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("occurrence", sa.Text(), nullable=False),
        sa.Column("anchor", sa.Date(), nullable=True),
        sa.Column("due_at", INSTANT, nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("platform", sa.Text(), nullable=True),
        sa.Column("chat_id", sa.Text(), nullable=True),
        sa.Column("claimed_at", INSTANT, nullable=True),
        sa.Column("lease_until", INSTANT, nullable=True),
        sa.Column("sending_at", INSTANT, nullable=True),
        sa.Column("sent_at", INSTANT, nullable=True),
        sa.Column("answered_at", INSTANT, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("payload", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATES) + ")", name="deliveries_status"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("target", "kind", "occurrence", name="deliveries_once"),
    )
    op.create_index(
        "deliveries_due",
        "deliveries",
        ["due_at"],
        sqlite_where=sa.text("status = 'due'"),
        postgresql_where=sa.text("status = 'due'"),
    )
    op.create_index(
        "deliveries_open",
        "deliveries",
        ["lease_until"],
        sqlite_where=sa.text("status IN ('claimed', 'sending')"),
        postgresql_where=sa.text("status IN ('claimed', 'sending')"),
    )
    op.create_index("deliveries_user", "deliveries", ["user_id", "kind", "anchor"])
    op.execute(
        "INSERT INTO deliveries (id, target, user_id, kind, occurrence, anchor, due_at, status,"
        " reason, platform, chat_id, claimed_at, sent_at, answered_at, attempts)"
        " SELECT id, 'user:' || CAST(user_id AS TEXT), user_id, kind, occurrence, anchor,"
        " due_utc, CASE status WHEN 'claimed' THEN 'failed' ELSE status END,"
        " CASE status WHEN 'claimed' THEN 'crashed before send' ELSE reason END,"
        " platform, platform_user_id, claimed_at, sent_at, answered_at, attempts"
        " FROM nudge_deliveries"
    )
    if op.get_bind().dialect.name == "postgresql":
        # Ids were copied: move the sequence past them.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('deliveries', 'id'),"
            " coalesce((SELECT max(id) FROM deliveries), 0) + 1, false)"
        )
    op.drop_index("nudge_deliveries_claimed", table_name="nudge_deliveries")
    op.drop_index("nudge_deliveries_user", table_name="nudge_deliveries")
    op.drop_table("nudge_deliveries")
    # The pre-Alembic release's own bookkeeping, now replaced by alembic_version.
    op.execute("DROP TABLE IF EXISTS schema_migrations")


def downgrade() -> None:
    """Not supported: delivery records are history, and the old table had no target."""
    raise NotImplementedError("0002 cannot be downgraded")
