"""Hot statements: compiled once, then run straight on a sqlite3 connection.

Hot statements (the few every message runs: who wrote, store a run, the week's
totals) are marked with :func:`hot`. The lane compiles each once per set of
parameter names, with SQLAlchemy's own compiler, bind and result processors, and
then hands the SQL string straight to sqlite3: SQLAlchemy's per-call execution
machinery costs several times the statement itself. Anything such a plan cannot
express (Python-side defaults, expanding ``IN`` parameters) takes the ordinary
path, as does every statement not marked hot.

Used by the inline lane (``bot/storage/inline.py``); a plan's rows offer what the
repositories read of SQLAlchemy's: iteration, ``first``, ``one``, ``scalar``, ``all``,
attributes and ``_mapping``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, TypeVar

from sqlalchemy.exc import DBAPIError, InvalidRequestError, MultipleResultsFound, NoResultFound

_Statement = TypeVar("_Statement")
# Hot statements by id, with the statement itself (held, so that its id stays its own).
_HOT: dict[int, tuple[Any, dict[tuple[Any, frozenset[str]], Plan | None]]] = {}


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


class Rows:
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
        """The only row (SQLAlchemy's errors when there is none or more than one)."""
        if not self._rows:
            raise NoResultFound("No row was found when one was required")
        if len(self._rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self._rows[0]

    def scalar(self) -> Any:
        """The first column of the first row, or None."""
        return self._rows[0][0] if self._rows else None


class Plan:
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
        self._row: type[_Row] = type("PlannedRow", (_Row,), {"__slots__": (), "_index": index})

    @classmethod
    def make(cls, statement: Any, keys: frozenset[str], dialect: Any) -> Plan | None:
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
                raise InvalidRequestError(f"A value is required for bind parameter {key!r}")
            out.append(process(value) if process is not None else value)
        return tuple(out)

    def execute(self, conn: sqlite3.Connection, parameters: Any) -> Rows:
        """Run as SQLAlchemy would for these parameters: a list of several sets runs once
        per set (no rows come back), one set (alone or in a list) returns its rows.

        A database error comes wrapped as SQLAlchemy wraps it (``DBAPIError`` and its
        subclasses, with the statement), so callers see one kind of error on every path.
        """
        if isinstance(parameters, list | tuple):
            if len(parameters) != 1:
                every = [self.parameters(p) for p in parameters]  # all checked before any runs
                return self._guarded(lambda: self._run_many(conn, every), every)
            parameters = parameters[0]
        bound = self.parameters(parameters or {})
        return self._guarded(lambda: self._run(conn, bound), bound)

    def _guarded(self, run: Callable[[], Rows], parameters: Any) -> Rows:
        try:
            return run()
        except sqlite3.Error as error:
            raise DBAPIError.instance(self.sql, parameters, error, sqlite3.Error) from error

    def _run(self, conn: sqlite3.Connection, bound: tuple[Any, ...]) -> Rows:
        cursor = sqlite3.Connection.execute(conn, self.sql, bound)
        try:
            found = cursor.fetchall() if cursor.description else []
            rowcount = cursor.rowcount
        finally:
            cursor.close()
        make, procs = self._row, self._procs
        if not procs:
            return Rows([make(raw) for raw in found], rowcount)
        rows = []
        for raw in found:
            values = list(raw)
            for i, process in procs:
                values[i] = process(values[i])
            rows.append(make(values))
        return Rows(rows, rowcount)

    def _run_many(self, conn: sqlite3.Connection, every: list[tuple[Any, ...]]) -> Rows:
        cursor = sqlite3.Connection.executemany(conn, self.sql, every)
        try:
            return Rows([], cursor.rowcount)
        finally:
            cursor.close()


def plan_of(statement: Any, parameters: Any, dialect: Any) -> Plan | None:
    """The plan of a hot statement for these parameters' names (None: not hot, or no plan)."""
    entry = _HOT.get(id(statement))
    if entry is None or entry[0] is not statement:
        return None
    first = parameters[0] if isinstance(parameters, list | tuple) else parameters
    if first is not None and not isinstance(first, Mapping):
        return None
    keys = frozenset(first or ())
    plans = entry[1]
    key = (dialect, keys)  # processors belong to that dialect instance (its options)
    if key not in plans:
        plans[key] = Plan.make(statement, keys, dialect)
    return plans[key]
