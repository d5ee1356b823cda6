"""What the coach says back after a check-in: the next strength target, the snack."""

from __future__ import annotations

from datetime import timedelta

from bot.coaching import (
    DEADLIFT_REPS,
    DEADLIFT_SETS,
    VARIATIONS,
    MobilityCount,
    StrengthSession,
    mobility_count,
)
from bot.models import CheckIn
from bot.services.habits import FuelCheck, Recorded
from bot.services.stats import WeekSummary


def strength_advice(recorded: Recorded) -> str:
    """The line after a strength check-in: target reached or not, and what comes next time."""
    c, due, after = recorded.checkin, recorded.due, recorded.next_session
    if due is None or after is None:
        return ""
    if c.kind == "deadlift":
        return _deadlift_advice(c, after)
    next_time = f"Next time: {after.hold}."
    if not recorded.created:
        return next_time
    if c.kind != due.exercise:
        return f"{next_time} That's the next step on your ladder ({due.label} comes first)."
    if (c.seconds or 0) < due.seconds:
        return f"Your target is {due.seconds} s; hold it again until you reach it. {next_time}"
    if due.exercise == "plank" and after.exercise in VARIATIONS:
        return (
            "Plain plank mastered: the variations start now (side plank, reverse plank, "
            f"planks with movement). {next_time}"
        )
    if after.exercise != due.exercise:
        return f"{due.label.capitalize()} mastered. {next_time}"
    return f"Target reached. {next_time}"


def _deadlift_advice(c: CheckIn, after: StrengthSession) -> str:
    if c.load is None:
        return (
            f"Next time: {after.deadlift}. Add the load you lift "
            f"(/strength deadlift {DEADLIFT_SETS}x{DEADLIFT_REPS} 40kg) and I'll build it up "
            "a little after each full session."
        )
    if (c.sets or 0) >= DEADLIFT_SETS and (c.reps or 0) >= DEADLIFT_REPS:
        return f"Full session: a little more next time, deadlift {after.deadlift}."
    return (
        f"Next time: the same load until all {DEADLIFT_SETS} x {DEADLIFT_REPS} feel solid, "
        f"deadlift {after.deadlift}."
    )


def fuel_advice(recorded: Recorded) -> str:
    """The line after /fuel: early or late after today's run, once per run, or a plain day."""
    check = recorded.fuel or FuelCheck(run_day=False)
    if not recorded.created:
        if check.counted_for_run:
            return "One snack per run, and this run's is already counted: nothing new was stored."
        return "Already counted: nothing new was stored."
    if not check.run_day:
        return (
            f"No run {'that day' if check.backdated else 'today'}, so nothing to refuel "
            "after; every meal still counts: whole grains, plenty of produce, lean protein."
        )
    if check.backdated:
        return "Snack counted for that day's run."
    if check.minutes_after_run is not None and check.minutes_after_run <= 45:
        return "Refuelled early: that's when your muscles take it up best."
    return (
        "Snack counted for today's run. Next time, try eating straight after the run, "
        "before the shower: that's when it helps most."
    )


def mobility_text(count: MobilityCount, span: str = "this week", detail: str = "") -> str:
    """Mobility by the one rule: ``3 of 4 sessions on run days (+1 on other days)``.

    ``span`` for "no runs this week"; ``detail`` follows the count (/week's pre and post).
    """
    other = f"{count.other} session{'' if count.other == 1 else 's'}"
    if not count.wanted:
        return f"no runs {span}" + (f" (+{other})" if count.other else "")
    text = f"{count.done} of {count.wanted} sessions on run days{detail}"
    return text + (f" (+{count.other} on other days)" if count.other else "")


def mobility_line(week: WeekSummary) -> str:
    """/week's mobility by the one rule, with the run days' pre and post sessions apart."""
    on_run_days = week.mobility_pre_run_days + week.mobility_post_run_days
    count = mobility_count(week.mobility_sessions, on_run_days, week.run_days)
    which = "this" if week.start <= week.today <= week.start + timedelta(days=6) else "that"
    detail = f" (pre {week.mobility_pre_run_days}, post {week.mobility_post_run_days})"
    return f"🦵 Mobility: {mobility_text(count, f'{which} week', detail)}"
