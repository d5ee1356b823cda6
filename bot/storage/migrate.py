"""Alembic migrations, applied at start-up and by ``pacer db upgrade``.

A database made by the last release before Alembic (its own numbered SQL
migrations 0001-0005, listed in ``schema_migrations``) is stamped at the
baseline revision, then upgraded like any other: every row is kept.
"""

from __future__ import annotations

import logging
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.sql import NO_BEGIN, WRITE

log = logging.getLogger(__name__)

BASELINE = "0001"
MIGRATION_LOCK = 0x70616365  # "pace": the advisory lock key of Pacer's migrations
LAST_LEGACY_MIGRATION = 5  # the release's own migrations 0001-0005 make the baseline


class MigrationError(RuntimeError):
    """The database cannot be brought to this release's schema."""


def alembic_config() -> Config:
    """Alembic's configuration, pointing at the migrations shipped in the package."""
    cfg = Config()
    cfg.set_main_option(
        "script_location", str(resources.files("bot.storage").joinpath("migrations"))
    )
    return cfg


def head_revision() -> str:
    """The newest migration this release knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def upgrade(engine: AsyncEngine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to ``revision``; returns (revision before, revision after)."""
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as conn:
        if sqlite:
            # Batch migrations rebuild tables: with foreign keys on, dropping the old
            # table would cascade-delete child rows. The pragma works only outside a
            # transaction; the result is checked before commit.
            await conn.execution_options(**{NO_BEGIN: True})
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.commit()
            await conn.execution_options(**{NO_BEGIN: False, WRITE: True})
        try:
            result = await conn.run_sync(_upgrade, revision, sqlite)
            await conn.commit()
        finally:
            if sqlite:
                await conn.rollback()
                await conn.execution_options(**{NO_BEGIN: True})
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()
    return result


def _upgrade(conn: Connection, revision: str, sqlite: bool) -> tuple[str | None, str | None]:
    if not sqlite:
        # Several processes may start together on one database: one migrates, the
        # others wait for it here, then find nothing to do. Released at commit.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    before = _current(conn)
    if before is None and _is_legacy(conn):
        _stamp_legacy(conn)
        before = f"the release before Alembic (its migration {LAST_LEGACY_MIGRATION})"
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)
    after = _current(conn)
    if sqlite:
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise MigrationError(f"migration broke foreign keys: {broken[:5]}")
    if before != after:
        log.info("database upgraded from %s to %s", before or "empty", after)
    return before, after


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _is_legacy(conn: Connection) -> bool:
    return "schema_migrations" in inspect(conn).get_table_names()


def _stamp_legacy(conn: Connection) -> None:
    versions: Any = conn.execute(text("SELECT max(version) FROM schema_migrations")).scalar()
    if versions != LAST_LEGACY_MIGRATION:
        raise MigrationError(
            f"this database is at the old migration {versions}; start the release before "
            f"Alembic once (it upgrades to {LAST_LEGACY_MIGRATION}), then this one"
        )
    log.info("database from the release before Alembic: stamping it at %s", BASELINE)
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.stamp(cfg, BASELINE)
