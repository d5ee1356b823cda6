"""SQLite reads and one-statement writes on the event loop's own thread, when they need not wait.

aiosqlite runs every statement on a thread of its own: a round trip through a
queue to that thread and back, plus SQLAlchemy's greenlet around it, costs far
more than the statement (an indexed SELECT or a one-row INSERT takes 10-30 us
in SQLite; the hop 60-300 us on a busy machine). This lane runs such a
statement straight away on the calling thread, through a plain (synchronous)
SQLAlchemy engine on the same file, and never waits for a lock there:

* its connections have ``busy_timeout=0``, so a statement that would wait for
  a lock (another process, or this process's own writer in a transaction, holds
  the write lock) fails at once with SQLITE_BUSY, having done nothing; it then
  goes the ordinary way, through aiosqlite's thread with the busy timeout;
* every statement commits by itself (no ``BEGIN``): a reader's SELECT sees its
  own WAL snapshot, exactly as the ordinary readers do, and a write is one
  autocommit statement, as :meth:`Database.single` promises;
* rows are fetched in full before the statement returns, so no read cursor
  (nor its WAL snapshot) outlives the call.

The lane is used only where a unit of work is a reader or a single statement;
transactions of several statements keep ``BEGIN IMMEDIATE`` on the driver's
thread under the process's write lock.

Hot statements run from plans (``bot/storage/plans.py``) unless an engine event
listener is set: then SQLAlchemy's own path, which fires every event.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import ConnectionPoolEntry

from bot.storage.plans import plan_of

Fallback = Callable[[], AbstractAsyncContextManager[AsyncConnection]]
# Connections kept open for the lane (more are made when several units of work overlap).
_KEEP = 4


class _BufferedCursor:
    """A DB-API cursor that runs each statement to the end and keeps its rows."""

    __slots__ = ("_conn", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._rows: collections.deque[Any] = collections.deque()
        self.arraysize = 1
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    def execute(self, sql: str, parameters: Any = ()) -> _BufferedCursor:
        """Run one statement and keep every row it returns."""
        cursor = sqlite3.Connection.execute(self._conn, sql, parameters)
        try:
            self.description = cursor.description
            self._rows = collections.deque(cursor.fetchall() if self.description else ())
            self.rowcount, self.lastrowid = cursor.rowcount, cursor.lastrowid
        finally:
            cursor.close()
        return self

    def executemany(self, sql: str, seq_of_parameters: Any) -> _BufferedCursor:
        """Run one statement for many parameter sets."""
        cursor = sqlite3.Connection.executemany(self._conn, sql, seq_of_parameters)
        try:
            self.description, self._rows = None, collections.deque()
            self.rowcount, self.lastrowid = cursor.rowcount, cursor.lastrowid
        finally:
            cursor.close()
        return self

    def fetchone(self) -> Any:
        """The next row, or None."""
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        """Up to ``size`` more rows."""
        count = self.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    def fetchall(self) -> list[Any]:
        """Every row left."""
        rows, self._rows = list(self._rows), collections.deque()
        return rows

    def close(self) -> None:
        """Forget the rows (the statement itself is finished already)."""
        self._rows.clear()


class _Connection(sqlite3.Connection):
    """A sqlite3 connection whose cursors are buffered."""

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        """A buffered cursor (SQLAlchemy asks for one per statement)."""
        return _BufferedCursor(self)


def _listened(conn: Connection) -> bool:
    """Whether any statement-level event listener is set on this connection's engine."""
    if not (conn._has_events or conn.engine._has_events):
        return False
    events = conn.dispatch
    return bool(
        events.before_execute
        or events.after_execute
        or events.before_cursor_execute
        or events.after_cursor_execute
    )


def _busy(error: BaseException) -> bool:
    code = getattr(getattr(error, "orig", error), "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class InlineLane:
    """A synchronous engine on the SQLite file, used from the event loop's thread only."""

    def __init__(self, async_url: str, pragmas: tuple[str, ...]) -> None:
        url = make_url(async_url).set(drivername="sqlite+pysqlite")
        self.engine: Engine = create_engine(
            url, connect_args={"factory": _Connection, "timeout": 0}, pool_reset_on_return=None
        )
        self._free: list[Connection] = []

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
            dbapi_connection.isolation_level = None  # autocommit: no BEGIN, ever
            for pragma in (*pragmas, "PRAGMA busy_timeout=0"):
                sqlite3.Connection.execute(dbapi_connection, pragma).close()

    @staticmethod
    def usable(async_url: str) -> bool:
        """A file database (an in-memory one would be another database on each connection)."""
        database = make_url(async_url).database
        return bool(database) and database != ":memory:" and not str(database).startswith("file:")

    def connection(self, fallback: Fallback) -> _Lease:
        """A connection for one unit of work; a statement that would wait takes ``fallback``."""
        return _Lease(self, fallback)

    def _take(self) -> Connection:
        return self._free.pop() if self._free else self.engine.connect()

    def _give_back(self, conn: Connection) -> None:
        if conn.in_transaction():
            conn.rollback()  # ends SQLAlchemy's bookkeeping; there is no BEGIN to undo
        if len(self._free) < _KEEP and not conn.invalidated:
            self._free.append(conn)
        else:
            conn.close()

    def close(self) -> None:
        """Close the lane's connections."""
        for conn in self._free:
            conn.close()
        self._free.clear()
        self.engine.dispose()


class _Lease:
    """One unit of work's hold on a lane connection (a plain class: this runs per message)."""

    __slots__ = ("_conn", "_fallback", "_lane")

    def __init__(self, lane: InlineLane, fallback: Fallback) -> None:
        self._lane = lane
        self._fallback = fallback
        self._conn: Connection | None = None

    async def __aenter__(self) -> AsyncConnection:
        self._conn = self._lane._take()
        # It offers what the repositories use of an AsyncConnection.
        return InlineConnection(self._conn, self._fallback)  # type: ignore[return-value]

    async def __aexit__(self, *exc: object) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._lane._give_back(conn)


class InlineConnection:
    """The part of :class:`AsyncConnection` the repositories use, run inline."""

    __slots__ = ("_conn", "_fallback")

    def __init__(self, conn: Connection, fallback: Fallback) -> None:
        self._conn = conn
        self._fallback = fallback

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        """Run a statement now; if it would wait for a lock, run it on the driver's thread."""
        conn = self._conn
        # With an engine event listener (a statement counter, tracing), SQLAlchemy's own
        # path, which fires every event with its full context.
        plan = None if _listened(conn) else plan_of(statement, parameters, conn.dialect)
        if plan is not None:
            raw: Any = conn.connection.dbapi_connection
            try:
                return plan.execute(raw, parameters)
            except DBAPIError as error:
                if not _busy(error):
                    raise
        else:
            try:
                result = conn.execute(statement, parameters)
            except OperationalError as error:
                conn.rollback()
                if not _busy(error):
                    raise
            else:
                conn.commit()  # SQLAlchemy's bookkeeping only: no BEGIN was sent
                return result
        async with self._fallback() as other:
            return await other.execute(statement, parameters)

    async def scalar(self, statement: Any, parameters: Any = None) -> Any:
        """The first column of the first row."""
        return (await self.execute(statement, parameters)).scalar()

    async def scalars(self, statement: Any, parameters: Any = None) -> Any:
        """The first column of every row."""
        return (await self.execute(statement, parameters)).scalars()

    def in_transaction(self) -> bool:
        """Never: every statement commits by itself."""
        return False

    async def commit(self) -> None:
        """Nothing to do: every statement committed by itself."""

    async def rollback(self) -> None:
        """Nothing to undo: every statement committed by itself."""
