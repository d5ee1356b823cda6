"""Challenge tallies kept by the unit of work: the triggers of 0010 go.

From this revision the unit of work notes the runners and challenges a write touched
and recounts their open tallies before commit (``bot/storage/challenge_counts.py``),
with the metric definitions in Python (``bot/challenge_metrics.py``). The triggers
kept every tally exact up to here and count exactly what those definitions count, so
nothing is recounted. On PostgreSQL their plpgsql functions go too.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The triggers 0010 made, by name (frozen).
_TABLES = ("runs", "checkins", "challenge_members", "challenges")
_SQLITE_TRIGGERS = (
    "runs_tally_insert",
    "runs_tally_delete",
    "runs_tally_update",
    "checkins_tally_insert",
    "checkins_tally_delete",
    "checkins_tally_update",
    "challenge_members_tally_insert",
    "challenge_members_tally_update",
    "challenges_tally_update",
)


def upgrade() -> None:
    """Drop the tally triggers (and PostgreSQL's trigger functions)."""
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        for table in _TABLES:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_tally ON {table}")
        for table in _TABLES:
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {table}_tally()")
    else:
        for name in _SQLITE_TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def downgrade() -> None:
    """Back to the triggers of 0010 (built by that frozen migration), recounting every member."""
    revision_0010 = _sibling("0010_challenge_tallies.py")
    conn = op.get_bind()
    for statement in revision_0010.create_statements(conn.dialect.name):
        conn.exec_driver_sql(statement)
    conn.execute(revision_0010.recount())


def _sibling(filename: str) -> ModuleType:
    """Another migration of this folder, loaded from its file (its name is no identifier)."""
    spec = importlib.util.spec_from_file_location(
        f"pacer_migration_{filename[:4]}", Path(__file__).with_name(filename)
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
