"""Small SQL helpers shared by the repositories: the dialect's INSERT, row mappers,
and the names of Pacer's own execution options."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Table
from sqlalchemy.dialects import postgresql, sqlite

from bot.models import CheckIn, Identity, NudgePrefs, Run, User

# Execution options read by SQLite's ``begin`` listener (bot/storage/database.py).
WRITE = "pacer_write"  # BEGIN IMMEDIATE: a writer takes the write lock up front
NO_BEGIN = "pacer_no_begin"  # no BEGIN: each statement commits by itself


def insert(dialect: str, table: Table) -> Any:
    """The dialect's INSERT, which knows ``ON CONFLICT`` (SQLite and PostgreSQL alike)."""
    if dialect == "sqlite":
        return sqlite.insert(table)
    return postgresql.insert(table)


PREF_FIELDS = tuple(NudgePrefs.__dataclass_fields__)
USER_FIELDS = tuple(f for f in User.__dataclass_fields__ if f not in ("id", "prefs"))


def prefs_from(row: Any) -> NudgePrefs:
    """Nudge preferences from a row joined with ``nudge_prefs`` (defaults when missing)."""
    m = row._mapping
    if m.get("prefs_user_id") is None:
        return NudgePrefs()
    return NudgePrefs(**{f: m[f] for f in PREF_FIELDS})


def user_from(row: Row[Any]) -> User:
    """A runner from a ``users`` row (joined with ``nudge_prefs`` when present)."""
    m = row._mapping
    return User(id=m["id"], prefs=prefs_from(row), **{f: m[f] for f in USER_FIELDS})


def identity_from(row: Row[Any]) -> Identity:
    """An identity from an ``identities`` row (columns may be prefixed ``identity_``)."""
    m = row._mapping
    return Identity(
        platform=m["platform"],
        platform_user_id=m["platform_user_id"],
        user_id=m["user_id"],
        display_name=m.get("identity_name", m.get("display_name", "")),
        unreachable_since=m["unreachable_since"],
        unreachable_told=bool(m["unreachable_told"]),
        last_seen_at=m["last_seen_at"],
    )


def run_from(row: Row[Any]) -> Run:
    """A run from a ``runs`` row."""
    m = row._mapping
    return Run(
        id=m["id"],
        user_id=m["user_id"],
        local_date=m["local_date"],
        distance_m=m["distance_m"],
        duration_s=m["duration_s"],
        note=m["note"],
        created_at=m["created_at"],
        climb_m=m.get("elevation_gain_m"),
    )


def checkin_from(row: Row[Any]) -> CheckIn:
    """A check-in from a ``checkins`` row."""
    m = row._mapping
    return CheckIn(**{f: m[f] for f in CheckIn.__dataclass_fields__})
