"""Pacer's domain objects: runners (with their nudge preferences), runs, check-ins, deliveries.

One model family, typed: instants are aware UTC ``datetime``, local dates
``date``, weekday sets tuples of weekday numbers (Monday = 0), wall-clock
times ``"HH:MM"`` strings. Storage converts; nothing above it sees a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HABITS = ("sleep", "mobility", "strength", "fuel")


def zone_from_name(name: str) -> tzinfo:
    """The tzinfo for a stored zone: an IANA name or a fixed offset like ``+05:30``."""
    if name[:1] in "+-" and len(name) == 6:
        sign = 1 if name[0] == "+" else -1
        hours, minutes = int(name[1:3]), int(name[4:6])
        return timezone(sign * timedelta(hours=hours, minutes=minutes), f"UTC{name}")
    return ZoneInfo(name)


@dataclass(frozen=True, slots=True)
class NudgePrefs:
    """How a runner's nudges are timed (the defaults until they change any)."""

    wind_down_lead: int = 30  # minutes before the planned bedtime
    pre_run_lead: int = 10  # minutes before the usual run time
    fuel_delay: int = 20  # minutes after a run is logged
    bedtime_step: int = 15  # minutes earlier per week
    plan_first_step: int = 30  # minutes in the plan's first week
    plan_start: date | None = None  # local date the bedtime plan (re)started
    plan_from: str | None = None  # bedtime at plan_start
    plan_source: str | None = None  # the usual bedtime the plan was built from
    plan_target: str | None = None  # the target it was built for
    strength_days: tuple[int, ...] = ()
    strength_time: str | None = None
    race_date: date | None = None
    race_name: str = ""
    paused_until: date | None = None  # local date nudges resume


@dataclass(frozen=True, slots=True)
class User:
    """A runner, whatever platforms they use."""

    id: int
    display_name: str
    timezone: str = "UTC"
    units: str = "km"
    run_days: tuple[int, ...] = ()  # 0 = Monday
    run_time: str | None = None
    bedtime: str | None = None
    target_bedtime: str | None = None
    wake_time: str | None = None
    quiet_start: str | None = None
    quiet_end: str | None = None
    nudge_platform: str | None = None
    onboarding_step: str | None = None
    onboarded_at: datetime | None = None
    prefs: NudgePrefs = NudgePrefs()
    # Cached: Mondays of the first and latest week of the latest unbroken run streak.
    streak_since: date | None = None
    streak_last: date | None = None

    @property
    def tz(self) -> tzinfo:
        """The runner's time zone."""
        return zone_from_name(self.timezone)

    @property
    def follows_dst(self) -> bool:
        """False for a bare UTC offset, which ignores daylight saving."""
        return self.timezone[:1] not in "+-"

    def local_now(self, now: datetime) -> datetime:
        """``now`` on the runner's wall clock."""
        return now.astimezone(self.tz)

    def today(self, now: datetime) -> date:
        """The runner's local calendar date at ``now``."""
        return self.local_now(now).date()


@dataclass(frozen=True, slots=True)
class Identity:
    """One platform account of a runner."""

    platform: str
    platform_user_id: str
    user_id: int
    display_name: str = ""
    unreachable_since: datetime | None = None
    unreachable_told: bool = False
    last_seen_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """A logged run."""

    id: int
    user_id: int
    local_date: date
    distance_m: float
    duration_s: int
    note: str = ""
    created_at: datetime | None = None

    @property
    def pace_s_per_km(self) -> float:
        """Seconds per kilometre."""
        return self.duration_s / (self.distance_m / 1000)


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A habit done: a night's sleep, a mobility or strength session, a snack."""

    id: int
    user_id: int
    habit: str
    local_date: date
    kind: str = ""
    hours: float | None = None
    bedtime: str | None = None
    seconds: int | None = None
    sets: int | None = None
    reps: int | None = None
    load: float | None = None
    load_unit: str | None = None
    note: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewCheckIn:
    """A check-in to store."""

    user_id: int
    habit: str
    local_date: date
    kind: str = ""
    hours: float | None = None
    bedtime: str | None = None
    seconds: int | None = None
    sets: int | None = None
    reps: int | None = None
    load: float | None = None
    load_unit: str | None = None
    note: str = ""
    source_key: str | None = None


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


WEEK = timedelta(weeks=1)


@dataclass(frozen=True, slots=True)
class WeekBlock:
    """An unbroken run of weeks with a run: the Mondays of its first and latest week."""

    since: date
    last: date

    def streak(self, today: date) -> int:
        """The run streak in weeks at ``today`` (0 when the block ended before last week)."""
        if self.last < week_start(today) - WEEK:
            return 0
        return (self.last - self.since) // WEEK + 1

    def with_run(self, day: date) -> WeekBlock | None:
        """The block after a run on ``day``; None when only the whole history can tell."""
        week = week_start(day)
        if self.since <= week <= self.last:
            return self
        if week == self.last + WEEK:
            return WeekBlock(self.since, week)
        if week > self.last + WEEK:
            return WeekBlock(week, week)  # a gap: a new streak starts
        return None  # before the block: it may join an older one


def latest_block(dates: Iterable[date]) -> WeekBlock | None:
    """The latest unbroken block of weeks among the dates."""
    weeks = sorted({week_start(d) for d in dates}, reverse=True)
    if not weeks:
        return None
    since = weeks[0]
    for week in weeks[1:]:
        if week != since - WEEK:
            break
        since = week
    return WeekBlock(since, weeks[0])
