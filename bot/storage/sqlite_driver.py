"""One hop to SQLite's thread per statement, instead of four.

aiosqlite runs every call on its connection's own thread; SQLAlchemy's
adapter makes a cursor, executes, fetches and closes it as four separate
calls, each a round trip through a queue to that thread and back (17-87 us
each here). This cursor does all four in one call on that thread.

It replaces the adapter's cursor class on the dialect SQLAlchemy hands us
(SQLAlchemy is pinned to a minor line in pyproject.toml for this reason);
``tests/storage/test_round_trips.py`` counts the hops of a ``/log`` so a
change of SQLAlchemy that breaks this shows up as a failing test.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.util import await_only


def _run(
    conn: sqlite3.Connection, sql: str, params: Any, many: bool
) -> tuple[Any, list[Any], int, int | None]:
    """On SQLite's thread: execute, fetch everything, close."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
        elif params is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, params)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose every statement is one call on SQLite's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No driver cursor up front: it is made and closed inside each call.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        """The last statement's column description."""
        return self._description

    @property
    def rowcount(self) -> int:
        """Rows the last statement changed."""
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        """The rowid of the last inserted row."""
        return self._lastrowid or 0

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        """Nothing to close: the driver cursor is gone already."""
        self._rows.clear()

    def _call(self, operation: Any, parameters: Any, many: bool) -> None:
        driver = self._connection
        try:
            description, rows, rowcount, lastrowid = await_only(
                driver._execute(_run, driver._conn, operation, parameters, many)
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._description, self._rowcount, self._lastrowid = description, rowcount, lastrowid
        self._rows = collections.deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        """Run one statement and buffer its rows."""
        self._call(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        """Run one statement for many parameter sets."""
        self._call(operation, seq_of_parameters, True)


def install() -> None:
    """Use :class:`OneHopCursor` for every aiosqlite connection SQLAlchemy makes."""
    AsyncAdapt_aiosqlite_connection._cursor_cls = OneHopCursor  # type: ignore[assignment]
