"""The unit of work: one transaction, and the repositories that work inside it.

    async with db.uow() as uow:
        run = await uow.activity.add_run(...)
        await uow.commit()

Leaving the block without ``commit()`` rolls everything back, so a
multi-step change (replace last night's sleep, save a setting and its
reschedule) is all or nothing. Services never see the connection.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.activity import ActivityRepository
from bot.storage.clubs import ClubRepository
from bot.storage.deliveries import DeliveryRepository
from bot.storage.digests import DigestRepository
from bot.storage.nudges import NudgeRepository
from bot.storage.personal import PersonalDataRepository
from bot.storage.progress import ProgressRepository
from bot.storage.runners import RunnerRepository
from bot.storage.tracks import TrackRepository

Connect = Callable[..., AbstractAsyncContextManager[AsyncConnection]]


class UnitOfWork:
    """One transaction with every repository bound to it."""

    runners: RunnerRepository
    activity: ActivityRepository
    nudges: NudgeRepository
    deliveries: DeliveryRepository
    personal: PersonalDataRepository
    progress: ProgressRepository
    digests: DigestRepository
    tracks: TrackRepository
    clubs: ClubRepository

    def __init__(
        self, connect: Connect, *, write: bool, dialect: str, autocommit: bool = False
    ) -> None:
        self._connect = connect
        self.write = write
        self.autocommit = autocommit
        self.dialect = dialect
        self._cm: AbstractAsyncContextManager[AsyncConnection] | None = None
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._cm = self._connect(write=self.write, autocommit=self.autocommit)
        conn = await self._cm.__aenter__()
        self._conn = conn
        self.runners = RunnerRepository(conn, self.dialect)
        self.activity = ActivityRepository(conn, self.dialect)
        self.nudges = NudgeRepository(conn, self.dialect)
        self.deliveries = DeliveryRepository(conn, self.dialect)
        self.personal = PersonalDataRepository(conn, self.dialect)
        self.progress = ProgressRepository(conn, self.dialect)
        self.digests = DigestRepository(conn, self.dialect)
        self.tracks = TrackRepository(conn, self.dialect)
        self.clubs = ClubRepository(conn, self.dialect)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._cm is not None and self._conn is not None
        try:
            if self._conn.in_transaction() and not self.autocommit:
                await self._conn.rollback()
        finally:
            cm, self._cm, self._conn = self._cm, None, None
            await cm.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        """Make everything done so far permanent."""
        assert self._conn is not None, "commit outside the unit of work"
        await self._conn.commit()

    async def rollback(self) -> None:
        """Undo everything since the last commit."""
        assert self._conn is not None, "rollback outside the unit of work"
        await self._conn.rollback()
