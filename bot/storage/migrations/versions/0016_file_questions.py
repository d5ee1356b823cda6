"""File questions: a file that did not say its sport waits in the database for the answer.

One row per question asked with two buttons ("log it as a run?"): the run read from
the file as JSON text (the figures the answer logs, not the file), the note sent with
it, and when the question expires (30 minutes after it was asked). Kept in the
database rather than one process's memory, so the tap is answered after a restart or
by another process.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

INSTANT = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")


def upgrade() -> None:
    """Create the table and its indexes."""
    op.create_table(
        "file_questions",
        sa.Column("token", sa.Text(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("run_file", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("expires_at", INSTANT, nullable=False),
    )
    op.create_index("file_questions_user", "file_questions", ["user_id"])
    op.create_index("file_questions_expires", "file_questions", ["expires_at"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("file_questions")
