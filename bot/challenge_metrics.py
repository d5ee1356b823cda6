"""What each challenge metric counts: one plain function per metric over a runner's logs.

A member's tally is the metric over their runs (or check-ins) dated inside the
challenge's window, and ``reached``: the id of the log by which they got to that
value (ids grow in logging order, so among equal values it tells who got there
first). Storage keeps every open challenge's tallies with these definitions
(``bot/storage/challenge_counts.py``); nothing else says what a metric counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.models import GOOD_NIGHT_HOURS, Challenge
from bot.parsing import HALF_MARATHON_M

# A run typed in by hand counts for a standard distance within this fraction of it.
LOGGED_RUN_TOLERANCE = 0.02
# The standard distances of best efforts (the half as its key, 21097).
STANDARD_DISTANCES = (1000, 5000, 10000, 21097)


@dataclass(frozen=True, slots=True)
class Logged:
    """One run or check-in as a challenge counts it."""

    id: int
    day: date  # the runner's local date
    distance_m: float = 0.0
    duration_s: int = 0
    habit: str = ""  # check-ins: sleep, mobility, strength or fuel
    hours: float | None = None  # sleep
    climb_m: float = 0.0  # elevation gain: from the file, or typed (/log ... climb 250m)
    # The fastest stretch per standard distance inside the run's track (files only).
    efforts: Mapping[int, float] = field(default_factory=dict)


Count = Callable[[Sequence[Logged], Challenge], float]


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric: which logs it reads (runs or check-ins) and what it makes of them."""

    reads: str  # "runs" or "checkins"
    count: Count
    ascending: bool = False  # fastest: the lower the better (0: nothing yet, ranked last)
    sums: bool = True  # adds up over members (a team goal makes sense)


def _days(logs: Sequence[Logged], challenge: Challenge) -> float:
    return len({log.day for log in logs})


def _count(logs: Sequence[Logged], challenge: Challenge) -> float:
    return len(logs)


def effort_seconds(run: Logged, meters: int) -> float | None:
    """A run's best effort over a standard distance, as Pacer keeps them.

    The fastest stretch inside a file's track; else a run within 2% of the distance, its
    time at its pace (a 9.85 km run in 50:00 is a 10 km in 50:46).
    """
    if meters in run.efforts:
        return run.efforts[meters]
    target = HALF_MARATHON_M if meters == 21097 else float(meters)
    if abs(run.distance_m - target) <= target * LOGGED_RUN_TOLERANCE:
        return run.duration_s / run.distance_m * target
    return None


def _fastest(runs: Sequence[Logged], challenge: Challenge) -> float:
    """The fastest effort over the challenge's distance (0: none yet)."""
    meters = challenge.effort_m or 5000
    times = [t for r in runs if (t := effort_seconds(r, meters)) is not None]
    return min(times, default=0.0)


def _streak(runs: Sequence[Logged], challenge: Challenge) -> float:
    """The most consecutive days with a run (with at least the day's minimum, if any)."""
    per_day: dict[date, float] = {}
    for r in runs:
        per_day[r.day] = per_day.get(r.day, 0.0) + r.distance_m
    days = {d for d, metres in per_day.items() if metres >= (challenge.day_min_m or 0.0)}
    longest = 0
    for day in days:
        if day - timedelta(days=1) in days:
            continue  # not the first day of its streak
        length = 1
        while day + timedelta(days=length) in days:
            length += 1
        longest = max(longest, length)
    return float(longest)


def _habit(habit: str, count: Count, *, at_least_hours: float | None = None) -> Metric:
    """A check-in metric: ``count`` over the check-ins of one habit (long enough nights)."""

    def counted(logs: Sequence[Logged], challenge: Challenge) -> float:
        return count(
            [
                log
                for log in logs
                if log.habit == habit
                and (at_least_hours is None or (log.hours or 0.0) >= at_least_hours)
            ],
            challenge,
        )

    return Metric("checkins", counted)


CHALLENGE_METRICS: dict[str, Metric] = {
    # Runs: kilometres, moving time and runs add up; days count each day with a run once.
    "distance": Metric("runs", lambda runs, _: sum(r.distance_m for r in runs)),
    "time": Metric("runs", lambda runs, _: float(sum(r.duration_s for r in runs))),
    "runs": Metric("runs", _count),
    "days": Metric("runs", _days),
    # Check-ins: nights of 7 h or more and strength days count once a day (night);
    # every mobility session and snack counts.
    "sleep": _habit("sleep", _days, at_least_hours=GOOD_NIGHT_HOURS),
    "mobility": _habit("mobility", _count),
    "strength": _habit("strength", _days),
    "fuel": _habit("fuel", _count),
    # Total elevation gain; the longest single run; the fastest effort over a standard
    # distance (ranked ascending); the most consecutive days with a run.
    "climb": Metric("runs", lambda runs, _: sum(r.climb_m for r in runs)),
    "longest": Metric(
        "runs", lambda runs, _: max((r.distance_m for r in runs), default=0.0), sums=False
    ),
    "fastest": Metric("runs", _fastest, ascending=True, sums=False),
    "streak": Metric("runs", _streak, sums=False),
}
METRICS = tuple(CHALLENGE_METRICS)
RUN_METRICS = frozenset(name for name, m in CHALLENGE_METRICS.items() if m.reads == "runs")


def tally(challenge: Challenge, logs: Sequence[Logged]) -> tuple[float, int | None]:
    """A member's value in a challenge from their logs in its window, and the id it was
    reached by.

    Reached: the first log (in logging order) with which the value got to what it is
    now. A log never makes a value worse, so the shortest such stretch of logs is
    found by halving; no log counted, no id.
    """
    count = CHALLENGE_METRICS[challenge.metric].count
    ordered = sorted(logs, key=lambda log: log.id)
    value = count(ordered, challenge)
    low, high = 0, len(ordered)
    while low < high:
        middle = (low + high) // 2
        if count(ordered[:middle], challenge) == value:
            high = middle
        else:
            low = middle + 1
    return value, ordered[low - 1].id if low else None


def counts_toward(challenge: Challenge, log: Logged) -> bool:
    """Whether one log counts in a challenge: inside its window, and worth something by the
    challenge's own metric on its own (a flat run adds no climb; a 3 km run has no 5 km)."""
    metric = CHALLENGE_METRICS[challenge.metric]
    if not challenge.start <= log.day <= challenge.end:
        return False
    if challenge.day_min_m:  # a short run adds to its day's total: it counts all the same
        challenge = replace(challenge, day_min_m=None)
    return metric.reads == ("checkins" if log.habit else "runs") and (
        metric.count([log], challenge) > 0
    )


def reached_target(challenge: Challenge, value: float) -> bool:
    """Whether a member's value meets the challenge's personal target."""
    if challenge.target is None:
        return False
    if CHALLENGE_METRICS[challenge.metric].ascending:
        return 0 < value <= challenge.target
    return value >= challenge.target
