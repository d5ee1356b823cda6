"""Club challenges: clubs, challenges, their members and frozen results; boards hidden.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INSTANT = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")


def upgrade() -> None:
    """Create the club tables and the runner's boards setting."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("boards_hidden", sa.Boolean(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("challenges_until", sa.Date(), nullable=True))
    op.create_table(
        "clubs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("chat_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False, server_default=""),
        sa.Column("timezone", sa.Text(), nullable=False, server_default="UTC"),
        sa.Column("post_every", sa.Text(), nullable=False, server_default="weekly"),
        sa.Column("post_day", sa.Integer(), nullable=False, server_default=sa.text("6")),
        sa.Column("post_time", sa.Text(), nullable=False, server_default="18:00"),
        sa.Column("post_channel", sa.Text()),
        sa.Column("posts_paused_at", INSTANT),
        sa.Column("paused_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.UniqueConstraint("platform", "chat_id", name="clubs_chat"),
        sa.CheckConstraint("post_every IN ('daily', 'weekly', 'off')", name="clubs_post_every"),
    )
    op.create_table(
        "challenges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "club_id", sa.Integer(), sa.ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("target", sa.Float()),
        sa.Column("team", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("ended_at", INSTANT),
        sa.Column("frozen_at", INSTANT),
        sa.Column("created_at", INSTANT, nullable=False),
    )
    op.create_index("challenges_club", "challenges", ["club_id", "end_date"])
    op.create_index("challenges_open", "challenges", ["frozen_at"])
    op.create_table(
        "challenge_members",
        sa.Column(
            "challenge_id",
            sa.Integer(),
            sa.ForeignKey("challenges.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("joined_at", INSTANT, nullable=False),
    )
    op.create_index("challenge_members_user", "challenge_members", ["user_id"])
    op.create_table(
        "challenge_results",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "challenge_id",
            sa.Integer(),
            sa.ForeignKey("challenges.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("display_name", sa.Text()),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index(
        "challenge_results_challenge", "challenge_results", ["challenge_id", "position"]
    )
    op.create_index("challenge_results_user", "challenge_results", ["user_id"])
    # Boards sum a member's runs in a window from the index alone (no table lookups).
    op.drop_index("runs_user_date", table_name="runs")
    op.create_index(
        "runs_user_date",
        "runs",
        ["user_id", "local_date", "distance_m", "duration_s", "id"],
    )
    op.create_index(
        "runs_date", "runs", ["local_date", "user_id", "distance_m", "duration_s", "id"]
    )


def downgrade() -> None:
    """Drop the club tables and the boards setting."""
    op.drop_index("runs_date", table_name="runs")
    op.drop_index("runs_user_date", table_name="runs")
    op.create_index("runs_user_date", "runs", ["user_id", "local_date"])
    op.drop_table("challenge_results")
    op.drop_table("challenge_members")
    op.drop_table("challenges")
    op.drop_table("clubs")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("challenges_until")
        batch.drop_column("boards_hidden")
