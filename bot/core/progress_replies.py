"""Wording of progress: /week (this or an earlier week), /stats, and the weekly digest."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.coaching_replies import mobility_line
from bot.parsing import format_distance, format_duration, format_pace
from bot.services.stats import PeriodStats, Streaks, WeekSummary
from bot.storage.progress import HabitCounts, RunTotals

PERIOD_NAMES = {"week": "This week", "month": "This month", "year": "This year", "all": "All time"}


def plural(count: int, noun: str) -> str:
    """``1 night``, ``2 nights``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def week_span(start: date, today: date) -> str:
    """``Mon 23 Nov - Sun 29 Nov`` (with the year when it is not this one's)."""
    end = start + timedelta(days=6)
    fmt = "%a %d %b" if start.year == end.year == today.year else "%a %d %b %Y"
    return f"{start:{fmt}} - {end:{fmt}}"


def habit_lines(
    runs: int, run_days: int, habits: HabitCounts, mobility: str | None = None
) -> list[str]:
    """The four habits of a week as /week and the digest show them.

    ``mobility`` replaces the plain session count (/week counts per run day).
    """
    h = habits
    return [
        f"😴 Sleep: {h.good_nights} of {h.nights_logged} logged nights at 7 h or more",
        mobility
        or f"🦵 Mobility: {plural(h.mobility_sessions, 'session')} for {plural(runs, 'run')}",
        f"💪 Strength: {plural(h.strength_sessions, 'session')}",
        f"🍌 Fuel: a snack on {h.snacks_after_runs} of {plural(run_days, 'run day')}",
    ]


def streak_line(s: Streaks, head: str = "Streaks") -> str:
    """Every streak on one line."""
    return (
        f"{head}: runs {plural(s.run_weeks, 'week')} · sleep {plural(s.sleep_nights, 'night')}"
        f" · mobility {plural(s.mobility_runs, 'run day')} · fuel "
        f"{plural(s.fuel_runs, 'run day')} · strength {plural(s.strength_weeks, 'week')}"
    )


def week_text(w: WeekSummary, units: str) -> str:
    """/week: one week per habit, with today's streaks."""
    current = w.start <= w.today <= w.start + timedelta(days=6)
    head = "Your week" if current else "The week"
    habits = HabitCounts(
        w.nights_logged,
        w.good_nights,
        w.mobility_sessions,
        w.strength_sessions,
        w.snacks_after_runs,
    )
    lines = [
        f"{head} ({week_span(w.start, w.today)}):",
        f"🏃 Runs: {w.runs} · {format_distance(w.distance_m, units)}",
        # Mobility counted per run day (a session belongs to its own day's run only).
        *habit_lines(w.runs, w.run_days, habits, mobility=mobility_line(w)),
        streak_line(w.streaks, "Streaks" if current else "Streaks today"),
    ]
    return "\n".join(lines)


def stats_text(p: PeriodStats, units: str) -> str:
    """/stats: totals, averages, the longest run, the trend, best efforts and habits."""
    t, h = p.totals, p.habits
    head = f"{PERIOD_NAMES[p.period]} ({p.start:%d %b %Y} - {p.end:%d %b %Y})"
    if t.runs == 0:
        lines = [f"{head}: no runs yet. Log one with /log 5k 25:00."]
    else:
        lines = [
            f"{head}:",
            f"🏃 {plural(t.runs, 'run')} · {format_distance(t.distance_m, units)} · "
            f"{format_duration(t.duration_s)}",
            f"Average: {format_distance(t.distance_m / t.runs, units)} a run at "
            f"{format_pace(t.distance_m, t.duration_s, units)}",
        ]
        if p.longest is not None:
            r = p.longest
            lines.append(
                f"Longest: #{r.id} · {r.local_date:%a %d %b %Y} · "
                f"{format_distance(r.distance_m, units)} in {format_duration(r.duration_s)}"
            )
    recent, before = p.trend()
    trend = f"Weekly trend: {format_distance(recent, units)} a week over the last 4 weeks"
    if not recent and not before:
        trend = "Weekly trend: no runs in the 4 weeks before this one yet."
    elif before:
        change = (recent - before) / before * 100
        trend += f" ({'+' if change >= 0 else ''}{change:.0f}% on the 4 before)"
    lines.append(trend)
    if p.best:
        lines.append(
            "Best efforts (a whole run within 2% of the distance, or the fastest stretch "
            "of a recorded track):"
        )
        lines += [
            f"  {b.name}: {format_duration(b.duration_s)} "
            f"({format_pace(b.distance_m, b.duration_s, units)}) · #{b.run_id}, "
            f"{b.local_date:%d %b %Y}" + (" · inside its track" if b.from_track else "")
            for b in p.best
        ]
    weeks = max(p.week_count, 1.0)
    per_run = f"{h.mobility_sessions / t.runs:.1f}" if t.runs else "-"
    snacks = f"{h.snacks_after_runs} of {plural(t.run_days, 'run day')}"
    lines += [
        "Habits:",
        f"  😴 {h.good_nights} of {plural(h.nights_logged, 'logged night')} at 7 h or more",
        f"  🦵 {per_run} mobility sessions a run (before and after: 2)",
        f"  💪 {h.strength_sessions / weeks:.1f} strength sessions a week",
        f"  🍌 a snack on {snacks}",
    ]
    return "\n".join(lines)


def digest_text(start: date, runs: RunTotals, habits: HabitCounts, units: str) -> str:
    """The weekly digest: the week's runs and the four habits."""
    lines = [f"Your week in review ({week_span(start, start)}):"]
    if runs.runs:
        lines.append(
            f"🏃 {plural(runs.runs, 'run')} · {format_distance(runs.distance_m, units)} · "
            f"{format_duration(runs.duration_s)}"
        )
    else:
        lines.append("🏃 No runs logged this week.")
    lines += habit_lines(runs.runs, runs.run_days, habits)
    lines.append("The chart: your weekly distance and nights of 7 h or more. /stats shows more.")
    return "\n".join(lines)
