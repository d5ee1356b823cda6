"""Weekly digest settings and their next due instants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.sql import insert
from bot.storage.tables import digests

_G = digests.c


@dataclass(frozen=True, slots=True)
class DigestRow:
    """A runner's weekly digest: when (local), and when it is next due."""

    user_id: int
    weekday: int  # 0 = Monday
    local_time: str  # "HH:MM"
    occurrence: date | None = None
    next_due: datetime | None = None


def _row(r: object) -> DigestRow:
    m = r._mapping  # type: ignore[attr-defined]
    return DigestRow(m["user_id"], m["weekday"], m["local_time"], m["occurrence"], m["next_due_at"])


class DigestRepository:
    """The ``digests`` table, bound to one unit of work."""

    def __init__(self, conn: AsyncConnection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    async def get(self, user_id: int) -> DigestRow | None:
        """The runner's digest, None when off."""
        row = (await self.conn.execute(select(digests).where(_G.user_id == user_id))).first()
        return None if row is None else _row(row)

    async def save(self, row: DigestRow, now: datetime) -> None:
        """Turn the digest on (or move it)."""
        values = {
            "user_id": row.user_id,
            "weekday": row.weekday,
            "local_time": row.local_time,
            "occurrence": row.occurrence,
            "next_due_at": row.next_due,
            "updated_at": now,
        }
        stmt = insert(self.dialect, digests).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[_G.user_id], set_={k: v for k, v in values.items() if k != "user_id"}
        )
        await self.conn.execute(stmt)

    async def remove(self, user_id: int) -> bool:
        """Turn the digest off; False when it was off."""
        result = await self.conn.execute(delete(digests).where(_G.user_id == user_id))
        return bool(result.rowcount)

    async def due(self, now: datetime, limit: int) -> list[DigestRow]:
        """Digests due by ``now``, earliest first."""
        stmt = (
            select(digests)
            .where(_G.next_due_at.is_not(None), _G.next_due_at <= now)
            .order_by(_G.next_due_at)
            .limit(limit)
        )
        return [_row(r) for r in await self.conn.execute(stmt)]

    async def advance(
        self, row: DigestRow, occurrence: date | None, next_due: datetime | None, now: datetime
    ) -> bool:
        """Move a digest on to its next occurrence, unless someone changed it meanwhile."""
        result = await self.conn.execute(
            update(digests)
            .where(_G.user_id == row.user_id, _G.next_due_at == row.next_due)
            .values(occurrence=occurrence, next_due_at=next_due, updated_at=now)
        )
        return bool(result.rowcount)
