"""The aiosqlite connection: WAL, one writer, numbered migrations at start-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def _migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every file in ``migrations/``, in order."""
    found = []
    for entry in resources.files("bot.storage").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Database:
    """One aiosqlite connection shared by every repository.

    SQLite allows one writer at a time; a single connection serialises the
    writes of this process and ``transaction()`` groups statements atomically.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    @property
    def conn(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def open(self) -> None:
        """Connect, switch to WAL and apply pending migrations."""
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        self._conn = conn
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await self._migrate()

    async def close(self) -> None:
        """Close the connection (an open one keeps the process alive)."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def _migrate(self) -> None:
        conn = self.conn
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        async with conn.execute("SELECT version FROM schema_migrations") as cur:
            applied = {row[0] for row in await cur.fetchall()}
        for version, name, sql in _migrations():
            if version in applied:
                continue
            log.info("applying migration %s", name)
            # Foreign keys off while a migration rebuilds tables (DROP TABLE would
            # otherwise cascade-delete child rows); the pragma only works outside a
            # transaction, and the result is checked before COMMIT.
            await conn.execute("PRAGMA foreign_keys=OFF")
            try:
                # executescript commits first; wrap the file in its own transaction.
                await conn.executescript("BEGIN;\n" + sql)
                async with conn.execute("PRAGMA foreign_key_check") as cur:
                    broken = list(await cur.fetchall())
                if broken:
                    raise RuntimeError(f"migration {name} broke foreign keys: {broken[:5]}")
                await conn.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at)"
                    " VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'))",
                    (version, name),
                )
                await conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    await conn.execute("ROLLBACK")
                raise
            finally:
                await conn.execute("PRAGMA foreign_keys=ON")

    async def write(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[int | None, int]:
        """One statement on its own (SQLite makes it atomic): (lastrowid, rowcount).

        Cheaper than ``transaction()`` for a single INSERT or UPDATE: one round
        trip to the connection's thread instead of three. Same lock.
        """
        async with self._write_lock:
            await self._end_abandoned_transaction()
            cursor = await self.conn.execute(sql, params)
            result = cursor.lastrowid, cursor.rowcount
            await cursor.close()
            return result

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on error.

        Every write goes through here: the lock keeps one coroutine's statements
        out of another's transaction on the shared connection.
        """
        async with self._write_lock:
            conn = self.conn
            await self._end_abandoned_transaction()
            try:
                await conn.execute("BEGIN IMMEDIATE")
                yield conn
            except BaseException:
                # Also when cancelled while BEGIN was still queued: aiosqlite runs
                # statements in order, so this ROLLBACK follows that BEGIN.
                await asyncio.shield(self._rollback())
                raise
            else:
                await conn.execute("COMMIT")

    async def _rollback(self) -> None:
        # OperationalError: BEGIN never ran, so there is nothing to roll back.
        with contextlib.suppress(aiosqlite.OperationalError):
            await self.conn.execute("ROLLBACK")

    async def _end_abandoned_transaction(self) -> None:
        """Roll back a transaction a cancelled writer left open (belt and braces)."""
        if self.conn.in_transaction:
            log.warning("rolling back a transaction left open by a cancelled writer")
            await self._rollback()
