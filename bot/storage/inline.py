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

Hot statements (the few every message runs: who wrote, store a run, the week's
totals) are marked with :func:`hot`. The lane compiles each once per set of
parameter names, with SQLAlchemy's own compiler, bind and result processors, and
then hands the SQL string straight to sqlite3: SQLAlchemy's per-call execution
machinery costs several times the statement itself. Anything such a plan cannot
express (Python-side defaults, expanding ``IN`` parameters) takes the ordinary
path, as does every statement not marked hot.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, ClassVar, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import ConnectionPoolEntry

Fallback = Callable[[], AbstractAsyncContextManager[AsyncConnection]]
# Connections kept open for the lane (more are made when several units of work overlap).
_KEEP = 4
_Statement = TypeVar("_Statement")
# Hot statements by id, with the statement itself (held, so that its id stays its own).
_HOT: dict[int, tuple[Any, dict[tuple[str, frozenset[str]], _Plan | None]]] = {}


def hot(statement: _Statement) -> _Statement:
    """Mark a statement built once (a module constant) as hot: run it from a plan inline.

    Only for statements that live as long as the process; the plan is made on first use.
    """
    _HOT.setdefault(id(statement), (statement, {}))
    return statement


_REQUIRED = object()  # marks a bind parameter the caller must give


class _Unplannable(Exception):
    """The statement needs SQLAlchemy's own execution path."""


class _RowMapping(Mapping[str, Any]):
    """A row by column name (a view, as SQLAlchemy's ``Row._mapping``)."""

    __slots__ = ("_index", "_row")

    def __init__(self, row: tuple[Any, ...], index: dict[str, int]) -> None:
        self._row = row
        self._index = index

    def __getitem__(self, key: str) -> Any:
        return self._row[self._index[key]]

    def get(self, key: str, default: Any = None) -> Any:
        """The value of a column, or ``default`` when the row has no such column."""
        i = self._index.get(key)
        return default if i is None else self._row[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class _Row(tuple[Any, ...]):
    """A result row: by position, by attribute and through ``_mapping`` (as SQLAlchemy's).

    (Attributes a tuple has itself, ``count`` and ``index``, are not columns here: hot
    statements label such columns otherwise or read them by position.)
    """

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}

    @property
    def _mapping(self) -> Mapping[str, Any]:
        return _RowMapping(self, self._index)

    def __getattr__(self, name: str) -> Any:
        try:
            return self[self._index[name]]
        except KeyError:
            raise AttributeError(name) from None


class _Rows:
    """The rows of one planned statement: the part of SQLAlchemy's Result the repositories use."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[_Row], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[_Row]:
        return iter(self._rows)

    def all(self) -> list[_Row]:
        """Every row."""
        return list(self._rows)

    def first(self) -> _Row | None:
        """The first row, or None."""
        return self._rows[0] if self._rows else None

    def one(self) -> _Row:
        """The only row (an error when there is none or more than one)."""
        if len(self._rows) != 1:
            raise ValueError(f"expected one row, got {len(self._rows)}")
        return self._rows[0]

    def scalar(self) -> Any:
        """The first column of the first row, or None."""
        return self._rows[0][0] if self._rows else None


class _Plan:
    """One hot statement compiled for SQLite: its SQL, how to bind, how to read rows."""

    __slots__ = ("_binds", "_procs", "_row", "sql")

    def __init__(self, compiled: Any, dialect: Any) -> None:
        self.sql: str = compiled.string
        binds: list[tuple[str, Any, Any]] = []
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            process = bind.type._cached_bind_processor(dialect)
            if bind.callable is not None:
                raise _Unplannable(name)  # a value computed per call
            # A bind the caller must give has no value of its own: missing, it is an error.
            const = _REQUIRED if bind.required else bind.value
            binds.append((bind.key, const, process))
        self._binds = tuple(binds)
        columns = compiled._result_columns
        procs = [c.type._cached_result_processor(dialect, None) for c in columns]
        self._procs = tuple((i, p) for i, p in enumerate(procs) if p is not None)
        index = {c.keyname: i for i, c in enumerate(columns)}
        self._row: type[_Row] = type("_PlannedRow", (_Row,), {"__slots__": (), "_index": index})

    @classmethod
    def make(cls, statement: Any, keys: frozenset[str], dialect: Any) -> _Plan | None:
        """A plan, or None when the statement needs what only SQLAlchemy's path does."""
        compiled = statement.compile(dialect=dialect, column_keys=sorted(keys))
        if (
            compiled.insert_prefetch
            or compiled.update_prefetch
            or compiled.literal_execute_params
            or compiled.post_compile_params
            or not compiled.positional
        ):
            return None
        try:
            return cls(compiled, dialect)
        except _Unplannable:
            return None

    def parameters(self, given: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional parameters for one set of named ones."""
        out = []
        for key, const, process in self._binds:
            value = given.get(key, const)
            if value is _REQUIRED:
                raise KeyError(f"no value for the bind parameter {key!r}")
            out.append(process(value) if process is not None else value)
        return tuple(out)

    def run(self, conn: sqlite3.Connection, given: Mapping[str, Any]) -> _Rows:
        """Run once and read every row."""
        cursor = sqlite3.Connection.execute(conn, self.sql, self.parameters(given))
        try:
            found = cursor.fetchall() if cursor.description else []
            rowcount = cursor.rowcount
        finally:
            cursor.close()
        make, procs = self._row, self._procs
        if not procs:
            return _Rows([make(raw) for raw in found], rowcount)
        rows = []
        for raw in found:
            values = list(raw)
            for i, process in procs:
                values[i] = process(values[i])
            rows.append(make(values))
        return _Rows(rows, rowcount)

    def run_many(self, conn: sqlite3.Connection, given: Sequence[Mapping[str, Any]]) -> _Rows:
        """Run once per parameter set (no rows come back)."""
        cursor = sqlite3.Connection.executemany(conn, self.sql, map(self.parameters, given))
        try:
            return _Rows([], cursor.rowcount)
        finally:
            cursor.close()


def _plan(statement: Any, parameters: Any, dialect: Any) -> _Plan | None:
    """The plan of a hot statement for these parameters' names (None: not hot, or no plan)."""
    entry = _HOT.get(id(statement))
    if entry is None or entry[0] is not statement:
        return None
    first = parameters[0] if isinstance(parameters, list | tuple) else parameters
    if first is not None and not isinstance(first, Mapping):
        return None
    keys = frozenset(first or ())
    plans = entry[1]
    key = (dialect.name, keys)
    if key not in plans:
        plans[key] = _Plan.make(statement, keys, dialect)
    return plans[key]


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
        plan = _plan(statement, parameters, conn.dialect)
        if plan is not None:
            try:
                return self._run(plan, parameters)
            except sqlite3.OperationalError as error:
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

    def _run(self, plan: _Plan, parameters: Any) -> _Rows:
        """A hot statement straight on the sqlite3 connection (events fire as SQLAlchemy's do)."""
        conn = self._conn
        raw: Any = conn.connection.dbapi_connection
        many = isinstance(parameters, list | tuple)
        if conn._has_events or conn.engine._has_events:  # statement counters (tests, benches)
            conn.dispatch.before_cursor_execute(conn, None, plan.sql, parameters, None, many)
        return plan.run_many(raw, parameters) if many else plan.run(raw, parameters or {})

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
