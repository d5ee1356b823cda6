"""Progress as data: streaks, a week, a period with its trend and best efforts.

What /week, /stats, /chart and the weekly digest show, before it is worded: computed
by ``bot/services/stats.py``, worded by ``bot/texts/progress.py``, drawn by ``bot/charts.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.models import Run, week_start
from bot.storage.progress import HabitCounts, RunTotals

TREND_WEEKS = 4


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


@dataclass(frozen=True, slots=True)
class BestEffort:
    """The fastest time over a standard distance, and the run it came from."""

    name: str
    distance_m: float
    duration_s: int  # scaled to exactly ``distance_m``
    run_id: int
    local_date: date
    from_track: bool = False  # the fastest stretch inside a file's track, not a whole run


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """One week (by its Monday) for the trend and the charts."""

    start: date
    runs: RunTotals
    habits: HabitCounts


@dataclass(frozen=True, slots=True)
class PeriodStats:
    """/stats for one period: totals, averages, the longest run, trend, best efforts, habits."""

    period: str
    start: date
    end: date
    totals: RunTotals
    longest: Run | None
    habits: HabitCounts
    weeks: tuple[WeekPoint, ...]  # the last CHART_WEEKS weeks, oldest first
    best: tuple[BestEffort, ...]
    first: date | None = None  # the runner's first day with a run or check-in

    @property
    def since(self) -> date:
        """The first day of the period the runner was using Pacer (the period's own start
        for a runner who was already there)."""
        return max(self.start, self.first) if self.first is not None else self.end

    @property
    def week_count(self) -> int:
        """How many weeks (begun) the runner has been in this period: at least one."""
        return max(1, -(-((self.end - self.since).days + 1) // 7))

    def trend(self) -> tuple[Trend, Trend | None]:
        """Average weekly distance of the last full weeks, and of the ones before (if any).

        Only weeks since the runner's first run or check-in count: the weeks before
        Pacer knew them are not weeks of zero kilometres.
        """
        first = week_start(self.first) if self.first is not None else self.end
        full = [w for w in self.weeks[:-1] if w.start >= first]  # this week is not over
        recent = full[-TREND_WEEKS:]
        before = full[-2 * TREND_WEEKS : -TREND_WEEKS]
        now = Trend(sum(w.runs.distance_m for w in recent) / max(len(recent), 1), len(recent))
        if not before or all(w.runs.runs == 0 for w in before):
            return now, None
        return now, Trend(sum(w.runs.distance_m for w in before) / len(before), len(before))


@dataclass(frozen=True, slots=True)
class Trend:
    """Average distance a week over ``weeks`` full weeks."""

    distance_m: float
    weeks: int
