"""Pacer's domain objects: runners (with their nudge preferences), runs, check-ins, deliveries.

One model family, typed: instants are aware UTC ``datetime``, local dates
``date``, weekday sets tuples of weekday numbers (Monday = 0), wall-clock
times ``"HH:MM"`` strings. Storage converts; nothing above it sees a row.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HABITS = ("sleep", "mobility", "strength", "fuel")
# Seven hours asleep is the floor below which runners report not performing at their
# best (COACHING.md): a good night, on every count Pacer keeps.
GOOD_NIGHT_HOURS = 7.0
# The shortest run Pacer keeps, typed or from a file: less is a slip or a watch left on.
MIN_RUN_M = 100.0


class UnknownZone(ValueError):
    """A stored time zone that cannot be used."""


_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$")


@functools.lru_cache(maxsize=1024)
def zone(name: str) -> tzinfo:
    """The time zone of a stored name: IANA (``Europe/London``) or a fixed offset (``+05:30``)."""
    # Cached: ZoneInfo's own cache keeps only a few zones strongly, and reloading a
    # zone file per runner dominated scheduling many runners.
    name = name.strip()
    if name.upper() in {"UTC", "Z", "GMT", ""}:
        return UTC
    match = _OFFSET.match(name)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=14):
            raise UnknownZone(f"offset out of range: {name!r}")
        offset = -delta if sign == "-" else delta
        return timezone(offset, f"UTC{sign}{int(hours):02d}:{int(minutes or 0):02d}")
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise UnknownZone(f"unknown time zone: {name!r}") from exc


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
    # /pause ... injured|ill|rest: the first day of the latest pause that freezes streaks
    # (kept after it ends: streaks read every such window then) and its reason.
    paused_since: date | None = None
    pause_reason: str = ""


REST_REASONS = ("injured", "ill", "rest")


@dataclass(frozen=True, slots=True)
class RestWindow:
    """Rest days (``/pause <date> injured``): from ``since`` up to, not including, ``until``."""

    since: date
    until: date
    reason: str

    def covers(self, day: date) -> bool:
        """Whether ``day`` is a rest day."""
        return self.since <= day < self.until


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
    # The open set-up question was recalled once already: not again until asked.
    onboarding_reminded: bool = False
    boards_hidden: bool = False  # shown as "a runner" on club boards
    challenges_until: date | None = None  # the last day a joined challenge counts a log
    feed: bool = False  # /settings feed on: runs go to the feeds of their clubs

    @property
    def tz(self) -> tzinfo:
        """The runner's time zone."""
        return zone(self.timezone)

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
    climb_m: float | None = None  # elevation gain: typed (climb 250m) or from its file

    @property
    def pace_s_per_km(self) -> float:
        """Seconds per kilometre."""
        return self.duration_s / (self.distance_m / 1000)


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A habit done: a night's sleep, a mobility or strength session, a snack.

    ``id`` is 0 and ``created_at`` None until it is stored.
    """

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
    source_key: str | None = None  # the platform message it came from (stored once)
    id: int = 0
    created_at: datetime | None = None


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


@dataclass(frozen=True, slots=True)
class TrackFacts:
    """What a run file added to a stored run (None for a run typed in by hand)."""

    source_file: str  # gpx, fit, tcx, or strava (imported from the export's CSV alone)
    started_at: datetime | None
    elapsed_s: int | None
    elevation_gain_m: float | None
    efforts: dict[int, float]  # standard distance (m) -> seconds: the fastest stretch
    file_sha256: str | None = None
    strava_id: str | None = None


@dataclass(frozen=True, slots=True)
class BestEffort:
    """A runner's fastest time over a standard distance in a date range."""

    distance_m: int  # 1000, 5000, 10000 or 21097 (the half)
    seconds: float
    run_id: int
    local_date: date
    from_track: bool  # the fastest stretch inside a file's track, else a whole logged run


# --- club challenges -------------------------------------------------------------------
# What each metric counts: bot/challenge_metrics.py.


@dataclass(frozen=True, slots=True)
class Club:
    """A Discord server or Telegram group (or a console club) that races itself."""

    id: int
    platform: str
    chat_id: str
    name: str = ""
    timezone: str = "UTC"
    post_every: str = "weekly"  # daily, weekly or off
    post_day: int = 6  # weekly posts: 0 = Monday
    post_time: str = "18:00"
    post_channel: str | None = None
    posts_paused_at: datetime | None = None
    paused_reason: str = ""
    units: str = "km"  # posts and the create reply; boards use each reader's own
    feed: bool = False  # /club feed on: opted-in members' runs are posted as logged

    @property
    def tz(self) -> tzinfo:
        """The club's time zone: day boundaries of posts and of the final freeze."""
        return zone(self.timezone)

    def today(self, now: datetime) -> date:
        """The club's local date at ``now``."""
        return now.astimezone(self.tz).date()

    def at(self, day: date, hhmm: str) -> datetime:
        """The UTC instant of a wall-clock time on a local date in the club's zone."""
        hour, minute = (int(p) for p in hhmm.split(":"))
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)
        # Round-trip through UTC: a time skipped by spring-forward moves forward.
        return local.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Challenge:
    """A club's race over a window of local dates, on one metric."""

    id: int
    club_id: int
    name: str
    metric: str
    start: date
    end: date  # the last day counted
    target: float | None = None  # metres, seconds or a count
    team: bool = False
    channel: str = ""
    ended_at: datetime | None = None
    frozen_at: datetime | None = None
    created_at: datetime | None = None
    effort_m: int | None = None  # fastest: over 1000, 5000, 10000 or 21097 m
    day_min_m: float | None = None  # streak: the least a day needs (None: any run)
    planned_end: date | None = None  # the end before /challenge end ended it early
    posted_board: str = ""  # what the last board post showed (an unchanged one is not posted)

    @property
    def days(self) -> int:
        """How many days the window has."""
        return (self.end - self.start).days + 1

    def days_left(self, today: date) -> int:
        """Days still to go, today included (0 once it ended)."""
        if today < self.start:
            return self.days
        return max(0, (self.end - today).days + 1)

    def freezes_at(self, club: Club) -> datetime:
        """When results freeze: 24 h after the last day ends, in the club's zone."""
        return club.at(self.end + timedelta(days=2), "00:00")


@dataclass(frozen=True, slots=True)
class Standing:
    """One row of a board: rank (shared by equal values), who, and their value."""

    rank: int
    position: int  # 1-based place in board order
    user_id: int | None  # None: a runner who was forgotten
    name: str | None
    value: float
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Board:
    """A challenge's standings: the top rows plus the viewer's own."""

    challenge: Challenge
    rows: tuple[Standing, ...]
    members: int
    total: float  # summed over every member (team goals)
    frozen: bool = False

    def row_of(self, user_id: int) -> Standing | None:
        """The viewer's row, if they are a member."""
        return next((r for r in self.rows if r.user_id == user_id), None)
