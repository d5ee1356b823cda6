"""The database: one SQLAlchemy async engine for SQLite (embedded) or PostgreSQL.

``DATABASE_URL`` picks it: ``sqlite:///pacer.db`` (the default, run through
aiosqlite) or ``postgresql://user@host/db`` (run through asyncpg). Opening
applies the Alembic migrations. Work happens in a :class:`UnitOfWork`.

SQLite notes: WAL, ``synchronous=NORMAL``, foreign keys on, a busy timeout so
that a writer waits for another process's write lock instead of failing.
Write transactions start with ``BEGIN IMMEDIATE`` (taking the write lock up
front, so a transaction never fails half-way upgrading a read lock) and this
process's writers queue on one asyncio lock, so they never spin on SQLite's
busy handler against each other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from bot.storage import sqlite_driver
from bot.storage.checkpoint import AUTOCHECKPOINT_PRAGMA, Checkpointer
from bot.storage.inline import InlineLane
from bot.storage.migrate import upgrade
from bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
SQLITE_PRAGMAS = ("PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON")
_WRITE = "pacer_write"
NO_BEGIN = "pacer_no_begin"


def async_url(url: str) -> str:
    """``sqlite:///x.db`` -> ``sqlite+aiosqlite:///x.db``; ``postgresql://`` -> asyncpg."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.drivername not in ("sqlite", "sqlite+aiosqlite"):
            raise ValueError(f"unsupported SQLite driver in DATABASE_URL: {parsed.drivername}")
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(
        f"unsupported DATABASE_URL backend {backend!r}: use sqlite:///pacer.db or "
        "postgresql://user@host/database"
    )


def safe_url(url: str) -> str:
    """The URL with any password hidden, for logs."""
    return make_url(url).render_as_string(hide_password=True)


class Database:
    """The engine, the SQLite write lock, and units of work."""

    def __init__(self, url: str) -> None:
        self.url = async_url(url)
        self.dialect = make_url(self.url).get_backend_name()
        self._engine: AsyncEngine | None = None
        # SQLite: readers and one-statement writes run inline when they need not wait.
        self._lane: InlineLane | None = None
        # SQLite file: WAL checkpoints on a thread of their own (bot/storage/checkpoint.py).
        self._checkpointer: Checkpointer | None = None
        # SQLite has one writer at a time: this process's writers take turns here.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @property
    def _pragmas(self) -> tuple[str, ...]:
        """SQLite's settings on every connection; with a checkpoint thread (a file), the
        chat connections checkpoint only as a last resort."""
        if InlineLane.usable(self.url):
            return (*SQLITE_PRAGMAS, AUTOCHECKPOINT_PRAGMA)
        return SQLITE_PRAGMAS

    @property
    def is_sqlite(self) -> bool:
        """True on the embedded SQLite backend."""
        return self.dialect == "sqlite"

    @property
    def engine(self) -> AsyncEngine:
        """The open engine."""
        if self._engine is None:
            raise RuntimeError("database is not open")
        return self._engine

    @property
    def engines(self) -> tuple[Engine, ...]:
        """Every synchronous engine statements go through (for event listeners)."""
        lane = (self._lane.engine,) if self._lane is not None else ()
        return (self.engine.sync_engine, *lane)

    async def open(self, *, migrate: bool = True) -> None:
        """Create the engine and apply pending migrations."""
        if self._engine is not None:
            return
        self._engine = self._create_engine()
        if migrate:
            await upgrade(self.engine)
        if self.is_sqlite and InlineLane.usable(self.url):
            self._lane = InlineLane(self.url, self._pragmas)
            self._checkpointer = Checkpointer(str(make_url(self.url).database))
            self._checkpointer.start()

    def _create_engine(self) -> AsyncEngine:
        if not self.is_sqlite:
            return create_async_engine(self.url, pool_size=10, max_overflow=10)
        sqlite_driver.install()
        engine = create_async_engine(
            self.url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
            # Every transaction ends with an explicit COMMIT or ROLLBACK; no extra
            # round trip to the connection's thread on return to the pool.
            pool_reset_on_return=None,
        )
        sync = engine.sync_engine

        @event.listens_for(sync, "connect")
        def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
            # Driver-level autocommit: SQLAlchemy's begin event below issues BEGIN
            # itself, IMMEDIATE for writers (the documented pysqlite recipe).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in (
                "PRAGMA journal_mode=WAL",
                *self._pragmas,
                f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
            ):
                cursor.execute(pragma)
            cursor.close()

        @event.listens_for(sync, "begin")
        def _on_begin(conn: Connection) -> None:
            options = conn.get_execution_options()
            # Readers run each SELECT on its own (WAL gives it a consistent snapshot);
            # writers take the write lock up front. NO_BEGIN: PRAGMAs that only work
            # outside a transaction.
            if options.get(_WRITE) and not options.get(NO_BEGIN):
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        dialect: Any = sync.dialect
        # A read-only unit of work never began a SQLite transaction: skip the no-op
        # COMMIT/ROLLBACK hop to the connection thread.
        plain_commit, plain_rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection: Any) -> None:
            if _in_transaction(dbapi_connection):
                plain_commit(dbapi_connection)

        def do_rollback(dbapi_connection: Any) -> None:
            if _in_transaction(dbapi_connection):
                plain_rollback(dbapi_connection)

        dialect.do_commit, dialect.do_rollback = do_commit, do_rollback
        return engine

    async def close(self) -> None:
        """Dispose of the engine (an open aiosqlite connection keeps the process alive)."""
        try:
            if self._checkpointer is not None:
                await self._checkpointer.close()
                self._checkpointer = None
        finally:
            if self._lane is not None:
                self._lane.close()
                self._lane = None
            if self._engine is not None:
                await self._engine.dispose()
                self._engine = None

    @asynccontextmanager
    async def connection(
        self, *, write: bool, autocommit: bool = False
    ) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction (``BEGIN IMMEDIATE`` for writers on SQLite).

        ``autocommit``: no transaction, each statement commits on its own: one
        round trip for a single write.
        """
        if write and self._write_lock is not None:
            async with self._write_lock, self._connect(write, autocommit) as conn:
                yield conn
        else:
            async with self._connect(write, autocommit) as conn:
                yield conn

    @asynccontextmanager
    async def _connect(self, write: bool, autocommit: bool) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            if autocommit and self.is_sqlite:
                await conn.execution_options(**{_WRITE: True, NO_BEGIN: True})
            elif not self.is_sqlite and (autocommit or not write):
                # PostgreSQL: one statement, one round trip (no START ... ROLLBACK).
                # Never on SQLite: resetting it on return to the pool would bring back
                # the driver's implicit transactions on that connection.
                await conn.execution_options(isolation_level="AUTOCOMMIT")
            elif write:
                await conn.execution_options(**{_WRITE: True})
            yield conn

    def _inline(
        self, *, write: bool, autocommit: bool = False
    ) -> AbstractAsyncContextManager[AsyncConnection]:
        """The inline lane; a statement that would wait for a lock goes the ordinary way."""
        assert self._lane is not None
        return self._lane.connection(lambda: self.connection(write=write, autocommit=autocommit))

    def uow(self) -> UnitOfWork:
        """A unit of work that may write (``await uow.commit()`` keeps what it did)."""
        return UnitOfWork(self.connection, write=True, dialect=self.dialect)

    def single(self) -> UnitOfWork:
        """A unit of work for one write statement: it commits by itself, in one round trip.

        Use it only where one statement is the whole change.
        """
        connect = self._inline if self._lane is not None else self.connection
        return UnitOfWork(connect, write=True, dialect=self.dialect, autocommit=True)

    def reader(self) -> UnitOfWork:
        """A unit of work that only reads (no write lock, nothing to commit)."""
        connect = self._inline if self._lane is not None else self.connection
        return UnitOfWork(connect, write=False, dialect=self.dialect)


def _in_transaction(dbapi_connection: Any) -> bool:
    driver = getattr(dbapi_connection, "driver_connection", None) or getattr(
        dbapi_connection, "_connection", None
    )
    return bool(getattr(driver, "in_transaction", True))
