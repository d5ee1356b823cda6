"""Migrations are frozen, and all of them together build exactly the declared tables."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, String, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from bot.storage.database import Database
from bot.storage.migrate import alembic_config
from bot.storage.tables import metadata

VERSIONS = Path(__file__).resolve().parents[2] / "bot" / "storage" / "migrations" / "versions"


def _imported(path: Path) -> list[str]:
    """Every module a file imports (``from x import y``: ``x``; ``import x``: ``x``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
        elif isinstance(node, ast.ImportFrom):
            found.append("bot.storage.migrations.versions")  # relative: this folder
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def test_no_migration_imports_the_live_code() -> None:
    """A migration outlives the code it was written with: it uses only its own folder."""
    files = sorted(VERSIONS.glob("*.py"))
    assert len(files) >= 10  # 0001 to 0011 (there is no 0007)
    for path in files:
        from_bot = [m for m in _imported(path) if m == "bot" or m.startswith("bot.")]
        outside = [m for m in from_bot if not m.startswith("bot.storage.migrations")]
        assert outside == [], f"{path.name} imports {outside}"


def _compare_type(
    context: Any, inspected: Any, declared: Any, inspected_type: Any, declared_type: Any
) -> bool | None:
    """A column type of ours (UTC instants, weekday sets) as the backend stores it."""
    if not isinstance(declared_type, TypeDecorator):
        return None  # Alembic's own comparison
    stored = declared_type.load_dialect_impl(context.dialect)
    if isinstance(stored, String):  # SQLite keeps TEXT and VARCHAR alike
        return not isinstance(inspected_type, String)
    return bool(context.impl.compare_type(inspected, Column(declared.name, stored)))


def _differences(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": _compare_type})
    return list(compare_metadata(context, metadata))


async def test_a_fresh_database_from_every_migration_equals_the_declared_tables(
    db: Database,
) -> None:
    """Tables, columns, types, nullability, indexes, unique and foreign keys alike."""
    async with db.engine.connect() as conn:
        differences = await conn.run_sync(_differences)
    assert differences == []


def _to(conn: Connection, revision: str, down: bool) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    (command.downgrade if down else command.upgrade)(cfg, revision)


async def test_0011_goes_back_to_0010s_triggers_and_forward_again(db: Database) -> None:
    """Downgrading brings the frozen triggers of 0010 back (they keep a tally); upgrading
    drops them again."""
    async with db.engine.connect() as conn:
        if db.is_sqlite:  # as migrate.upgrade runs them: batch rebuilds with foreign keys off
            await conn.execution_options(pacer_no_begin=True)
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.execution_options(pacer_no_begin=False, pacer_write=True)
        await conn.run_sync(_to, "0010", True)
        now = "2026-11-26T12:00:00+00:00" if db.is_sqlite else "2026-11-26 12:00:00+00"
        for statement in (
            f"INSERT INTO users (id, display_name, created_at) VALUES (1, 'Ana', '{now}')",
            f"INSERT INTO clubs (id, platform, chat_id, created_at) VALUES (1, 'console', 'c', "
            f"'{now}')",
            "INSERT INTO challenges (id, club_id, name, metric, start_date, end_date, channel,"
            f" created_at) VALUES (1, 1, 'Far', 'distance', '2026-11-26', '2026-12-02', 'c',"
            f" '{now}')",
            f"INSERT INTO challenge_members (challenge_id, user_id, joined_at) VALUES (1, 1, "
            f"'{now}')",
            "INSERT INTO runs (user_id, local_date, distance_m, duration_s, created_at) VALUES"
            f" (1, '2026-11-27', 5000, 1500, '{now}')",
        ):
            await conn.exec_driver_sql(statement)
        value = await conn.scalar(text("SELECT value FROM challenge_members"))
        assert value == 5000.0  # counted by 0010's trigger
        await conn.run_sync(_to, "head", False)
        differences = await conn.run_sync(_differences)
        triggers = await conn.scalar(
            text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
            if db.is_sqlite
            else text("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")
        )
        await conn.commit()
        if db.is_sqlite:
            await conn.execution_options(pacer_no_begin=True)
            await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    assert (differences, triggers) == ([], 0)
