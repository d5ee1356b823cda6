"""Every word of the habit check-ins: /slept, /mobility, /strength, /fuel.

How a check-in reads back, what the coach says after it (the next strength target,
the snack's timing, the night's length), mobility by the one rule, and the refusals
of the habit service.
"""

from __future__ import annotations

from bot.coaching import (
    DEADLIFT_REPS,
    DEADLIFT_SETS,
    VARIATIONS,
    FuelCheck,
    MobilityCount,
    Recorded,
    StrengthSession,
)
from bot.errors import BadInput
from bot.input_hygiene import clean_text
from bot.models import GOOD_NIGHT_HOURS, CheckIn

# Eight hours is ideal; well past it is a long night, not "more of the ideal".
LONG_NIGHT_HOURS = 10


def format_hours(hours: float) -> str:
    """``7 h 20 min`` (or ``8 h``)."""
    h, m = divmod(round(hours * 60), 60)
    return f"{h} h {m} min" if m else f"{h} h"


def describe_checkin(c: CheckIn, with_note: bool = True) -> str:
    """A check-in as the runner would say it (a snack's note left out in a group)."""
    if c.habit == "sleep":
        bed = f", in bed at {c.bedtime}" if c.bedtime else ""
        return f"sleep: {format_hours(c.hours or 0.0)}{bed}"
    if c.habit == "mobility":
        return f"{'pre' if c.kind == 'pre' else 'post'}-run hip mobility"
    if c.habit == "strength":
        name = c.kind.replace("-", " ")
        if c.kind == "deadlift":
            load = f" at {c.load:g} {c.load_unit}" if c.load is not None else ""
            return f"deadlift {c.sets} x {c.reps}{load}"
        return f"{name} {c.seconds} s"
    return "post-run snack" + (f": {clean_text(c.note)}" if c.note and with_note else "")


def checked(recorded: Recorded, extra: str = "", what: str = "", who: str = "") -> str:
    """``Checked in: sleep: 7 h 30 min (Mon 23 Nov).`` and the coach's line under it; in a
    group ``who`` says whose it is: ``Ana checked in: post-run snack (Sat 05 Dec).``"""
    c = recorded.checkin
    if not recorded.created:
        verb = "already checked in"
    elif recorded.replaced:
        verb = "updated"
    else:
        verb = "checked in"
    verb = f"{who} {verb}" if who else verb.capitalize()
    text = f"{verb}: {what or describe_checkin(c)} ({c.local_date:%a %d %b})."
    return text + (f"\n{extra}" if extra else "")


def sleep_advice(hours: float) -> str:
    """The line after /slept: a long night, the ideal, enough, or short."""
    if hours > LONG_NIGHT_HOURS:
        return (
            "A long night: fine after a hard week or when you're ill. If you often need "
            "this much, ease the training a little and see how you feel."
        )
    if hours >= 8:
        return "That's the ideal amount. Your legs will thank you."
    if hours >= GOOD_NIGHT_HOURS:
        return "Seven or more: enough to recover well."
    return "Under seven hours. Tonight, try getting into bed a little earlier."


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


# --- refusals (raised by HabitService) --------------------------------------------------------


def not_pre_or_post(phase: str) -> BadInput:
    """``/mobility`` with a phase that is neither (``phase`` quoted already)."""
    return BadInput(f"'{phase}' isn't pre or post.", hint="/mobility pre or /mobility post")


def untracked_exercise(exercise: str) -> BadInput:
    """A strength exercise Pacer does not track (``exercise`` quoted already)."""
    return BadInput(
        f"I don't track '{exercise}' yet.",
        hint="Choose plank, side-plank, reverse-plank, plank-with-movement or deadlift.",
    )


def fuel_note_too_long(most: int, length: int) -> BadInput:
    """A snack's note past its length."""
    return BadInput(f"Keep it under {most} characters (yours has {length:,}). Nothing was saved.")


def how_long_held(exercise: str) -> BadInput:
    """A plank without its time."""
    return BadInput(
        f"How long did you hold the {exercise.replace('-', ' ')}?",
        hint=f"/strength {exercise} 45 (seconds)",
    )


def hold_unreadable(text: str) -> BadInput:
    """A hold time Pacer cannot read (``text`` quoted already)."""
    return BadInput(f"I can't read '{text}' as a hold time.", hint="Use seconds: 45, or 1:30.")


def hold_out_of_range(seconds: int) -> BadInput:
    """A hold shorter than 5 s or longer than 30 min."""
    return BadInput(f"A hold of {seconds} s is outside 5 s to 30 min; check the number.")


SETS_HINT = "/strength deadlift 3x6 60kg (sets x reps, then the load)"


def how_many_sets() -> BadInput:
    """A deadlift without its sets and reps."""
    return BadInput("How many sets and reps?", hint=SETS_HINT)


def sets_unreadable(text: str) -> BadInput:
    """Sets and reps Pacer cannot read (``text`` quoted already)."""
    return BadInput(f"I can't read '{text}' as sets and reps.", hint=SETS_HINT)


def sets_out_of_range(sets: int, reps: int) -> BadInput:
    """More sets or reps than a session holds."""
    return BadInput(f"{sets} x {reps} is outside 1-20 sets of 1-50 reps.")


def load_out_of_range(load: float, unit: str, limit: int) -> BadInput:
    """A load past what Pacer records."""
    return BadInput(f"A load of {load:g} {unit} is outside what I can record (up to {limit}).")
