"""A file's sport question keeps its answer: ``file_questions.answered_at`` and ``run_id``.

Answered, the question stays 30 minutes more with when it was answered and the run the
"yes" logged (``run_id``; NULL for "no"), so a second tap on its buttons says what the
first did ("Already answered: logged as #12") instead of "nothing was saved". The
daily clean-up removes it as before. ``run_id`` is a plain number, not a foreign key:
the run may be deleted later, and the answer is still what happened.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

INSTANT = sa.Text().with_variant(sa.DateTime(timezone=True), "postgresql")


def upgrade() -> None:
    """Add the two columns, empty for the questions still open."""
    with op.batch_alter_table("file_questions") as batch:
        batch.add_column(sa.Column("answered_at", INSTANT, nullable=True))
        batch.add_column(sa.Column("run_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("file_questions") as batch:
        batch.drop_column("run_id")
        batch.drop_column("answered_at")
