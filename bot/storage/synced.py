"""The Discord command schema last synced, per application and scope."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.sql import insert
from bot.storage.tables import synced_commands

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
