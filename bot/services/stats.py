"""Weekly picture and streaks for runs and the four habits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.clock import Clock
from bot.models import CheckIn, Run, User, WeekBlock, week_start
from bot.storage.database import Database

GOOD_NIGHT_HOURS = 7.0
STREAK_LOOKBACK_DAYS = 400


@dataclass(frozen=True, slots=True)
class Streaks:
    """How long each habit has held, in its own unit."""

    run_weeks: int
    sleep_nights: int
    mobility_runs: int
    fuel_runs: int
    strength_weeks: int


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """One week (Monday to Sunday, local) of runs and habits."""

    start: date
    today: date
    runs: int
    distance_m: float
    nights_logged: int
    good_nights: int
    mobility_sessions: int
    mobility_pre_run_days: int  # run days with a pre-run session that same day
    mobility_post_run_days: int  # run days with a post-run session that same day
    strength_sessions: int
    snacks_after_runs: int
    run_days: int
    streaks: Streaks


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

    async def week(self, user: User) -> WeekSummary:
        """This local week so far, with streaks."""
        today = user.today(self.clock.now())
        start = week_start(today)
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
        """Current streaks, computed over the last ~13 months."""
        since = today - timedelta(days=STREAK_LOOKBACK_DAYS)
        async with self.db.reader() as uow:
            runs = await uow.activity.runs_between(user.id, since, today)
            checkins = await uow.activity.checkins_between(user.id, since, today)
        return Streaks(
            run_weeks=_run_weeks(user, runs, today),
            sleep_nights=_sleep_streak(_nightly(checkins), today),
            mobility_runs=_per_run_streak(runs, checkins, "mobility", today),
            fuel_runs=_per_run_streak(runs, checkins, "fuel", today),
            strength_weeks=week_streak(
                {c.local_date for c in checkins if c.habit == "strength"}, today
            ),
        )


def _nightly(checkins: list[CheckIn]) -> dict[date, float]:
    """Hours slept per night (the latest check-in of a date wins)."""
    nights: dict[date, float] = {}
    for c in checkins:
        if c.habit == "sleep" and c.hours is not None:
            nights[c.local_date] = c.hours
    return nights


def week_streak(dates: set[date], today: date) -> int:
    """Consecutive weeks with an entry, counting this week or, if empty so far, last week."""
    weeks = {week_start(d) for d in dates}
    cursor = week_start(today)
    if cursor not in weeks:
        cursor -= timedelta(weeks=1)
    streak = 0
    while cursor in weeks:
        streak += 1
        cursor -= timedelta(weeks=1)
    return streak


def _run_weeks(user: User, runs: list[Run], today: date) -> int:
    """The run streak: the one /log keeps on the runner's row, else from these runs."""
    if user.streak_since is not None and user.streak_last is not None:
        return WeekBlock(user.streak_since, user.streak_last).streak(today)
    return week_streak({r.local_date for r in runs}, today)


def _sleep_streak(nights: dict[date, float], today: date) -> int:
    """Consecutive nights of 7 h or more, up to last night (or the night before)."""
    cursor = today if today in nights else today - timedelta(days=1)
    streak = 0
    while nights.get(cursor, 0.0) >= GOOD_NIGHT_HOURS:
        streak += 1
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
