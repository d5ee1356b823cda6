"""Weekly picture and streaks for runs and the four habits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.clock import Clock
from bot.models import GOOD_NIGHT_HOURS, CheckIn, RestWindow, Run, User, WeekBlock, week_start
from bot.parsing import HALF_MARATHON_M
from bot.progress import (
    BestEffort,
    PeriodStats,
    Streaks,
    WeekPoint,
    WeekSummary,
)
from bot.storage.database import Database
from bot.storage.progress import HabitCounts, RunTotals
from bot.storage.uow import UnitOfWork
from bot.texts import progress as texts

STREAK_LOOKBACK_DAYS = 400
PERIODS = ("week", "month", "year", "all")
DEFAULT_PERIOD = "month"
CHART_WEEKS = 12
CALENDAR_WEEKS = 8
# The standard distances of best efforts (keys of ``TrackRepository.best_efforts``), named.
EFFORTS = ((1000, "1 km"), (5000, "5 km"), (10000, "10 km"), (21097, "half"))


def period_start(period: str, today: date, first: date | None) -> date:
    """The first day of a period that ends today."""
    if period == "week":
        return week_start(today)
    if period == "month":
        return today.replace(day=1)
    if period == "year":
        return today.replace(month=1, day=1)
    return min(first or today, today)


async def best_efforts(uow: UnitOfWork, user_id: int, start: date, end: date) -> list[BestEffort]:
    """The fastest 1 km, 5 km, 10 km and half of a period, named for the reply.

    The fastest stretch inside a run file's track, or a logged run within 2% of the
    distance at its pace (``TrackRepository.best_efforts`` decides).
    """
    found = await uow.tracks.best_efforts(user_id, start, end)
    return [
        BestEffort(
            name,
            HALF_MARATHON_M if key == 21097 else float(key),
            round(effort.seconds),
            effort.run_id,
            effort.local_date,
            effort.from_track,
        )
        for key, name in EFFORTS
        if (effort := found.get(key))
    ]


async def weekly_points(
    uow: UnitOfWork, user_id: int, last_week: date, count: int
) -> tuple[WeekPoint, ...]:
    """``count`` weeks ending with the week of ``last_week`` (a Monday), oldest first."""
    first = last_week - timedelta(weeks=count - 1)
    end = last_week + timedelta(days=6)
    by_week = await uow.progress.runs_by_week(user_id, first, end)
    habits = await uow.progress.habits_by_week(user_id, first, end)
    mondays = [first + timedelta(weeks=i) for i in range(count)]
    return tuple(
        WeekPoint(m, by_week.get(m, RunTotals()), habits.get(m, HabitCounts())) for m in mondays
    )


def _count_back(items: list[bool]) -> int:
    """How many ``True`` at the end of the list, uninterrupted."""
    count = 0
    for ok in reversed(items):
        if not ok:
            break
        count += 1
    return count


class StatsService:
    """Summaries computed from stored runs and check-ins."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def period(self, user: User, period: str = DEFAULT_PERIOD) -> PeriodStats:
        """/stats: a period ending today (this week, month, year, or everything)."""
        if period not in PERIODS:
            raise texts.no_such_period(PERIODS, period)
        today = user.today(self.clock.now())
        async with self.db.reader() as uow:
            first = await uow.progress.first_day(user.id)
            start = period_start(period, today, first)
            totals = await uow.progress.run_totals(user.id, start, today)
            longest = await uow.progress.longest_run(user.id, start, today)
            habits = await uow.progress.habit_counts(user.id, start, today)
            best = await best_efforts(uow, user.id, start, today)
            weeks = await weekly_points(uow, user.id, week_start(today), CHART_WEEKS)
        return PeriodStats(period, start, today, totals, longest, habits, weeks, tuple(best), first)

    async def first_day(self, user: User) -> date | None:
        """The runner's first day with a run or a check-in (None before any)."""
        async with self.db.reader() as uow:
            return await uow.progress.first_day(user.id)

    async def weeks(
        self, user: User, count: int, last: date | None = None
    ) -> tuple[WeekPoint, ...]:
        """``count`` weeks ending with this week (or the week of ``last``), oldest first."""
        day = last or user.today(self.clock.now())
        async with self.db.reader() as uow:
            return await weekly_points(uow, user.id, week_start(day), count)

    async def week(self, user: User, day: date | None = None) -> WeekSummary:
        """The local week of ``day`` (default: this week so far), with today's streaks."""
        today = user.today(self.clock.now())
        start = week_start(day or today)
        end = start + timedelta(days=6)
        async with self.db.reader() as uow:
            runs = await uow.activity.runs_between(user.id, start, end)
            checkins = await uow.activity.checkins_between(user.id, start, end)
        sleep = _nightly(checkins)
        run_dates = {r.local_date for r in runs}
        fuel_dates = {c.local_date for c in checkins if c.habit == "fuel"}
        mobility = {(c.local_date, c.kind) for c in checkins if c.habit == "mobility"}
        return WeekSummary(
            start=start,
            today=today,
            runs=len(runs),
            distance_m=sum(r.distance_m for r in runs),
            nights_logged=len(sleep),
            good_nights=sum(1 for h in sleep.values() if h >= GOOD_NIGHT_HOURS),
            # One session per day and phase (mobility) or per day (strength), however
            # many check-ins it took to log it.
            mobility_sessions=len(mobility),
            # Counted per run day: a session belongs to the run of its own day only.
            mobility_pre_run_days=len({d for d, phase in mobility if phase == "pre"} & run_dates),
            mobility_post_run_days=len({d for d, phase in mobility if phase == "post"} & run_dates),
            strength_sessions=len({c.local_date for c in checkins if c.habit == "strength"}),
            snacks_after_runs=len(run_dates & fuel_dates),
            run_days=len(run_dates),
            streaks=await self.streaks(user, today),
        )

    async def streaks(self, user: User, today: date) -> Streaks:
        """Current streaks, computed over the last ~13 months; rest windows freeze them."""
        since = today - timedelta(days=STREAK_LOOKBACK_DAYS)
        async with self.db.reader() as uow:
            runs = await uow.activity.runs_between(user.id, since, today)
            checkins = await uow.activity.checkins_between(user.id, since, today)
            rest = await rest_windows(uow, user, since)
        return Streaks(
            run_weeks=_run_weeks(user, runs, today, rest),
            sleep_nights=_sleep_streak(_nightly(checkins), today, rest),
            mobility_runs=_per_run_streak(runs, checkins, "mobility", today),
            fuel_runs=_per_run_streak(runs, checkins, "fuel", today),
            strength_weeks=week_streak(
                {c.local_date for c in checkins if c.habit == "strength"}, today, rest
            ),
        )


async def rest_windows(uow: UnitOfWork, user: User, since: date) -> list[RestWindow]:
    """The runner's rest windows since a day (no read for a runner who never rested)."""
    if user.prefs.paused_since is None:
        return []
    return await uow.pauses.windows(user.id, since)


def _rested(day: date, rest: Sequence[RestWindow]) -> bool:
    return any(w.covers(day) for w in rest)


def _week_rested(monday: date, rest: Sequence[RestWindow]) -> bool:
    """A week with a rest day in it neither adds to a weekly streak nor breaks it."""
    return any(w.since < monday + timedelta(days=7) and w.until > monday for w in rest)


def _nightly(checkins: list[CheckIn]) -> dict[date, float]:
    """Hours slept per night (the latest check-in of a date wins)."""
    nights: dict[date, float] = {}
    for c in checkins:
        if c.habit == "sleep" and c.hours is not None:
            nights[c.local_date] = c.hours
    return nights


def week_streak(dates: set[date], today: date, rest: Sequence[RestWindow] = ()) -> int:
    """Consecutive weeks with an entry, counting this week or, if empty so far, last week.

    Weeks with a rest day (``/pause ... injured``) are stepped over: frozen, not broken.
    """
    weeks = {week_start(d) for d in dates}
    cursor = week_start(today)
    if cursor not in weeks:
        cursor -= timedelta(weeks=1)
    streak = 0
    while True:
        if cursor in weeks:
            streak += 1
        elif not _week_rested(cursor, rest):
            break
        cursor -= timedelta(weeks=1)
    return streak


def _run_weeks(user: User, runs: list[Run], today: date, rest: Sequence[RestWindow] = ()) -> int:
    """The run streak: the one /log keeps on the runner's row, else from these runs."""
    if rest:
        return week_streak({r.local_date for r in runs}, today, rest)
    if user.streak_since is not None and user.streak_last is not None:
        return WeekBlock(user.streak_since, user.streak_last).streak(today)
    return week_streak({r.local_date for r in runs}, today)


def _sleep_streak(nights: dict[date, float], today: date, rest: Sequence[RestWindow] = ()) -> int:
    """Consecutive nights of 7 h or more, up to last night (or the night before).

    A rest day without a good night is stepped over: frozen, not broken.
    """
    cursor = today if today in nights else today - timedelta(days=1)
    streak = 0
    while True:
        if nights.get(cursor, 0.0) >= GOOD_NIGHT_HOURS:
            streak += 1
        elif not _rested(cursor, rest):
            break
        cursor -= timedelta(days=1)
    return streak


def _per_run_streak(runs: list[Run], checkins: list[CheckIn], habit: str, today: date) -> int:
    """Consecutive run days (latest first) that also had this habit checked in."""
    habit_dates = {c.local_date for c in checkins if c.habit == habit}
    run_dates = sorted({r.local_date for r in runs})
    if run_dates and run_dates[-1] == today and today not in habit_dates:
        # Today's run may still get its check-in: don't break the streak yet.
        run_dates.pop()
    return _count_back([d in habit_dates for d in run_dates])
