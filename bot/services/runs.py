"""Runs: logging, listing, undo and delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.clock import Clock
from bot.core.errors import BadInput, NotFound
from bot.models import Run, User
from bot.parsing import check_pace, parse_distance, parse_duration, parse_when
from bot.services.events import Listeners
from bot.services.stats import week_start, week_streak
from bot.storage.repository import Repository

MAX_NOTE_CHARS = 500


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

    def __init__(self, repo: Repository, clock: Clock, listeners: Listeners) -> None:
        self.repo = repo
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
        run, created = await self.repo.add_run(user.id, day, meters, seconds, note, source_key, now)
        if created:
            await self.listeners.run_logged(user, run, now)
        total, count = await self.week_totals(user, run.local_date)
        return LoggedRun(run, created, total, count, await self.streak_weeks(user))

    async def week_totals(self, user: User, day: date) -> tuple[float, int]:
        """Distance and number of runs in ``day``'s week."""
        start = week_start(day)
        runs = await self.repo.runs_between(user.id, start, start + timedelta(days=6))
        return sum(r.distance_m for r in runs), len(runs)

    async def streak_weeks(self, user: User) -> int:
        """Consecutive weeks with at least one run, ending this week (or last week)."""
        today = user.today(self.clock.now())
        dates = await self.repo.run_dates(user.id, week_start(today) - timedelta(weeks=520))
        return week_streak(set(dates), today)

    async def recent(self, user: User, count: int = 10) -> list[Run]:
        """The latest runs, newest first."""
        return await self.repo.recent_runs(user.id, count)

    async def undo(self, user: User) -> Run:
        """Delete the run logged most recently."""
        run = await self.repo.last_logged_run(user.id)
        if run is None:
            raise NotFound("There's no run to undo yet.", hint="Log one with /log 5k 25:00")
        deleted = await self.repo.delete_run(user.id, run.id)
        if deleted is None:  # another /undo took it a moment ago
            raise NotFound("That run was just removed; /runs shows what's left.")
        await self.listeners.run_deleted(user, deleted, self.clock.now())
        return deleted

    async def delete(self, user: User, run_id: int) -> Run:
        """Delete one of the runner's runs by id."""
        deleted = await self.repo.delete_run(user.id, run_id)
        if deleted is None:
            raise NotFound(
                f"You have no run #{run_id}.", hint="/runs lists your runs with their ids."
            )
        await self.listeners.run_deleted(user, deleted, self.clock.now())
        return deleted
