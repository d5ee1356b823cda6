"""Pure coaching plans: the weekly bedtime steps and the strength progression."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, time, timedelta

MAX_FIRST_STEP_MINUTES = 30
MIN_STEP_MINUTES = 5
MAX_STEP_MINUTES = 30


def _night_minutes(value: time) -> int:
    """Minutes after noon, so 23:00 (660) sorts before 00:30 (750) on the same night."""
    return (value.hour * 60 + value.minute - 720) % 1440


def _from_night_minutes(minutes: int) -> time:
    total = (minutes + 720) % 1440
    return time(total // 60, total % 60)


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
    target_set: bool = True  # False: no target bedtime, the plan holds the usual one

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


# Strength: the plain plank first, then its variations; the deadlift every session.
PLANK_START_SECONDS = 30
PLANK_STEP_SECONDS = 10
PLANK_MAX_SECONDS = 90
VARIATION_START_SECONDS = 30
VARIATION_STEP_SECONDS = 5
VARIATION_MAX_SECONDS = 60
VARIATIONS = ("side-plank", "reverse-plank", "plank-with-movement")
DEADLIFT_SETS = 3
DEADLIFT_REPS = 6


@dataclass(frozen=True, slots=True)
class StrengthSession:
    """Today's strength session: one core hold and the deadlift sets."""

    exercise: str  # a /strength exercise name: plank, side-plank, ...
    seconds: int
    deadlift_sets: int = DEADLIFT_SETS
    deadlift_reps: int = DEADLIFT_REPS

    @property
    def label(self) -> str:
        """The exercise as a runner reads it."""
        return self.exercise.replace("-", " ")


def strength_session(completed: int) -> StrengthSession:
    """The session after ``completed`` core sessions: plank 30-90 s, then the variations."""
    completed = max(0, completed)
    plank_sessions = (PLANK_MAX_SECONDS - PLANK_START_SECONDS) // PLANK_STEP_SECONDS + 1
    if completed < plank_sessions:
        return StrengthSession("plank", PLANK_START_SECONDS + PLANK_STEP_SECONDS * completed)
    rest = completed - plank_sessions
    per_variation = (VARIATION_MAX_SECONDS - VARIATION_START_SECONDS) // VARIATION_STEP_SECONDS + 1
    index = rest // per_variation
    if index >= len(VARIATIONS):
        # The whole ladder is done: keep rotating the variations at their top hold.
        return StrengthSession(VARIATIONS[rest % len(VARIATIONS)], VARIATION_MAX_SECONDS)
    step = rest % per_variation
    return StrengthSession(
        VARIATIONS[index], VARIATION_START_SECONDS + VARIATION_STEP_SECONDS * step
    )
