"""Clubs: kudos, the opt-in run feed, club units, one post per post time; rest pauses.

- ``run_kudos``: one 👏 per member per run (the giver's ``user_id``; the run's own
  runner is found through ``run_id``), in the club it was given in.
- ``club_members``: the runners who took part in a club (joined a challenge, cheered,
  logged in its chat); the feed posts the runs of those who opted in.
- ``clubs.units`` (``km``/``mi``: posts and the create reply), ``clubs.feed`` (the
  admin's switch); ``users.feed`` (the runner's).
- ``challenges.planned_end``: the end date a challenge had before ``/challenge end``;
  ``challenges.posted_board``: what the last board post showed, so an unchanged board
  is not posted again.
- ``nudge_prefs.paused_since``/``pause_reason`` and ``streak_pauses``: ``/pause <date>
  injured`` (or ``ill``, ``rest``) freezes streaks; every such window is kept.

Existing challenge members become members of their clubs. Frozen: imports nothing
from the live code.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

INSTANT = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")


def upgrade() -> None:
    """Add the tables and columns; the members of challenges join their clubs."""
    with op.batch_alter_table("clubs") as batch:
        batch.add_column(sa.Column("units", sa.Text(), nullable=False, server_default="km"))
        batch.add_column(sa.Column("feed", sa.Boolean(), nullable=False, server_default="0"))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("feed", sa.Boolean(), nullable=False, server_default="0"))
    with op.batch_alter_table("challenges") as batch:
        batch.add_column(sa.Column("planned_end", sa.Date(), nullable=True))
        batch.add_column(sa.Column("posted_board", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("nudge_prefs") as batch:
        batch.add_column(sa.Column("paused_since", sa.Date(), nullable=True))
        batch.add_column(sa.Column("pause_reason", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "run_kudos",
        sa.Column(
            "run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "club_id", sa.Integer(), sa.ForeignKey("clubs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", INSTANT, nullable=False),
    )
    op.create_index("run_kudos_club", "run_kudos", ["club_id", "created_at"])
    op.create_index("run_kudos_user", "run_kudos", ["user_id"])
    op.create_table(
        "club_members",
        sa.Column(
            "club_id", sa.Integer(), sa.ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("joined_at", INSTANT, nullable=False),
    )
    op.create_index("club_members_user", "club_members", ["user_id"])
    op.create_table(
        "streak_pauses",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("since", sa.Date(), primary_key=True),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    members = sa.table(
        "challenge_members", sa.column("challenge_id"), sa.column("user_id"), sa.column("joined_at")
    )
    challenges = sa.table("challenges", sa.column("id"), sa.column("club_id"))
    club_members = sa.table(
        "club_members", sa.column("club_id"), sa.column("user_id"), sa.column("joined_at")
    )
    first = (
        sa.select(challenges.c.club_id, members.c.user_id, sa.func.min(members.c.joined_at))
        .select_from(members.join(challenges, challenges.c.id == members.c.challenge_id))
        .group_by(challenges.c.club_id, members.c.user_id)
    )
    op.execute(club_members.insert().from_select(["club_id", "user_id", "joined_at"], first))


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("streak_pauses")
    op.drop_index("club_members_user", table_name="club_members")
    op.drop_table("club_members")
    op.drop_index("run_kudos_user", table_name="run_kudos")
    op.drop_index("run_kudos_club", table_name="run_kudos")
    op.drop_table("run_kudos")
    with op.batch_alter_table("nudge_prefs") as batch:
        batch.drop_column("pause_reason")
        batch.drop_column("paused_since")
    with op.batch_alter_table("challenges") as batch:
        batch.drop_column("posted_board")
        batch.drop_column("planned_end")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("feed")
    with op.batch_alter_table("clubs") as batch:
        batch.drop_column("feed")
        batch.drop_column("units")
