"""Which Discord command schema was last uploaded: kept in the database for every process."""

from __future__ import annotations

from bot.clock import Clock
from bot.storage.database import Database


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
