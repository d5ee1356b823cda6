"""Pure coaching plans: the weekly bedtime steps, the 7-hour floor and the strength progression.

Also what a stored check-in was found to be (``Recorded``, ``FuelCheck``): what the
coach's answer is worded from (``bot/texts/habits.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from bot.models import GOOD_NIGHT_HOURS, CheckIn

MAX_FIRST_STEP_MINUTES = 30
MIN_STEP_MINUTES = 5
MAX_STEP_MINUTES = 30


def _night_minutes(value: time) -> int:
    """Minutes after noon, so 23:00 (660) sorts before 00:30 (750) on the same night."""
    return (value.hour * 60 + value.minute - 720) % 1440


def _from_night_minutes(minutes: int) -> time:
    total = (minutes + 720) % 1440
    return time(total // 60, total % 60)


# --- the 7-hour floor ----------------------------------------------------------------------

SLEEP_FLOOR_MINUTES = round(GOOD_NIGHT_HOURS * 60)  # the 7-hour floor, in minutes


def minutes_in_bed(bedtime: time, wake: time) -> int:
    """Minutes from getting into bed to waking up (across midnight)."""
    return (wake.hour * 60 + wake.minute - bedtime.hour * 60 - bedtime.minute) % 1440


def latest_bedtime(wake: time) -> time:
    """The latest bedtime that still leaves 7 hours before ``wake``."""
    total = (wake.hour * 60 + wake.minute - SLEEP_FLOOR_MINUTES) % 1440
    return time(total // 60, total % 60)


def is_later(one: time, other: time) -> bool:
    """Whether bedtime ``one`` is later in the night than ``other`` (23:30 < 00:30)."""
    return _night_minutes(one) > _night_minutes(other)


# Hip mobility, the one rule everywhere (/week, /stats, /chart habits, the digest): on a
# run day a session before the run and one after it each count, so a run day asks for 2.
MOBILITY_PER_RUN_DAY = 2


@dataclass(frozen=True, slots=True)
class MobilityCount:
    """Mobility by the one rule: sessions on run days out of 2 a run day; other days apart."""

    done: int  # sessions on run days: at most one pre and one post a day
    wanted: int  # MOBILITY_PER_RUN_DAY for each run day
    other: int  # sessions on days without a run: shown, never counted towards the aim


def mobility_count(sessions: int, on_run_days: int, run_days: int) -> MobilityCount:
    """Count ``sessions`` (one per day and phase), ``on_run_days`` of them on a run day."""
    return MobilityCount(on_run_days, MOBILITY_PER_RUN_DAY * run_days, sessions - on_run_days)


@dataclass(frozen=True, slots=True)
class SleepGoal:
    """Where the bedtime plan heads, given the usual bedtime, the target and the wake time.

    ``goal`` None: the plan holds the bedtime it has (nothing to move towards).
    The plan only ever moves bedtime earlier: a target later than the usual
    bedtime is not followed (the runner moves later by changing the usual
    bedtime itself), and with a wake time the goal leaves at least 7 hours.
    """

    goal: time | None
    wake: time | None = None
    floor: time | None = None  # the latest bedtime with 7 h before the wake time
    target_short: bool = False  # the target leaves under 7 h before the wake time
    target_later: bool = False  # the target is later than the usual bedtime: not followed
    from_floor: bool = False  # the goal is the 7-hour bedtime, not the runner's target


def sleep_goal(bedtime: time, target: time | None, wake: time | None) -> SleepGoal:
    """The plan's goal: the target, held back to never go later, pulled earlier to give 7 h."""
    floor = latest_bedtime(wake) if wake is not None else None
    later = target is not None and is_later(target, bedtime)
    short = (
        target is not None
        and wake is not None
        and minutes_in_bed(target, wake) < SLEEP_FLOOR_MINUTES
    )
    wanted = None if later else target
    base = wanted or bedtime
    if wake is not None and floor is not None and minutes_in_bed(base, wake) < SLEEP_FLOOR_MINUTES:
        return SleepGoal(floor, wake, floor, short, later, from_floor=True)
    return SleepGoal(wanted, wake, floor, short, later)


@dataclass(frozen=True, slots=True)
class BedtimePlan:
    """Where the bedtime plan stands this week."""

    start_bedtime: time
    target: time
    step_minutes: int
    week: int  # 0 = the week the plan started
    this_week: time
    weeks_to_go: int  # weekly changes still ahead after this week
    next_change: date | None  # the day next week's bedtime starts, None when reached
    target_set: bool = True  # False: no target bedtime set
    wanted: time | None = None  # the runner's target bedtime, as set
    sleep: SleepGoal | None = None  # why the plan heads where it does (wake time, 7-h floor)

    @property
    def reached(self) -> bool:
        """Whether this week's bedtime is the target."""
        return self.weeks_to_go == 0


def bedtime_plan(
    current: time,
    target: time,
    *,
    start_date: date,
    today: date,
    step_minutes: int = 15,
    first_step_minutes: int = MAX_FIRST_STEP_MINUTES,
) -> BedtimePlan:
    """This week's bedtime on the way from ``current`` to ``target``.

    Week 0 moves by ``first_step_minutes`` (at most 30), each later week by
    ``step_minutes``; no week ever jumps further, and the target is never
    overshot. Times are compared as night times, so 00:30 -> 23:00 is a move
    90 minutes earlier, not 22.5 hours later. ``first_step_minutes=0`` keeps
    week 0 at ``current`` (used when the runner changes the step mid-plan).
    """
    if not MIN_STEP_MINUTES <= step_minutes <= MAX_STEP_MINUTES:
        raise ValueError(f"step must be {MIN_STEP_MINUTES}-{MAX_STEP_MINUTES} minutes")
    first = max(0, min(first_step_minutes, MAX_FIRST_STEP_MINUTES))
    start, goal = _night_minutes(current), _night_minutes(target)
    distance = abs(goal - start)
    direction = -1 if goal < start else 1
    week = max(0, (today - start_date).days // 7)
    moved = min(distance, first + week * step_minutes)
    remaining = distance - moved
    weeks_to_go = math.ceil(remaining / step_minutes) if remaining else 0
    next_change = start_date + timedelta(days=7 * (week + 1)) if weeks_to_go else None
    return BedtimePlan(
        start_bedtime=current,
        target=target,
        step_minutes=step_minutes,
        week=week,
        this_week=_from_night_minutes(start + direction * moved),
        weeks_to_go=weeks_to_go,
        next_change=next_change,
    )


# --- strength: the plain plank first, then its variations; the deadlift every session -----

PLANK_START_SECONDS = 30
PLANK_STEP_SECONDS = 10
PLANK_MAX_SECONDS = 90
VARIATION_START_SECONDS = 30
VARIATION_STEP_SECONDS = 5
VARIATION_MAX_SECONDS = 60
VARIATIONS = ("side-plank", "reverse-plank", "plank-with-movement")
DEADLIFT_SETS = 3
DEADLIFT_REPS = 6
DEADLIFT_STEP = {"kg": 2.5, "lb": 5.0}  # added after a completed session


def _ladder() -> tuple[tuple[str, int], ...]:
    steps = [
        ("plank", s) for s in range(PLANK_START_SECONDS, PLANK_MAX_SECONDS + 1, PLANK_STEP_SECONDS)
    ]
    for name in VARIATIONS:
        steps += [
            (name, s)
            for s in range(
                VARIATION_START_SECONDS, VARIATION_MAX_SECONDS + 1, VARIATION_STEP_SECONDS
            )
        ]
    return tuple(steps)


LADDER = _ladder()  # every (exercise, target seconds) in order


@dataclass(frozen=True, slots=True)
class Deadlift:
    """Deadlift sets as logged: sets x reps, with the load when given."""

    sets: int
    reps: int
    load: float | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class StrengthSession:
    """The next strength session: one core hold and the deadlift sets."""

    exercise: str  # a /strength exercise name: plank, side-plank, ...
    seconds: int
    deadlift_sets: int = DEADLIFT_SETS
    deadlift_reps: int = DEADLIFT_REPS
    deadlift_load: float | None = None  # None: no load known yet
    deadlift_unit: str | None = None
    first_deadlift: bool = True  # no deadlift logged yet: they start now

    @property
    def label(self) -> str:
        """The exercise as a runner reads it."""
        return self.exercise.replace("-", " ")

    @property
    def hold(self) -> str:
        """``plank 40 s``, ``side plank 35 s each side``."""
        side = " each side" if self.exercise == "side-plank" else ""
        return f"{self.label} {self.seconds} s{side}"

    @property
    def deadlift(self) -> str:
        """``3 x 6 at 42.5 kg`` (or ``3 x 6`` with no load known)."""
        load = ""
        if self.deadlift_load is not None:
            load = f" at {self.deadlift_load:g} {self.deadlift_unit or 'kg'}"
        return f"{self.deadlift_sets} x {self.deadlift_reps}{load}"

    @property
    def deadlift_command(self) -> str:
        """The /strength line that checks this deadlift in."""
        load = ""
        if self.deadlift_load is not None:
            load = f" {self.deadlift_load:g}{self.deadlift_unit or 'kg'}"
        return f"/strength deadlift {self.deadlift_sets}x{self.deadlift_reps}{load}"


def ladder_position(holds: Sequence[tuple[str, int]]) -> int:
    """How far up the ladder the logged holds (oldest first) have climbed.

    A hold moves the runner on only when it reaches the current target of the
    exercise in hand: to the first step above what was held, or to the next
    exercise once the top hold is reached (mastered). Shorter holds, and holds
    of another exercise, leave the target where it is.
    """
    position = 0
    for exercise, seconds in holds:
        if position >= len(LADDER):
            # The whole ladder is done: the variations rotate at their top hold.
            name = VARIATIONS[(position - len(LADDER)) % len(VARIATIONS)]
            if exercise == name and seconds >= VARIATION_MAX_SECONDS:
                position += 1
            continue
        if exercise != LADDER[position][0] or seconds < LADDER[position][1]:
            continue
        position += 1
        while (
            position < len(LADDER)
            and LADDER[position][0] == exercise
            and LADDER[position][1] <= seconds
        ):
            position += 1
    return position


def next_deadlift(last: Deadlift | None) -> tuple[int, int, float | None, str | None]:
    """Sets, reps, load and unit for the next session: a little more after a completed one."""
    if last is None or last.load is None:
        return DEADLIFT_SETS, DEADLIFT_REPS, None, None
    unit = last.unit or "kg"
    done = last.sets >= DEADLIFT_SETS and last.reps >= DEADLIFT_REPS
    load = last.load + DEADLIFT_STEP.get(unit, 2.5) if done else last.load
    return DEADLIFT_SETS, DEADLIFT_REPS, load, unit


def strength_session(
    holds: Sequence[tuple[str, int]], deadlifts: Sequence[Deadlift] = ()
) -> StrengthSession:
    """The next session from what was logged (oldest first): the hold to reach, the deadlift."""
    position = ladder_position(holds)
    if position < len(LADDER):
        exercise, seconds = LADDER[position]
    else:
        exercise = VARIATIONS[(position - len(LADDER)) % len(VARIATIONS)]
        seconds = VARIATION_MAX_SECONDS
    sets, reps, load, unit = next_deadlift(deadlifts[-1] if deadlifts else None)
    return StrengthSession(exercise, seconds, sets, reps, load, unit, not deadlifts)


def session_after(checkins: Sequence[CheckIn]) -> StrengthSession:
    """The next session from the runner's strength check-ins (oldest first)."""
    holds = [(c.kind, c.seconds) for c in checkins if c.kind != "deadlift" and c.seconds]
    lifts = [
        Deadlift(c.sets or 0, c.reps or 0, c.load, c.load_unit)
        for c in checkins
        if c.kind == "deadlift"
    ]
    return strength_session(holds, lifts)


# --- a check-in as stored, and what the coaching rules make of it ----------------------------


@dataclass(frozen=True, slots=True)
class FuelCheck:
    """Where a /fuel landed: on a run day (and how long after the run), counted already."""

    run_day: bool
    counted_for_run: bool = False  # this run's snack was checked in before: nothing stored
    minutes_after_run: int | None = None  # from logging the latest run to this snack
    backdated: bool = False  # checked in for an earlier day


@dataclass(frozen=True, slots=True)
class Recorded:
    """A stored check-in; ``replaced`` when it took the place of an earlier one."""

    checkin: CheckIn
    created: bool
    replaced: bool = False
    note: str = ""  # how an ambiguous input was read, for the reply
    # Strength: the session that was due before this check-in, and the next one.
    due: StrengthSession | None = None
    next_session: StrengthSession | None = None
    fuel: FuelCheck | None = None
