"""Runs typed or edited: /log as typed, a double tap confirmed, /edit, /undo, /delete,
the latest runs, and the streak shown under a logged run.

Runs read from files are :mod:`bot.services.runfiles`; it stores through this service's
:meth:`RunService.logged` so a file's run is told and totalled as a typed one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from bot.clock import Clock
from bot.dates import (
    MAX_DAYS_BACK,
    parse_start,
    parse_when,
    split_day_and_start,
    weekday_and_date,
)
from bot.daytimes import split_start_clock
from bot.errors import PacerError
from bot.input_hygiene import clean_text
from bot.models import Run, User, WeekBlock, latest_block, week_start
from bot.nudges.planner import snack_due
from bot.parsing import check_pace, parse_climb, parse_distance, parse_duration, split_climb
from bot.runfiles.track import EARLIEST
from bot.services.events import Listeners
from bot.services.stats import STREAK_LOOKBACK_DAYS, rest_windows, week_streak
from bot.storage.database import Database
from bot.storage.uow import UnitOfWork
from bot.texts import runs as texts

MAX_NOTE_CHARS = 500
SIX_DAYS = timedelta(days=6)
EDITABLE = ("distance", "time", "date", "note", "climb")
# The same run typed again this soon is most likely a double tap: asked, not stored.
DOUBLE_TAP_WINDOW = timedelta(minutes=5)
TYPED_KEPT = 10_000  # runners remembered before the ones outside the window are dropped


@dataclass(frozen=True, slots=True)
class LoggedRun:
    """A stored run and the totals shown back."""

    run: Run
    created: bool
    week_distance_m: float
    week_runs: int
    streak_weeks: int
    started: datetime | None = None  # the local start, when typed with the run
    climb_m: float | None = None  # typed with the run (/log ... climb 250m)


@dataclass(frozen=True, slots=True)
class EditedRun:
    """A corrected run, as it was and as it is, with its week's totals now."""

    before: Run
    after: Run
    week_distance_m: float
    week_runs: int
    streak_weeks: int


def check_note(note: str) -> str:
    """The note, cleaned and stripped; refused (never cut) when it is too long."""
    note = clean_text(note).strip()
    if len(note) > MAX_NOTE_CHARS:
        raise texts.note_too_long(MAX_NOTE_CHARS, len(note))
    return note


def _same_run(a: Run, b: Run) -> bool:
    """The same day, distance (to the metre), time and note."""
    return (a.local_date, round(a.distance_m), a.duration_s, a.note) == (
        b.local_date,
        round(b.distance_m),
        b.duration_s,
        b.note,
    )


@dataclass(frozen=True, slots=True)
class _Typed:
    """A runner's latest typed run, for spotting a double tap."""

    run: Run
    at: datetime
    source_key: str | None


class RepeatedRun(PacerError):
    """A typed run exactly like the one logged moments before: stored only when confirmed."""

    def __init__(self, earlier: Run, minutes: int) -> None:
        message, hint = texts.repeated_run(earlier.id, minutes)
        super().__init__(message, hint=hint)
        self.earlier = earlier


class RunService:
    """Logs runs and answers questions about them."""

    def __init__(self, db: Database, clock: Clock, listeners: Listeners) -> None:
        self.db = db
        self.clock = clock
        # Each runner's latest typed run (this process), to spot a double tap cheaply.
        self._typed: dict[int, _Typed] = {}
        # (runner, what) -> the local day a once-a-day line was last shown (this process).
        self._shown: dict[tuple[int, str], date] = {}
        self.listeners = listeners

    def once_a_day(self, user: User, what: str) -> bool:
        """True the first time today (the runner's day) a line ``what`` is asked for."""
        today = user.today(self.clock.now())
        key = (user.id, what)
        if self._shown.get(key) == today:
            return False
        if len(self._shown) >= TYPED_KEPT:
            self._shown = {k: v for k, v in self._shown.items() if v == today}
        self._shown[key] = today
        return True

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
        check_pace(meters, seconds, user.units, typed_distance=distance, typed_time=duration)
        climb_m, note = split_climb(note, user.units)
        # A day after the climb or the note is still the day, never the note; two are refused
        # (but for "Sat 05 Dec", one day as replies write it).
        typed_note = note
        note, also, start_at_end = split_day_and_start(note)
        if also and when:
            both = weekday_and_date(when, also)
            if not both:
                raise texts.two_days(when, also)
            when, also = both, ""
        day_first = bool(when) or (bool(also) and typed_note.lstrip().startswith(also))
        when = when or also
        # A clock time after the day (or alone) is the start: /log 5k 25:00 2026-12-05 07:00,
        # /log 5k 25:00 hilly mon 07:00.
        start_clock, note = start_at_end, note
        if not start_clock:
            start_clock, note = split_start_clock(note, when, after_day=day_first)
        when = f"{when} {start_clock}".strip() if start_clock else when
        day, start_time = parse_start(when, user.today(now))
        started_at = None
        if start_time is not None:
            start = datetime.combine(day, start_time, tzinfo=user.tz)
            if start.astimezone(UTC) > now:
                raise texts.start_in_future(start)
            started_at = start.astimezone(UTC)
        note = check_note(note)
        await self._check_not_repeated(user, day, meters, seconds, note, source_key, now)
        first = week_start(day)
        # The run, with its snack nudge due on the row itself, and its week's totals for
        # the reply; its challenges recounted before commit.
        async with self.db.uow() as uow:
            run, created, week = await uow.activity.add_run(
                user.id, day, meters, seconds, note, source_key, now,
                snack_due(user, day, now), (first, first + SIX_DAYS), climb_m, started_at,
            )  # fmt: skip
            await uow.commit()
        logged = await self.logged(user, run, created, now, week, shown_in)
        started = started_at.astimezone(user.tz) if started_at is not None and created else None
        return replace(logged, climb_m=climb_m if created else None, started=started)

    async def _check_not_repeated(
        self,
        user: User,
        day: date,
        meters: float,
        seconds: int,
        note: str,
        source_key: str | None,
        now: datetime,
    ) -> None:
        """Refuse (with a one-tap way on) a run that repeats the last one within minutes.

        Typed runs are remembered in memory for the window, so a /log stays two
        statements; only a run that looks repeated costs a read, which decides.
        """
        typed = Run(0, user.id, day, meters, seconds, note)
        seen = self._typed.get(user.id)
        self._remember(typed, now, source_key)
        if seen is None or now - seen.at > DOUBLE_TAP_WINDOW or not _same_run(seen.run, typed):
            return
        if source_key is not None and source_key == seen.source_key:
            return  # the platform delivered the same message again: "Already logged"
        async with self.db.reader() as uow:
            last = await uow.activity.last_logged_run(user.id)
            if source_key is not None and await uow.activity.run_with_source_key(source_key):
                return
        if last is None or last.created_at is None or now - last.created_at > DOUBLE_TAP_WINDOW:
            return
        if _same_run(last, typed):
            raise RepeatedRun(last, int((now - last.created_at).total_seconds() // 60))

    def _remember(self, typed: Run, now: datetime, source_key: str | None) -> None:
        """Keep the runner's latest typed run for the window (old ones go when many pile up)."""
        if len(self._typed) >= TYPED_KEPT:
            self._typed = {k: v for k, v in self._typed.items() if now - v.at <= DOUBLE_TAP_WINDOW}
        self._typed[typed.user_id] = _Typed(typed, now, source_key)

    async def log_again(
        self, user: User, run_id: int, source_key: str | None, shown_in: str = ""
    ) -> LoggedRun:
        """Store a second copy of a run the runner confirmed they ran twice."""
        now = self.clock.now()
        async with self.db.reader() as uow:
            run = await uow.activity.run(run_id)
            last = await uow.activity.last_logged_run(user.id)
        if run is None or run.user_id != user.id:
            raise texts.no_such_run(run_id, "/runs lists your runs.")
        if last is not None and last.id != run.id and _same_run(last, run):
            raise texts.logged_again_already(last.id, run.id)
        first = week_start(run.local_date)
        async with self.db.uow() as uow:
            copy, created, week = await uow.activity.add_run(
                user.id, run.local_date, run.distance_m, run.duration_s, run.note, source_key,
                now, snack_due(user, run.local_date, now), (first, first + SIX_DAYS),
            )  # fmt: skip
            await uow.commit()
        return await self.logged(user, copy, created, now, week, shown_in)

    async def logged(
        self,
        user: User,
        run: Run,
        created: bool,
        now: datetime,
        week: tuple[float, int] | None = None,
        shown_in: str = "",
    ) -> LoggedRun:
        """Tell listeners about a new run, then the week's totals (read unless given) and
        the streak: what every stored run (typed or from a file) answers with."""
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
            from_file = field == "date" and await uow.tracks.facts(run_id) is not None
        if before is None or before.user_id != user.id:
            raise texts.no_such_run(run_id)
        changes: dict[str, object] = {}
        if field == "distance":
            meters = parse_distance(value, user.units)
            check_pace(meters, before.duration_s, user.units, typed_distance=value)
            changes["distance_m"] = meters
        elif field == "time":
            seconds = parse_duration(value)
            check_pace(before.distance_m, seconds, user.units, typed_time=value)
            changes["duration_s"] = seconds
        elif field == "date":
            changes["local_date"] = self._edited_date(user, before, value, from_file, now)
        elif field == "note":
            changes["note"] = check_note(value)
        elif field == "climb":  # the board of a climb challenge is recounted with the run
            changes["elevation_gain_m"] = parse_climb(value, user.units)
        else:
            raise texts.not_editable(EDITABLE, field)
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
                raise texts.no_such_run(run_id, "")
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

    def _edited_date(
        self, user: User, before: Run, value: str, from_file: bool, now: datetime
    ) -> date:
        """A corrected date, within what storing the run accepted: back to 2000 for a run
        from a file (as a file or an import stores it), a year back for a typed one (as
        /log), its own date always; never in the future."""
        today = user.today(now)
        day = parse_when(value, today, earliest=EARLIEST.date())
        if from_file or day >= before.local_date or (today - day).days <= MAX_DAYS_BACK:
            return day
        raise texts.edited_too_far_back(day)

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
                raise texts.nothing_to_undo()
            return await self._delete(uow, user, run.id)

    async def delete(self, user: User, run_id: int) -> Run:
        """Delete one of the runner's runs by id."""
        async with self.db.uow() as uow:
            return await self._delete(uow, user, run_id)

    async def _delete(self, uow: UnitOfWork, user: User, run_id: int) -> Run:
        deleted = await uow.activity.delete_run(user.id, run_id)
        if deleted is None:
            raise texts.no_such_run(run_id)
        # The run may have held the streak together: work it out again next time.
        await uow.runners.update(user.id, streak_since=None, streak_last=None)
        await self.listeners.run_deleted(uow, user, deleted, self.clock.now())
        await uow.commit()
        return deleted
