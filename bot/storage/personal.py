"""A runner's personal data, found from the tables' markers: read it all, or remove it.

Every column that holds a runner's identity carries ``info={"personal": "delete"}``
or ``info={"personal": "anonymize"}`` (``bot/storage/tables.py``). Nothing here
names a table: a table added later with marked columns is exported and forgotten
with the rest.

Which rows are the runner's: those where a marked *identifying* column holds one
of their internal ids (an integer column: ``user_id``, ``users.id``) or, for a
text column marked ``"match": "user_target"``, their DM target (``user:12``).
Rows of an unmarked table whose foreign key points at a row that goes (say a run
file's row pointing at a run) go with it. Other marked columns (names, platform
ids, message keys) are data of those rows.

- ``delete``: a row of the runner's is deleted.
- ``anonymize``: the row is kept (a frozen challenge result) and every
  ``anonymize`` column of it is set to NULL: an anonymous "former member".
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Table,
    and_,
    delete,
    false,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import WEEKDAYS
from bot.storage.challenge_counts import ChallengeCounts
from bot.storage.deliveries import user_target
from bot.storage.tables import Weekdays, metadata

DELETE = "delete"
ANONYMIZE = "anonymize"
MODES = (DELETE, ANONYMIZE)
USER_TARGET = "user_target"
CHUNK_ROWS = 200  # rows read and converted between two turns of the event loop

Scalar = str | int | float | bool | None


def mode(column: Column[Any]) -> str | None:
    """``delete``, ``anonymize`` or None (not personal)."""
    value = column.info.get("personal")
    return None if value is None else str(value)


def identifying(column: Column[Any]) -> bool:
    """True when a marked column's value says whose row it is."""
    if mode(column) is None:
        return False
    return column.info.get("match") == USER_TARGET or isinstance(column.type, Integer)


@dataclass(frozen=True, slots=True)
class TablePlan:
    """Where one table holds a runner's rows, and what forgetting does to them."""

    table: Table
    deleted: ColumnElement[bool] | None  # rows that go with the runner
    anonymized: ColumnElement[bool] | None  # rows kept, their anonymize columns set NULL
    anonymize: tuple[Column[Any], ...] = ()
    # Rows that say themselves they are the runner's; None: every row of ``mine`` does
    # (a table with no identifying column, whose rows follow their parent's).
    own: ColumnElement[bool] | None = None

    @property
    def exported(self) -> ColumnElement[bool]:
        """The runner's rows an export holds: a row another runner wrote (a cheer under
        this runner's run) goes when the run goes, but is that runner's data."""
        return self.mine if self.own is None else self.own

    @property
    def mine(self) -> ColumnElement[bool]:
        """Every row of the runner's in this table."""
        parts = [c for c in (self.deleted, self.anonymized) if c is not None]
        return or_(*parts)

    @property
    def kept(self) -> ColumnElement[bool] | None:
        """Rows of the runner's that stay, anonymized (not also deleted)."""
        if self.anonymized is None or self.deleted is None:
            return self.anonymized
        # COALESCE: a NULL in a deleting column must not hide a row to anonymize.
        return and_(self.anonymized, not_(func.coalesce(self.deleted, false())))


def plan(user_ids: Sequence[int], schema: MetaData = metadata) -> list[TablePlan]:
    """Each table's share of these runners' data, parents before children."""
    ids = list(user_ids)
    targets = [user_target(i) for i in ids]
    gone: dict[str, ColumnElement[bool]] = {}
    plans: list[TablePlan] = []
    for table in schema.sorted_tables:
        by_mode: dict[str, list[ColumnElement[bool]]] = {DELETE: [], ANONYMIZE: []}
        own: list[ColumnElement[bool]] = []
        for column in table.c:
            if identifying(column):
                values: list[Any] = targets if column.info.get("match") == USER_TARGET else ids
                by_mode[str(mode(column))].append(column.in_(values))
                own.append(column.in_(values))
        marks = {mode(c) for c in table.c} - {None}
        if not marks or DELETE in marks:
            # A row pointing at a row that goes goes too (a kept, anonymized row never
            # follows: it has to say itself what it keeps).
            for fk in table.foreign_keys:
                parent = fk.column.table
                if parent.name in gone and not identifying(fk.parent):
                    owned = select(fk.column).where(gone[parent.name])
                    by_mode[DELETE].append(fk.parent.in_(owned.scalar_subquery()))
        deleted = or_(*by_mode[DELETE]) if by_mode[DELETE] else None
        anonymized = or_(*by_mode[ANONYMIZE]) if by_mode[ANONYMIZE] else None
        if deleted is None and anonymized is None:
            continue
        if deleted is not None:
            gone[table.name] = deleted
        kept = tuple(c for c in table.c if mode(c) == ANONYMIZE)
        plans.append(TablePlan(table, deleted, anonymized, kept, or_(*own) if own else None))
    return plans


@dataclass(frozen=True, slots=True)
class TableRows:
    """One table's rows of a runner's, as plain values (ISO dates, weekday names)."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Scalar, ...], ...]
    about: str = ""


@dataclass(frozen=True, slots=True)
class Removed:
    """What forgetting did to one table."""

    deleted: int = 0
    anonymized: int = 0


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What forgetting did, by table name."""

    tables: dict[str, Removed] = field(default_factory=dict)


def plain(value: Any, column: Column[Any]) -> Scalar:
    """A stored value as plain data for CSV and JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(column.type, Weekdays):
        return ",".join(WEEKDAYS[d] for d in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "base64:" + base64.b64encode(bytes(value)).decode()
    return str(value)


class PersonalDataRepository:
    """Reads and removes a runner's rows in every marked table, bound to one unit of work."""

    def __init__(
        self,
        conn: AsyncConnection,
        dialect: str,
        schema: MetaData = metadata,
        *,
        counts: ChallengeCounts | None = None,
    ) -> None:
        self.conn = conn
        self.dialect = dialect
        self.schema = schema  # every table, as declared in bot/storage/tables.py
        self.challenge_counts = counts  # forgetting removes memberships: it is told first

    async def rows(self, user_ids: Sequence[int]) -> list[TableRows]:
        """Every row of these runners', table by table (tables with none included, empty)."""
        found: list[TableRows] = []
        for p in plan(user_ids, self.schema):
            table = p.table
            stmt = select(table).where(p.exported).order_by(*table.primary_key.columns)
            rows: list[tuple[Scalar, ...]] = []
            # Years of history are thousands of rows: fetched and converted a chunk at a
            # time, so the event loop answers other chats in between.
            result = await self.conn.stream(stmt)
            async for chunk in result.partitions(CHUNK_ROWS):
                rows += (
                    tuple(plain(value, column) for value, column in zip(row, table.c, strict=True))
                    for row in chunk
                )
            about = str(table.info.get("about", ""))
            found.append(TableRows(table.name, tuple(c.name for c in table.c), tuple(rows), about))
        return found

    async def counts(self, user_ids: Sequence[int]) -> dict[str, Removed]:
        """How many rows forgetting would delete and anonymize, by table (nonzero only)."""
        counts: dict[str, Removed] = {}
        for p in plan(user_ids, self.schema):
            deleted = anonymized = 0
            if p.deleted is not None:
                deleted = await self._count(p.table, p.deleted)
            if p.kept is not None:
                anonymized = await self._count(p.table, p.kept)
            if deleted or anonymized:
                counts[p.table.name] = Removed(deleted, anonymized)
        return counts

    async def forget(self, user_ids: Sequence[int]) -> Forgotten:
        """Delete these runners' rows and anonymize the kept ones, in this transaction."""
        if self.challenge_counts is not None:
            await self.challenge_counts.runner_changed(*user_ids, membership=True)
        plans = plan(user_ids, self.schema)
        # Conditions are bound before anything changes; rows are found by them as they are.
        anonymized: dict[str, int] = {}
        for p in plans:
            kept = p.kept
            if kept is None or not p.anonymize:
                continue
            # First, so a foreign key's ON DELETE CASCADE no longer reaches a kept row.
            result = await self.conn.execute(
                update(p.table).where(kept).values({c.name: None for c in p.anonymize})
            )
            anonymized[p.table.name] = result.rowcount
        deleted: dict[str, int] = {}
        for p in reversed(plans):  # children before their parents
            if p.deleted is None:
                continue
            result = await self.conn.execute(delete(p.table).where(p.deleted))
            deleted[p.table.name] = result.rowcount
        names = [p.table.name for p in plans]
        return Forgotten(
            {
                n: Removed(deleted.get(n, 0), anonymized.get(n, 0))
                for n in names
                if deleted.get(n) or anonymized.get(n)
            }
        )

    async def _count(self, table: Table, where: ColumnElement[bool]) -> int:
        stmt = select(func.count()).select_from(table).where(where)
        return int(await self.conn.scalar(stmt) or 0)
