"""The database: one SQLAlchemy async engine for SQLite (embedded) or PostgreSQL.

``DATABASE_URL`` picks it: ``sqlite:///pacer.db`` (the default, run through
aiosqlite) or ``postgresql://user@host/db`` (run through asyncpg). Opening
applies the Alembic migrations. Work happens in a :class:`UnitOfWork`; every
statement goes through SQLAlchemy's async Core, on both backends.

SQLite notes: WAL, ``synchronous=NORMAL``, foreign keys on, a busy timeout so
that a writer waits for another process's write lock instead of failing.
SQLAlchemy's documented pysqlite/aiosqlite recipe hands ``BEGIN`` to us (the
driver's own implicit transactions are off): writers begin with
``BEGIN IMMEDIATE`` (taking the write lock up front, so a transaction never
fails half-way upgrading a read lock) and this process's writers take turns
(:class:`WriteTurns`), so they never spin on SQLite's busy handler against each other;
readers begin with a deferred ``BEGIN``, so all their SELECTs see one snapshot.
SQLite's own WAL auto-checkpoint runs inside a commit, on aiosqlite's thread.

PostgreSQL: a reader is one ``REPEATABLE READ, READ ONLY`` transaction (one
snapshot for all its statements); writers run at the default READ COMMITTED.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from bot.storage.migrate import upgrade
from bot.storage.problems import DatabaseUnavailable, sqlite_folder_problem
from bot.storage.sql import NO_BEGIN, WRITE
from bot.storage.uow import UnitOfWork, WriteTurn

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
)


class UnsupportedUrl(ValueError):
    """A database URL Pacer cannot use (its backend or driver): the operator's to fix."""


def async_url(url: str) -> str:
    """``sqlite:///x.db`` -> ``sqlite+aiosqlite:///x.db``; ``postgresql://`` -> asyncpg."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UnsupportedUrl(
            f"can't read {url!r} as a database URL: use sqlite:///pacer.db or "
            "postgresql://user@host/database"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.drivername not in ("sqlite", "sqlite+aiosqlite"):
            raise UnsupportedUrl(f"unsupported SQLite driver in DATABASE_URL: {parsed.drivername}")
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise UnsupportedUrl(
        f"unsupported DATABASE_URL backend {backend!r}: use sqlite:///pacer.db or "
        "postgresql://user@host/database"
    )


def safe_url(url: str) -> str:
    """The URL with any password hidden, for logs."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_engine(url: str) -> AsyncEngine:
    """An aiosqlite engine with Pacer's pragmas and the documented BEGIN recipe."""
    engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # The driver issues no BEGIN of its own; the listener below does.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(NO_BEGIN):  # one-statement writes; PRAGMAs that refuse a transaction
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE) else "BEGIN")

    return engine


# The order in which waiting writers get SQLite's write turn: a runner's command first;
# then a scheduled message marking itself "sending" (it holds a place of the send budget
# meanwhile); last the delivery sweep's batches and records, which nobody waits to read.
TURN_ORDER: tuple[WriteTurn, ...] = ("runner", "send", "sweep")


class WriteTurns:
    """SQLite's one writer at a time within this process, runners first.

    Writers of one kind go in the order they came; a waiting writer of an earlier kind
    in :data:`TURN_ORDER` goes before any of a later kind. A burst of scheduled messages
    then never queues a reply's write behind its own bookkeeping.
    """

    def __init__(self) -> None:
        self._held = False
        self._lines: dict[WriteTurn, deque[asyncio.Future[None]]] = {
            turn: deque() for turn in TURN_ORDER
        }

    @asynccontextmanager
    async def turn(self, turn: WriteTurn = "runner") -> AsyncIterator[None]:
        """Hold the write turn for the body."""
        await self._acquire(turn)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, turn: WriteTurn) -> None:
        if not self._held and not any(self._lines.values()):
            self._held = True
            return
        line = self._lines[turn]
        future = asyncio.get_running_loop().create_future()
        line.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # handed the turn as it was cancelled: pass it on
            elif future in line:  # a release may already have passed over it
                line.remove(future)
            raise

    def _release(self) -> None:
        for line in self._lines.values():
            while line:
                future = line.popleft()
                if not future.done():
                    future.set_result(None)  # the turn passes on: still held
                    return
        self._held = False


class Database:
    """The engine, the SQLite write turns, and units of work."""

    def __init__(self, url: str) -> None:
        self.url = async_url(url)
        self.dialect = make_url(self.url).get_backend_name()
        self._engine: AsyncEngine | None = None
        # SQLite has one writer at a time: this process's writers take turns here.
        self._write_turns = WriteTurns() if self.is_sqlite else None

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

    async def open(self, *, migrate: bool = True) -> None:
        """Create the engine and apply pending migrations."""
        if self._engine is not None:
            return
        if self.is_sqlite:
            if line := sqlite_folder_problem(self.url):
                raise DatabaseUnavailable(line)
            self._engine = _sqlite_engine(self.url)
        else:
            self._engine = create_async_engine(self.url, pool_size=10, max_overflow=10)
        if migrate:
            await upgrade(self.engine)

    async def close(self) -> None:
        """Dispose of the engine (an open aiosqlite connection keeps the process alive)."""
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    @asynccontextmanager
    async def connection(
        self, *, write: bool, autocommit: bool = False, turn: WriteTurn = "runner"
    ) -> AsyncIterator[AsyncConnection]:
        """A connection for one unit of work.

        ``write``: a write transaction (``BEGIN IMMEDIATE`` in the process's write
        turn on SQLite); else one read-only snapshot. ``autocommit`` (with ``write``):
        no transaction, each statement commits by itself. ``turn``: who writes, which
        orders the waiting writers on SQLite (PostgreSQL has no turns).
        """
        if write and self._write_turns is not None:
            async with (
                self._write_turns.turn(turn),
                self._connect(write, autocommit) as conn,
            ):
                yield conn
        else:
            async with self._connect(write, autocommit) as conn:
                yield conn

    @asynccontextmanager
    async def _connect(self, write: bool, autocommit: bool) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            if self.is_sqlite:
                # Readers keep the default deferred BEGIN (see the begin listener).
                if write:
                    await conn.execution_options(**{WRITE: True, NO_BEGIN: autocommit})
            elif autocommit:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
            elif not write:
                await conn.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            yield conn

    def uow(self, *, turn: WriteTurn = "runner") -> UnitOfWork:
        """A unit of work that may write (``await uow.commit()`` keeps what it did).

        ``turn``: who writes (:data:`TURN_ORDER`); on SQLite, runners' writes go first.
        """
        return UnitOfWork(self.connection, write=True, dialect=self.dialect, turn=turn)

    def single(self, *, turn: WriteTurn = "runner") -> UnitOfWork:
        """A unit of work for one write statement: it commits by itself.

        Use it only where one statement is the whole change.
        """
        return UnitOfWork(
            self.connection,
            write=True,
            dialect=self.dialect,
            autocommit=True,
            turn=turn,
        )

    def reader(self) -> UnitOfWork:
        """A unit of work that only reads: one transaction, one consistent snapshot."""
        return UnitOfWork(self.connection, write=False, dialect=self.dialect)
