"""Runs: logging, listing, undo and delete."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from bot.clock import Clock
from bot.dates import parse_when, split_when
from bot.errors import BadInput, NotFound
from bot.input_hygiene import clean_text
from bot.models import Run, TrackFacts, User, WeekBlock, latest_block, week_start
from bot.nudges.planner import snack_due
from bot.parsing import (
    SLOWEST_PACE_S_PER_KM,
    check_pace,
    format_pace,
    parse_distance,
    parse_duration,
    split_climb,
)
from bot.runfiles import RunFile
from bot.services.events import Listeners
from bot.services.stats import STREAK_LOOKBACK_DAYS, rest_windows, week_streak
from bot.storage.database import Database
from bot.storage.uow import UnitOfWork

MAX_NOTE_CHARS = 500
SIX_DAYS = timedelta(days=6)
EDITABLE = ("distance", "time", "date", "note")
# A watch clock a little ahead of ours is not a run from the future.
FILE_CLOCK_SLACK = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class LoggedRun:
    """A stored run and the totals shown back."""

    run: Run
    created: bool
    week_distance_m: float
    week_runs: int
    streak_weeks: int
    climb_m: float | None = None  # typed with the run (/log ... climb 250m)


@dataclass(frozen=True, slots=True)
class EditedRun:
    """A corrected run, as it was and as it is, with its week's totals now."""

    before: Run
    after: Run
    week_distance_m: float
    week_runs: int
    streak_weeks: int


def _check_note(note: str) -> str:
    """The note, cleaned and stripped; refused (never cut) when it is too long."""
    note = clean_text(note).strip()
    if len(note) > MAX_NOTE_CHARS:
        raise BadInput(
            f"Notes can be up to {MAX_NOTE_CHARS} characters; yours has {len(note):,}. "
            "Nothing was saved.",
            hint="Shorten the note and log again.",
        )
    return note


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
        shown_in: str = "",
    ) -> LoggedRun:
        """Validate and store a run; nothing is stored if any part is wrong.

        ``shown_in``: the group chat whose reply shows the run (the feed skips it).
        """
        now = self.clock.now()
        meters = parse_distance(distance, user.units)
        seconds = parse_duration(duration)
        check_pace(meters, seconds, user.units)
        if not when:
            when, note = split_when(note)
        climb_m, note = split_climb(note, user.units)
        day = parse_when(when, user.today(now))
        note = _check_note(note)
        first = week_start(day)
        # The run, with its snack nudge due on the row itself, and its week's totals for
        # the reply; its challenges recounted before commit.
        async with self.db.uow() as uow:
            run, created, week = await uow.activity.add_run(
                user.id, day, meters, seconds, note, source_key, now,
                snack_due(user, day, now), (first, first + SIX_DAYS), climb_m,
            )  # fmt: skip
            await uow.commit()
        logged = await self._logged(user, run, created, now, week, shown_in)
        return replace(logged, climb_m=climb_m if created else None)

    async def log_file(
        self,
        user: User,
        run_file: RunFile,
        note: str = "",
        source_key: str | None = None,
        shown_in: str = "",
    ) -> LoggedRun:
        """Store a run read from a file (its track facts and best efforts with it).

        The same file again (by content) is the stored run, not a second one.
        """
        now = self.clock.now()
        started = run_file.local_start(user.tz)
        if started.astimezone(UTC) > now + FILE_CLOCK_SLACK:
            raise BadInput(
                f"This file's run starts in the future ({started:%a %d %b %Y %H:%M}, your "
                "time). Nothing was saved.",
                hint="Check the watch's date, or your time zone with /settings timezone.",
            )
        seconds = round(run_file.moving_s)
        if seconds / (run_file.distance_m / 1000) > SLOWEST_PACE_S_PER_KM:
            raise BadInput(
                f"This file moves at {format_pace(run_file.distance_m, seconds, user.units)} "
                "while moving: slower than 30:00 /km, so I take it for a walk, not a run. "
                "Nothing was saved."
            )
        facts = TrackFacts(
            source_file=run_file.kind,
            started_at=started.astimezone(UTC),
            elapsed_s=round(run_file.elapsed_s),
            elevation_gain_m=run_file.elevation_gain_m,
            efforts=run_file.efforts,
            file_sha256=run_file.sha256,
        )
        day = started.date()
        async with self.db.uow() as uow:
            run, created = await uow.tracks.add_file_run(
                user.id,
                day,
                run_file.distance_m,
                seconds,
                _check_note(note),
                facts,
                source_key,
                now,
                snack_due(user, day, now),
            )
            await uow.commit()
        return await self._logged(user, run, created, now, shown_in=shown_in)

    async def _logged(
        self,
        user: User,
        run: Run,
        created: bool,
        now: datetime,
        week: tuple[float, int] | None = None,
        shown_in: str = "",
    ) -> LoggedRun:
        """Tell listeners about a new run, then the week's totals (read unless given) and
        the streak."""
        if created:
            await self.listeners.run_logged(user, run, now, shown_in)
        today = user.today(now)
        if week is None:
            start = week_start(run.local_date)
            async with self.db.reader() as uow:
                week = await uow.activity.week_totals(user.id, start, start + SIX_DAYS)
        total, count = week
        block = await self._streak(user, run.local_date if created else None)
        streak = block.streak(today) if block else 0
        if user.prefs.paused_since is not None:  # rested once: rest windows freeze the streak
            streak = await self._rested_streak(user, today)
        return LoggedRun(run, created, total, count, streak)

    async def _rested_streak(self, user: User, today: date) -> int:
        """The run streak with the runner's rest windows stepped over."""
        since = today - timedelta(days=STREAK_LOOKBACK_DAYS)
        async with self.db.reader() as uow:
            dates = await uow.activity.run_dates(user.id, since)
            rest = await rest_windows(uow, user, since)
        return week_streak(set(dates), today, rest)

    async def edit(self, user: User, run_id: int, field: str, value: str) -> EditedRun:
        """Correct one field of one of the runner's runs; nothing is stored if it is wrong.

        A new date moves the run to another week: the streak cache is worked out
        again, and its snack nudge is due only if the run now falls on the day it
        was logged (and the nudge was still to come).
        """
        now = self.clock.now()
        async with self.db.reader() as uow:
            before = await uow.activity.run(run_id)
        if before is None or before.user_id != user.id:
            raise NotFound(
                f"You have no run #{run_id}.", hint="/runs lists your runs with their ids."
            )
        changes: dict[str, object] = {}
        if field == "distance":
            meters = parse_distance(value, user.units)
            check_pace(meters, before.duration_s, user.units)
            changes["distance_m"] = meters
        elif field == "time":
            seconds = parse_duration(value)
            check_pace(before.distance_m, seconds, user.units)
            changes["duration_s"] = seconds
        elif field == "date":
            changes["local_date"] = parse_when(value, user.today(now))
        elif field == "note":
            changes["note"] = _check_note(value)
        else:
            raise BadInput(f"I can change {', '.join(EDITABLE)}; not '{field}'.")
        moved = changes.get("local_date", before.local_date) != before.local_date
        async with self.db.uow() as uow:
            if moved:
                day = changes["local_date"]
                assert isinstance(day, date) and before.created_at is not None
                pending = await uow.nudges.pending_snack(run_id)
                due = snack_due(user, day, before.created_at)
                changes["fuel_due_at"] = due if due and (pending or due > now) else None
                if changes["fuel_due_at"] is None:
                    await uow.nudges.cancel_run_snoozes(user.id, run_id)
                # The run may have held the streak together, or now joins two: work it out.
                await uow.runners.update(user.id, streak_since=None, streak_last=None)
            after = await uow.activity.update_run(user.id, run_id, **changes)
            if after is None:
                raise NotFound(f"You have no run #{run_id}.")
            if after.distance_m < before.distance_m:
                # A file's best efforts longer than the corrected run can't have been run.
                await uow.tracks.drop_efforts_over(user.id, run_id, after.distance_m)
            await uow.commit()
        if moved:
            user = replace(user, streak_since=None, streak_last=None)
        start = week_start(after.local_date)
        async with self.db.reader() as uow:
            total, count = await uow.activity.week_totals(user.id, start, start + SIX_DAYS)
        block = await self._streak(user, None)
        streak = block.streak(user.today(now)) if block else 0
        return EditedRun(before, after, total, count, streak)

    async def _streak(self, user: User, new_run: date | None) -> WeekBlock | None:
        """The runner's latest block of weeks with a run, from the cache on their row.

        A run in the block's weeks or the week after it moves the cache along
        without reading any runs; anything else (no cache yet, a backdated run
        before the block) reads the run dates once and caches the answer.
        """
        cached = None
        if user.streak_since is not None and user.streak_last is not None:
            cached = WeekBlock(user.streak_since, user.streak_last)
        block = cached
        if new_run is not None and cached is not None:
            block = cached.with_run(new_run)
        if block is None:
            async with self.db.reader() as uow:
                block = latest_block(await uow.activity.run_dates(user.id, date.min))
        if block != cached:
            async with self.db.single() as uow:
                await uow.runners.set_streak(user.id, cached, block)
        return block

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
        # The run may have held the streak together: work it out again next time.
        await uow.runners.update(user.id, streak_since=None, streak_last=None)
        await self.listeners.run_deleted(uow, user, deleted, self.clock.now())
        await uow.commit()
        return deleted
