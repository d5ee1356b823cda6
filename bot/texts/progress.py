"""Every word of progress: /week, /stats, /chart, the streak line under /log, the weekly digest.

How a week, a period and the streaks read; the charts' captions; the rest pause under
/week and /stats; the /settings digest answers; and the refusals of the stats and
digest services.
"""

from __future__ import annotations

from dataclasses import astuple
from datetime import date, timedelta

from bot.coaching import mobility_count
from bot.errors import BadInput
from bot.models import User, week_start
from bot.parsing import format_distance, format_duration, format_pace
from bot.progress import TREND_WEEKS, PeriodStats, Streaks, WeekSummary
from bot.storage.progress import HabitCounts, RunTotals
from bot.texts.habits import mobility_text

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
    runs: int, run_days: int, habits: HabitCounts, mobility: str | None = None, which: str = "this"
) -> list[str]:
    """The four habits of a week as /week and the digest show them.

    ``mobility`` replaces the plain session count (/week counts per run day);
    ``which`` week it is: "this", or "that" for an earlier one.
    """
    h = habits
    return [
        f"😴 Sleep: {sleep_count(h)}",
        mobility
        or "🦵 Mobility: "
        + mobility_text(
            mobility_count(h.mobility_sessions, h.mobility_on_run_days, run_days), f"{which} week"
        ),
        f"💪 Strength: {plural(h.strength_sessions, 'session')}",
        f"🍌 Fuel: a snack on {h.snacks_after_runs} of {plural(run_days, 'run day')}"
        if run_days
        else f"🍌 Fuel: no runs {which} week",
    ]


def sleep_count(h: HabitCounts) -> str:
    """``2 of 3 logged nights at 7 h or more``, or that none was logged."""
    if not h.nights_logged:
        return "no nights logged"
    return f"{h.good_nights} of {plural(h.nights_logged, 'logged night')} at 7 h or more"


def week_total_line(
    day: date, today: date, distance_m: float, runs: int, streak_weeks: int, units: str
) -> str:
    """``This week: 13.20 km over 2 runs · run streak: 3 weeks`` under a logged or edited run.

    ``streak_weeks`` is today's streak: named only beside a week that is part of it, so a
    run from an old file ("Week of Mon 10 Aug 2015") doesn't stand beside today's streak.
    A week holding a run within ``streak_weeks`` of this week is part of it (were it not,
    an empty week would break the streak in between, and it would be shorter).
    """
    start = week_start(day)
    this_week = week_start(today)
    week = "This week" if start == this_week else f"Week of Mon {start:%d %b %Y}"
    line = f"{week}: {format_distance(distance_m, units)} over {plural(runs, 'run')}"
    if not streak_weeks or this_week - start > timedelta(weeks=streak_weeks):
        return line
    return line + f" · run streak: {plural(streak_weeks, 'week')}"


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
    last = w.start == week_start(w.today) - timedelta(weeks=1)
    head = "Your week" if current else "Last week" if last else "The week"
    habits = HabitCounts(
        w.nights_logged,
        w.good_nights,
        w.mobility_sessions,
        w.strength_sessions,
        w.snacks_after_runs,
        mobility_on_run_days=w.mobility_pre_run_days + w.mobility_post_run_days,
    )
    lines = [
        f"{head} ({week_span(w.start, w.today)}):",
        f"🏃 Runs: {w.runs} · {format_distance(w.distance_m, units)}",
        # Mobility by the one rule, with the run days' pre and post sessions apart.
        *habit_lines(
            w.runs,
            w.run_days,
            habits,
            mobility=mobility_line(w),
            which="this" if current else "that",
        ),
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
    if recent.weeks == 1:
        span = "in your first full week"
    elif recent.weeks < TREND_WEEKS:
        span = f"over your first {recent.weeks} full weeks"
    else:
        span = f"over the last {TREND_WEEKS} weeks"
    trend = f"Weekly trend: {format_distance(recent.distance_m, units)} a week {span}"
    if not recent.distance_m and before is None:
        # Under "no runs yet" it would say nothing more: an empty period is one line.
        trend = "" if t.runs == 0 else "Weekly trend: no runs in the 4 weeks before this one yet."
    elif before is not None and before.distance_m:
        change = (recent.distance_m - before.distance_m) / before.distance_m * 100
        trend += f" ({'+' if change >= 0 else ''}{change:.0f}% on the {before.weeks} before)"
    lines += [trend] if trend else []
    if p.best:
        # From a file's track (any stretch) or a logged run within 2% of the distance.
        lines.append("Best efforts:")
        lines += [
            f"  {b.name}: {format_duration(b.duration_s)} "
            f"({format_pace(b.distance_m, b.duration_s, units)}) · #{b.run_id}, "
            f"{b.local_date:%d %b %Y}" + (" · inside its track" if b.from_track else "")
            for b in p.best
        ]
    if t.runs == 0 and not any(astuple(h)):
        return "\n".join(lines)
    mobility = mobility_text(
        mobility_count(h.mobility_sessions, h.mobility_on_run_days, t.run_days),
        "yet" if p.period == "all" else PERIOD_NAMES[p.period].lower(),
    )
    strength = plural(h.strength_sessions, "strength session")
    if p.week_count > 1:
        strength += f" in {p.week_count} weeks"
    snacks = f"a snack on {h.snacks_after_runs} of {plural(t.run_days, 'run day')}"
    lines += [
        "Habits:",
        f"  😴 {sleep_count(h)}",
        f"  🦵 Mobility: {mobility}",
        f"  💪 {strength}",
        f"  🍌 {snacks if t.run_days else 'no runs to refuel after'}",
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


def mobility_line(week: WeekSummary) -> str:
    """/week's mobility by the one rule, with the run days' pre and post sessions apart."""
    on_run_days = week.mobility_pre_run_days + week.mobility_post_run_days
    count = mobility_count(week.mobility_sessions, on_run_days, week.run_days)
    which = "this" if week.start <= week.today <= week.start + timedelta(days=6) else "that"
    detail = f" (pre {week.mobility_pre_run_days}, post {week.mobility_post_run_days})"
    return f"🦵 Mobility: {mobility_text(count, f'{which} week', detail)}"


MAX_NAMED = 5  # cheering runners named in the digest; the rest are counted


def _names(names: list[str]) -> str:
    """``Bob``, ``Bob and Cy``, ``Bob, Cy, Dee and 3 more``."""
    if len(names) > MAX_NAMED:
        shown, more = names[: MAX_NAMED - 1], len(names) - (MAX_NAMED - 1)
        return ", ".join(shown) + f" and {more} more"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def cheered_by(names: list[str]) -> str:
    """The digest's line of who cheered the runner's runs this week."""
    return f"\n👏 Cheered by {_names(names)} in your clubs this week."


def rest_line(user: User, today: date) -> str:
    """``paused (injured) until Thu 24 Dec`` while a rest pause lasts, else nothing."""
    prefs = user.prefs
    if not prefs.pause_reason or prefs.paused_until is None or prefs.paused_until <= today:
        return ""
    until = prefs.paused_until
    year = f" {until:%Y}" if until.year != today.year else ""
    return (
        f"\n⏸ Streaks paused ({prefs.pause_reason}) until {until:%a %d %b}{year}: "
        "they neither grow nor break until then."
    )


# --- /chart -----------------------------------------------------------------------------------


def no_habits_to_draw(weeks: int) -> str:
    """``/chart habits`` before any run or check-in."""
    return (
        "Nothing to draw yet. Once you log a run or a check-in (/slept, "
        "/mobility, /strength, /fuel), /chart habits shows the last "
        f"{weeks} weeks x sleep, mobility, strength and fuel, one column a "
        "week, shaded by how much of each you did."
    )


def habits_caption(weeks: int, first: date | None) -> str:
    """Under the habit calendar (``first``: the first day, while it is inside the calendar)."""
    since = ""
    if first is not None:
        since = (
            f" Weeks before your first run or check-in ({first:%a %d %b}) stay grey; "
            "each week you log fills its column."
        )
    return (
        f"Your habits over the last {weeks} weeks: the deeper the green, the "
        f"more of it you did.{since}"
    )


def no_distance_to_draw(weeks: int) -> str:
    """``/chart`` before any run."""
    return (
        f"Nothing to draw yet: log a run (/log 5k 25:00) and /chart shows the last "
        f"{weeks} weeks' distance, with the nights of 7 h or more beside each week."
    )


def distance_caption(weeks: int, total_m: float, units: str) -> str:
    """Under the distance chart."""
    return (
        f"Your last {weeks} weeks: {format_distance(total_m, units)}, with the "
        "nights of 7 h or more beside each week."
    )


# --- /settings digest -------------------------------------------------------------------------

DIGEST_EXAMPLE = "/settings digest sun 19:00 (or off)"
DIGEST_OFF = "Weekly digest off."
DIGEST_ALREADY_OFF = "The weekly digest was already off."


def digest_on(weekday: str, local_time: str, when: str) -> str:
    """``/settings digest sun 19:00``: when it comes (``when``: the next one, or -)."""
    return (
        f"Weekly digest on: every {weekday.capitalize()} at {local_time}, "
        f"your time (next: {when}). It brings the week's chart and your four habits. "
        "/settings digest off stops it."
    )


def digest_setting(weekday: str | None, local_time: str = "") -> str:
    """``sun 19:00`` or ``off``."""
    return "off" if weekday is None else f"{weekday} {local_time}"


# --- refusals (raised by StatsService and the digest setting) ---------------------------------


def no_such_period(periods: tuple[str, ...], period: str) -> BadInput:
    """``/stats`` of a period Pacer does not know."""
    return BadInput(
        f"I can show stats for {', '.join(periods)}; not '{period}'.",
        hint="/stats month",
    )


def digest_day_and_time() -> BadInput:
    """``/settings digest`` that is not a day and a time, nor off."""
    return BadInput("Say the day and the time of your digest, or off.", hint=DIGEST_EXAMPLE)
