"""The Discord command schema last synced, per application and scope."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.clock import Clock
from bot.storage.sql import insert
from bot.storage.tables import synced_commands

if TYPE_CHECKING:  # the database module imports the unit of work, which imports this
    from bot.storage.database import Database

_S = synced_commands.c


class SyncedCommandsRepository:
    """Rows of ``synced_commands``, bound to one unit of work's connection."""

    def __init__(self, conn: AsyncConnection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    async def digest(self, scope: str) -> str | None:
        """The schema hash last synced for ``scope``, if any."""
        found: str | None = await self.conn.scalar(select(_S.digest).where(_S.scope == scope))
        return found

    async def record(self, scope: str, digest: str, now: datetime) -> None:
        """Remember ``digest`` as synced for ``scope``."""
        stmt = insert(self.dialect, synced_commands).values(
            scope=scope, digest=digest, synced_at=now
        )
        await self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[_S.scope],
                set_={"digest": stmt.excluded.digest, "synced_at": stmt.excluded.synced_at},
            )
        )


class CommandHashes:
    """What the Discord adapter asks about command sync (``bot.ports.SyncedSchemas``)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def synced(self, scope: str) -> str | None:
        """The hash last synced for ``scope``."""
        async with self._db.reader() as uow:
            return await uow.synced_commands.digest(scope)

    async def record(self, scope: str, digest: str) -> None:
        """Remember a sync."""
        async with self._db.uow() as uow:
            await uow.synced_commands.record(scope, digest, self._clock.now())
            await uow.commit()
