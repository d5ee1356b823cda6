"""The test databases: a temporary SQLite file, and PostgreSQL when it can be reached.

PostgreSQL's URL comes from ``PACER_TEST_DATABASE_URL`` (the Makefile sets
``postgresql://postgres@127.0.0.1:5432/test``). Unreachable or unset: skipped
with one line saying how to run it, except in CI (``CI=true``), where the
PostgreSQL half must run and a missing server fails the run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.database import Database, async_url
from bot.storage.migrate import upgrade
from bot.storage.tables import metadata

ENV = "PACER_TEST_DATABASE_URL"
HOW = (
    f"PostgreSQL tests skipped: set {ENV}=postgresql://postgres@127.0.0.1:5432/test "
    "(make test does) with a server running"
)
BACKENDS = ("sqlite", "postgresql")
_ready: dict[str, str | None] = {}


async def postgres_url() -> str:
    """The PostgreSQL URL for tests, migrated once per run; skips (or fails in CI) without one."""
    url = os.environ.get(ENV, "")
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    if not url:
        if in_ci:
            pytest.fail(f"CI must run the PostgreSQL tests: {ENV} is not set")
        pytest.skip(HOW)
    if url not in _ready:
        _ready[url] = await _prepare(url)
    problem = _ready[url]
    if problem is not None:
        if in_ci:
            pytest.fail(f"CI must run the PostgreSQL tests, but {problem}")
        pytest.skip(f"{HOW} ({problem})")
    return url


async def _prepare(url: str) -> str | None:
    """Reset the schema and migrate it once; the reason it failed, or None."""
    engine = create_async_engine(async_url(url))
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(engine)
    except Exception as exc:  # any failure means "cannot be used": say why
        return f"cannot use {url}: {type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()
    return None


async def empty_postgres(url: str) -> Database:
    """An opened database whose tables were emptied (the schema stays migrated)."""
    db = Database(url)
    await db.open(migrate=False)
    names = ", ".join(t.name for t in metadata.sorted_tables)
    async with db.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return db


async def open_database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """Yield an opened, empty, migrated database of one backend; closed afterwards."""
    if backend == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'pacer.db'}")
        await db.open()
    else:
        db = await empty_postgres(await postgres_url())
    try:
        yield db
    finally:
        await db.close()
