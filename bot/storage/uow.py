"""The unit of work: one transaction, and the repositories that work inside it.

    async with db.uow() as uow:
        run = await uow.activity.add_run(...)
        await uow.commit()

Leaving the block without ``commit()`` rolls everything back, so a
multi-step change (replace last night's sleep, save a setting and its
reschedule) is all or nothing. Services never see the connection.

Challenge boards are a read model the unit of work keeps: repositories note the
runners and challenges a write touched (``challenge_counts``), and ``commit()``
recounts their open tallies first, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from functools import cached_property
from types import TracebackType
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.activity import ActivityRepository
from bot.storage.challenge_counts import ChallengeCounts
from bot.storage.club_feed import ClubFeedRepository
from bot.storage.clubs import ClubRepository
from bot.storage.deliveries import DeliveryRepository
from bot.storage.digests import DigestRepository
from bot.storage.nudges import NudgeRepository
from bot.storage.pauses import PauseRepository
from bot.storage.personal import PersonalDataRepository
from bot.storage.progress import ProgressRepository
from bot.storage.runners import RunnerRepository
from bot.storage.synced import SyncedCommandsRepository
from bot.storage.tracks import TrackRepository

Connect = Callable[..., AbstractAsyncContextManager[AsyncConnection]]
# Who writes: a runner's command, a scheduled message's "sending" mark, the delivery
# sweep. On SQLite it orders the writers waiting for the write turn (database.WriteTurns).
WriteTurn = Literal["runner", "send", "sweep"]


class UnitOfWork:
    """One transaction with every repository bound to it (each made on first use)."""

    def __init__(
        self,
        connect: Connect,
        *,
        write: bool,
        dialect: str,
        autocommit: bool = False,
        turn: WriteTurn = "runner",
    ) -> None:
        self._connect = connect
        self.write = write
        self.autocommit = autocommit
        self.turn = turn
        self.dialect = dialect
        self._cm: AbstractAsyncContextManager[AsyncConnection] | None = None
        self._conn: AsyncConnection | None = None

    def _live(self) -> AsyncConnection:
        assert self._conn is not None, "a repository used outside its unit of work"
        return self._conn

    @cached_property
    def challenge_counts(self) -> ChallengeCounts:
        """What this unit of work changed that challenges count, recounted before commit."""
        return ChallengeCounts(self._live(), transaction=self.write and not self.autocommit)

    @cached_property
    def runners(self) -> RunnerRepository:
        """Runners, their preferences and accounts."""
        return RunnerRepository(self._live(), self.dialect, self.challenge_counts)

    @cached_property
    def activity(self) -> ActivityRepository:
        """Runs and check-ins."""
        return ActivityRepository(self._live(), self.dialect, self.challenge_counts)

    @cached_property
    def nudges(self) -> NudgeRepository:
        """Nudge schedules."""
        return NudgeRepository(self._live(), self.dialect)

    @cached_property
    def deliveries(self) -> DeliveryRepository:
        """Scheduled messages on their way out."""
        return DeliveryRepository(self._live(), self.dialect)

    @cached_property
    def personal(self) -> PersonalDataRepository:
        """Everything stored about one runner (export, forget)."""
        return PersonalDataRepository(self._live(), self.dialect, counts=self.challenge_counts)

    @cached_property
    def progress(self) -> ProgressRepository:
        """Stats and charts."""
        return ProgressRepository(self._live(), self.dialect)

    @cached_property
    def digests(self) -> DigestRepository:
        """Weekly digests."""
        return DigestRepository(self._live(), self.dialect)

    @cached_property
    def tracks(self) -> TrackRepository:
        """Run files' tracks and best efforts."""
        return TrackRepository(self._live(), self.dialect, self.challenge_counts)

    @cached_property
    def clubs(self) -> ClubRepository:
        """Clubs and challenges."""
        return ClubRepository(self._live(), self.dialect, self.challenge_counts)

    @cached_property
    def synced_commands(self) -> SyncedCommandsRepository:
        """The Discord command schema last synced."""
        return SyncedCommandsRepository(self._live(), self.dialect)

    @cached_property
    def club_feed(self) -> ClubFeedRepository:
        """Club members, feeds and kudos."""
        return ClubFeedRepository(self._live(), self.dialect)

    @cached_property
    def pauses(self) -> PauseRepository:
        """Rest windows that freeze streaks."""
        return PauseRepository(self._live(), self.dialect)

    async def __aenter__(self) -> UnitOfWork:
        self._cm = self._connect(write=self.write, autocommit=self.autocommit, turn=self.turn)
        self._conn = await self._cm.__aenter__()
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
            for name in _REPOSITORIES:  # bound to that connection: made again next time
                self.__dict__.pop(name, None)
            await cm.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        """Recount the challenge tallies this unit of work changed, then make it all permanent."""
        assert self._conn is not None, "commit outside the unit of work"
        if "challenge_counts" in self.__dict__:
            await self.challenge_counts.recount()
        await self._conn.commit()

    async def rollback(self) -> None:
        """Undo everything since the last commit."""
        assert self._conn is not None, "rollback outside the unit of work"
        await self._conn.rollback()


# The repositories, each made on first use and forgotten when the unit of work ends.
_REPOSITORIES = tuple(n for n, v in vars(UnitOfWork).items() if isinstance(v, cached_property))
