"""What each challenge metric counts: one plain function per metric over a runner's logs.

A member's tally is the metric over their runs (or check-ins) dated inside the
challenge's window, and ``reached``: the id of the log by which they got to that
value (ids grow in logging order, so among equal values it tells who got there
first). Storage keeps every open challenge's tallies with these definitions
(``bot/storage/challenge_counts.py``); nothing else says what a metric counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.models import GOOD_NIGHT_HOURS


@dataclass(frozen=True, slots=True)
class Logged:
    """One run or check-in as a challenge counts it."""

    id: int
    day: date  # the runner's local date
    distance_m: float = 0.0
    duration_s: int = 0
    habit: str = ""  # check-ins: sleep, mobility, strength or fuel
    hours: float | None = None  # sleep


Count = Callable[[Sequence[Logged]], float]


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric: which logs it reads (runs or check-ins) and what it makes of them."""

    reads: str  # "runs" or "checkins"
    count: Count


def _days(logs: Sequence[Logged]) -> float:
    return len({log.day for log in logs})


def _habit(habit: str, count: Count, *, at_least_hours: float | None = None) -> Metric:
    """A check-in metric: ``count`` over the check-ins of one habit (long enough nights)."""

    def counted(logs: Sequence[Logged]) -> float:
        return count(
            [
                log
                for log in logs
                if log.habit == habit
                and (at_least_hours is None or (log.hours or 0.0) >= at_least_hours)
            ]
        )

    return Metric("checkins", counted)


CHALLENGE_METRICS: dict[str, Metric] = {
    # Runs: kilometres, moving time and runs add up; days count each day with a run once.
    "distance": Metric("runs", lambda runs: sum(r.distance_m for r in runs)),
    "time": Metric("runs", lambda runs: float(sum(r.duration_s for r in runs))),
    "runs": Metric("runs", len),
    "days": Metric("runs", _days),
    # Check-ins: nights of 7 h or more and strength days count once a day (night);
    # every mobility session and snack counts.
    "sleep": _habit("sleep", _days, at_least_hours=GOOD_NIGHT_HOURS),
    "mobility": _habit("mobility", len),
    "strength": _habit("strength", _days),
    "fuel": _habit("fuel", len),
}
METRICS = tuple(CHALLENGE_METRICS)
RUN_METRICS = frozenset(name for name, m in CHALLENGE_METRICS.items() if m.reads == "runs")


def tally(metric: str, logs: Sequence[Logged]) -> tuple[float, int | None]:
    """A member's value of ``metric`` over their logs in the window, and the id it was reached by.

    Reached: the first log (in logging order) with which the value got to what it is
    now. A log never makes a value worse, so the shortest such stretch of logs is
    found by halving; no log counted, no id.
    """
    count = CHALLENGE_METRICS[metric].count
    ordered = sorted(logs, key=lambda log: log.id)
    value = count(ordered)
    low, high = 0, len(ordered)
    while low < high:
        middle = (low + high) // 2
        if count(ordered[:middle]) == value:
            high = middle
        else:
            low = middle + 1
    return value, ordered[low - 1].id if low else None
