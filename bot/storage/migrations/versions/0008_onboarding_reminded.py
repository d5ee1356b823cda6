"""Remind of an open set-up question once: ``users.onboarding_reminded``.

True once another command's reply said "Set-up is still open"; reset whenever
the open question changes. Not personal data (a flag about the conversation).

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the flag, false for everyone."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("onboarding_reminded", sa.Boolean(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    """Drop the flag."""
    with op.batch_alter_table("users") as batch:
        batch.drop_column("onboarding_reminded")
