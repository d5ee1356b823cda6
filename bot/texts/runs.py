"""Every word of runs: /log, /again, /runs, /undo, /delete, /edit.

How a run reads back (``#12 · today · 5.00 km in 25:00 (5:00 /km)``), the lines of the
answer to a logged run and its buttons, the answers to /runs, /undo, /delete and /edit,
and the refusals of the run service. The week's totals and streak line under a run are
progress's (``bot/texts/progress.py``); a run file's lines are ``bot/texts/runfiles.py``'s.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.clubs.texts.amounts import amount
from bot.errors import BadInput, NotFound
from bot.input_hygiene import clean_text, quote
from bot.messages import Button
from bot.models import Run
from bot.parsing import format_distance, format_duration, format_pace

POST_RUN_BUTTONS = (
    (Button("🍌 Snack eaten", "/fuel"), Button("🦵 Post-run mobility done", "/mobility post")),
)


def day_label(day: date, today: date) -> str:
    """``today``, ``yesterday`` or ``Mon 23 Nov``."""
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    if day.year != today.year:
        return f"{day:%a %d %b %Y}"
    return f"{day:%a %d %b}"


def describe_run(
    run: Run, units: str, today: date, with_note: bool = True, started: datetime | None = None
) -> str:
    """``#12 · today · 5.00 km in 25:00 (5:00 /km)`` (``today 07:00`` with its start)."""
    when = day_label(run.local_date, today) + (f" {started:%H:%M}" if started else "")
    text = (
        f"#{run.id} · {when} · "
        f"{format_distance(run.distance_m, units)} in {format_duration(run.duration_s)} "
        f"({format_pace(run.distance_m, run.duration_s, units)})"
    )
    if with_note and run.note:
        text += f" · {clean_text(run.note)}"  # also notes stored before the input rules
    return text


TIME_ZONE_TIP = "Tip: /start sets your time zone, so 'today' is your today."


def logged_head(created: bool, described: str, who: str = "") -> str:
    """``Logged #12 · today · 5.00 km in 25:00 (5:00 /km)`` (``Already logged`` again); in a
    group ``who`` says whose run it is: ``Ana logged #12 · today · ...``."""
    head = "already logged" if not created else "logged"
    return f"{who} {head} {described}" if who else f"{head.capitalize()} {described}"


POST_RUN_NOW = (
    "Now: a light snack before the shower, then five minutes of hip mobility "
    "(leg swings, clam shells, lunges)."
)
UNDO_HINT = "Wrong? /undo removes it."


def climb_line(climb_m: float, units: str) -> str:
    """A climb typed with the run, said back so it is not taken for a note."""
    return f"Climb: {amount('climb', climb_m, units)}."


def log_again_button(run_id: int) -> Button:
    """Under a repeated run: store the second copy."""
    return Button("🔁 Log it again", f"/again {run_id}")


def repeated_run(run_id: int, minutes: int) -> tuple[str, str]:
    """A typed run exactly like the one logged moments before: (message, hint)."""
    ago = "just now" if minutes < 1 else f"{minutes} min ago"
    return (
        f"You logged exactly this run {ago} (#{run_id}). Nothing new was saved.",
        "Tap Log it again if you ran it twice.",
    )


NO_RUNS = "No runs yet. Log one with /log 5k 25:00."


def runs_list(runs: list[Run], units: str, today: date) -> str:
    """``/runs``: the latest runs with their ids."""
    lines = [f"Your last {len(runs)} run{'s' if len(runs) != 1 else ''}:"]
    lines += [describe_run(r, units, today) for r in runs]
    lines.append("/delete <id> removes one.")
    return "\n".join(lines)


def removed(run: Run, units: str, today: date) -> str:
    """The answer to ``/undo``."""
    return f"Removed run {describe_run(run, units, today)}."


def deleted(run: Run, units: str, today: date) -> str:
    """The answer to ``/delete``."""
    return f"Deleted run {describe_run(run, units, today)}."


# --- /edit -------------------------------------------------------------------------------------

EDIT_EXAMPLES = {
    "distance": "10.2km",
    "time": "52:10",
    "date": "yesterday or 2026-11-20",
    "climb": "120m (or 400ft; none removes it)",
}


def edit_what(run_id: str, field: str) -> BadInput:
    """``/edit 12 distance`` without the new value."""
    return BadInput(
        f"What should the {field} be?",
        hint=f"For example: /edit {run_id} {field} {EDIT_EXAMPLES[field]}",
    )


def field_text(run: Run, field: str, units: str) -> str:
    """One field of a run as the runner reads it."""
    if field == "distance":
        return format_distance(run.distance_m, units)
    if field == "time":
        return format_duration(run.duration_s)
    if field == "date":
        return f"{run.local_date:%a %d %b %Y}"
    if field == "climb":
        return amount("climb", run.climb_m, units) if run.climb_m else "(no climb)"
    return f"'{run.note}'" if run.note else "(no note)"


def edited_head(run_id: int, field: str, was: str, now: str) -> str:
    """``Run #12: distance 10.00 km → 10.20 km.`` (or nothing changed)."""
    return (
        f"Run #{run_id}: {field} {was} → {now}."
        if was != now
        else f"Run #{run_id}: {field} was already {now}; nothing changed."
    )


def edited_now(run: Run, units: str, today: date) -> str:
    """The corrected run in full, under the change."""
    return f"Now: {describe_run(run, units, today)}"


# --- refusals (raised by RunService) -----------------------------------------------------------


def note_too_long(most: int, length: int) -> BadInput:
    """A note past its length (refused, never cut)."""
    return BadInput(
        f"Notes can be up to {most} characters; yours has {length:,}. Nothing was saved.",
        hint="Shorten the note and log again.",
    )


def start_in_future(start: datetime) -> BadInput:
    """A typed start later than now (``start``: the runner's local time)."""
    return BadInput(
        f"{start:%a %d %b %H:%M} is later than now (your time); log runs you have done.",
        hint="/settings timezone checks your time zone.",
    )


def no_such_run(run_id: int, hint: str = "/runs lists your runs with their ids.") -> NotFound:
    """A run id that is not the runner's."""
    return NotFound(f"You have no run #{run_id}.", hint=hint)


def logged_again_already(copy_id: int, run_id: int) -> BadInput:
    """A second tap on Log it again."""
    return BadInput(f"Already logged again: #{copy_id} is the second copy of #{run_id}.")


def not_editable(editable: tuple[str, ...], field: str) -> BadInput:
    """``/edit`` of a field that cannot change."""
    return BadInput(f"I can change {', '.join(editable)}; not '{field}'.")


def nothing_to_undo() -> NotFound:
    """``/undo`` with no run logged (none yet, or every one undone)."""
    return NotFound("There's no run to undo: none is logged.", hint="Log one with /log 5k 25:00")


def two_days(when: str, also: str) -> BadInput:
    """``/log 5k 25:00 yesterday hilly mon``: two days for one run."""
    return BadInput(
        f"Two days for one run: '{quote(when)}' and '{quote(also)}'. Nothing was saved.",
        hint="Keep the day you ran, e.g. /log 5k 25:00 yesterday hilly",
    )


def edited_too_far_back(day: date) -> BadInput:
    """``/edit <n> date`` of a typed run to more than a year back."""
    return BadInput(
        f"{day.isoformat()} is more than a year ago; a typed run goes back 365 days "
        "(a run from a file back to 2000)."
    )
