"""Runs: logging, listing, undo and delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.errors import BadInput, NotFound
from bot.models import Run, User
from bot.parsing import check_pace, parse_distance, parse_duration, parse_when
from bot.services.events import Listeners
from bot.services.stats import week_start, week_streak
from bot.storage.database import Database
from bot.storage.uow import UnitOfWork

MAX_NOTE_CHARS = 500
STREAK_HORIZON = timedelta(weeks=520)


@dataclass(frozen=True, slots=True)
class LoggedRun:
    """A stored run and the totals shown back."""

    run: Run
    created: bool
    week_distance_m: float
    week_runs: int
    streak_weeks: int


class RunService:
    """Logs runs and answers questions about them."""

    def __init__(self, db: Database, clock: Clock, listeners: Listeners) -> None:
        self.db = db
        self.clock = clock
        self.listeners = listeners

    async def log(
        self,
        user: User,
        distance: str,
        duration: str,
        when: str = "",
        note: str = "",
        source_key: str | None = None,
    ) -> LoggedRun:
        """Validate and store a run; nothing is stored if any part is wrong."""
        now = self.clock.now()
        meters = parse_distance(distance, user.units)
        seconds = parse_duration(duration)
        check_pace(meters, seconds)
        day = parse_when(when, user.today(now))
        note = note.strip()
        if len(note) > MAX_NOTE_CHARS:
            raise BadInput(
                f"Notes can be up to {MAX_NOTE_CHARS} characters; yours has {len(note):,}. "
                "Nothing was saved.",
                hint="Shorten the note and log again.",
            )
        async with self.db.uow() as uow:
            run, created = await uow.activity.add_run(
                user.id, day, meters, seconds, note, source_key, now
            )
            if created:
                await self.listeners.run_logged(uow, user, run, now)
            await uow.commit()
        today = user.today(now)
        start = week_start(run.local_date)
        async with self.db.reader() as uow:
            total, count, dates = await uow.activity.week_and_dates(
                user.id, start, start + timedelta(days=6), week_start(today) - STREAK_HORIZON
            )
        return LoggedRun(run, created, total, count, week_streak(set(dates), today))

    async def recent(self, user: User, count: int = 10) -> list[Run]:
        """The latest runs, newest first."""
        async with self.db.reader() as uow:
            return await uow.activity.recent_runs(user.id, count)

    async def undo(self, user: User) -> Run:
        """Delete the run logged most recently."""
        async with self.db.uow() as uow:
            run = await uow.activity.last_logged_run(user.id)
            if run is None:
                raise NotFound("There's no run to undo yet.", hint="Log one with /log 5k 25:00")
            return await self._delete(uow, user, run.id)

    async def delete(self, user: User, run_id: int) -> Run:
        """Delete one of the runner's runs by id."""
        async with self.db.uow() as uow:
            return await self._delete(uow, user, run_id)

    async def _delete(self, uow: UnitOfWork, user: User, run_id: int) -> Run:
        deleted = await uow.activity.delete_run(user.id, run_id)
        if deleted is None:
            raise NotFound(
                f"You have no run #{run_id}.", hint="/runs lists your runs with their ids."
            )
        await self.listeners.run_deleted(uow, user, deleted, self.clock.now())
        await uow.commit()
        return deleted
