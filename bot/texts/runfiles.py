"""Every word of run files and imports: /log with a file, /import strava, pacer import-strava.

What a logged file adds under the run (its facts, best efforts), the question about a
file that names no sport, the summary of a Strava import, and the refusals of the
file handlers and services. What a file reader cannot read is said where it reads
(``bot/runfiles/readers.py``, ``fit.py``, ``sports.py``, ``strava.py``).
"""

from __future__ import annotations

import math
from datetime import datetime

from bot.clubs.texts.challenges import HIDDEN_RUNNER
from bot.errors import BadInput
from bot.messages import Button
from bot.models import MIN_RUN_M, Run
from bot.parsing import (
    FEET_PER_METRE,
    METERS_PER_MILE,
    format_distance,
    format_duration,
    format_pace,
)
from bot.runfiles import EFFORT_NAMES, RunFile
from bot.runfiles.readers import MAX_FILE_BYTES, megabytes
from bot.runfiles.strava import ImportSummary, Skipped
from bot.runfiles.track import MOVING_SPEED, WINDOW_S

EXAMPLES = 5  # rows named per reason in the summary


# --- /log with a file -------------------------------------------------------------------------


def typed_with_file(typed: list[str]) -> BadInput:
    """Figures typed next to a file that has them."""
    return BadInput(
        f"The file has the run's {' and '.join(typed)}: send it without them (a note "
        "may go with it), or type the run without a file. Nothing was saved."
    )


def sport_question(
    run_file: RunFile, units: str, start: datetime, yes: str, no: str
) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """Ask whether a file that names no sport was a run (``yes``/``no``: the buttons' actions)."""
    what = (
        f"{format_distance(run_file.distance_m, units)} in "
        f"{format_duration(round(run_file.moving_s))}, "
        f"{start:%a %d %b %Y %H:%M}"
    )
    return (
        f"This {run_file.kind.upper()} file doesn't say what sport it is ({what}): "
        "log it as a run?",
        (
            (
                Button("🏃 Yes, log it as a run", yes),
                Button("No, it wasn't a run", no),
            ),
        ),
    )


def question_gone() -> BadInput:
    """A tap on a sport question Pacer no longer keeps (or someone else's)."""
    return BadInput(
        "That question about a file has expired (or was answered). This tap saved nothing.",
        hint="/runs lists what is logged; to log the file, send it again.",
    )


def answered_logged(described: str) -> str:
    """A second tap on a sport question answered "yes" (``described``: the run logged)."""
    return f"Already answered: logged as {described}."


def answered_run_gone(run_id: int) -> str:
    """A second tap on a sport question answered "yes", its run deleted since."""
    return f"Already answered: logged as #{run_id}, deleted since. Send the file again to log it."


ANSWERED_NOT_A_RUN = (
    "Already answered: not logged, as it wasn't a run. Nothing was saved. "
    "Send the file again to log it."
)


def question_expired(minutes: int) -> BadInput:
    """A tap on a sport question kept past its time."""
    return BadInput(
        f"That question about a file has expired: Pacer keeps it {minutes} minutes, "
        "and nothing was saved.",
        hint="Send the file again to log it.",
    )


def not_a_run(who: str = "") -> str:
    """The answer to "No, it wasn't a run"; in a group ``who`` says whose file it was."""
    if not who:
        return "Not logged: Pacer logs runs only. Nothing was saved."
    whose = f"{who.lower()}'s" if who == HIDDEN_RUNNER else f"{who}'s"  # mid-sentence
    return f"Not logged: {whose} file wasn't a run, and Pacer logs runs only. Nothing was saved."


def activities_head(count: int) -> str:
    """Above the answers to a file of several activities."""
    return f"This file holds {count} activities."


def not_logged(others: list[str] | tuple[str, ...]) -> str:
    """The activities of a file that are not runs."""
    return "Not logged: " + " · ".join(others)


def starts_in_future(started: datetime) -> BadInput:
    """A file whose run starts after now (``started``: the runner's local time)."""
    return BadInput(
        f"This file's run starts in the future ({started:%a %d %b %Y %H:%M}, your "
        "time). Nothing was saved.",
        hint="Check the watch's date, or your time zone with /settings timezone.",
    )


def walking_pace(distance_m: float, seconds: int, units: str) -> BadInput:
    """A file slower than any run while moving."""
    return BadInput(
        f"This file moves at {format_pace(distance_m, seconds, units)} "
        "while moving: slower than 30:00 /km, so I take it for a walk, not a run. "
        "Nothing was saved."
    )


def moving_speed(units: str) -> str:
    """The speed under which a track counts as stopped, in the runner's units."""
    if units == "mi":
        return f"{MOVING_SPEED * 3600 / METERS_PER_MILE:.1f} mph"
    return f"{MOVING_SPEED * 3.6:.1f} km/h"


def file_lines(run_file: RunFile, units: str) -> list[str]:
    """Where the figures came from, and what the file told beyond them."""
    lines = []
    facts = []
    if run_file.elevation_gain_m is not None:
        gain = run_file.elevation_gain_m
        facts.append(
            f"climb {gain * FEET_PER_METRE:,.0f} ft" if units == "mi" else f"climb {gain:,.0f} m"
        )
    pause = round(run_file.pause_s)
    start_to_finish = format_duration(round(run_file.elapsed_s))
    if run_file.from_summary:
        facts.append(
            f"{format_duration(pause)} with the timer stopped ({start_to_finish} start to finish)"
            if pause >= 1
            else "no timer stops"
        )
    elif pause >= 1:
        facts.append(
            f"{format_duration(pause)} stopped, not counted (moving time counts while you "
            f"covered more than {moving_speed(units)} over {WINDOW_S:.0f} s either side, or "
            f"the file's own speed said you moved; {start_to_finish} start to finish)"
        )
    else:
        facts.append("no pauses")
    source = "your watch's summary" if run_file.from_summary else f"the {run_file.kind.upper()}"
    if run_file.from_summary:
        lines.append(f"Distance and moving time from {source} · " + " · ".join(facts))
    else:
        lines.append(f"From {source} file's points: " + " · ".join(facts))
    if run_file.efforts:
        best = " · ".join(
            f"{EFFORT_NAMES[m]} {format_duration(round(s))}"
            for m, s in sorted(run_file.efforts.items())
        )
        lines.append(f"Best efforts in this run: {best}")
    elif run_file.timing_note:
        lines.append(f"No best efforts from this file: {run_file.timing_note}.")
    return lines


# --- /import strava ---------------------------------------------------------------------------

LARGER = (
    "Send activities.csv from inside the ZIP alone (it holds every activity's figures), "
    "or ask whoever runs Pacer to use pacer import-strava with the whole ZIP."
)


def attach_export() -> BadInput:
    """``/import strava`` without a file."""
    return BadInput(
        "Attach your Strava export to /import strava: the ZIP Strava emailed you, "
        "or the activities.csv inside it.",
        hint="Strava: Settings > My Account > Download or Delete Your Account > "
        "Request Your Archive.",
    )


def export_too_big(filename: str, size: int) -> BadInput:
    """An export over the size a chat may send."""
    return BadInput(
        f"{filename} is {megabytes(size)}, over the "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB limit for a file sent here. "
        "Nothing was imported.",
        hint=LARGER,
    )


def export_unreadable(error: Exception) -> BadInput:
    """An export that is not one (``error``: what the reader said)."""
    return BadInput(f"{error}. Nothing was imported.")


def importing(done: int, total: int) -> str:
    """The progress note an import edits as it goes."""
    return f"Importing your Strava history: {done:,} of {total:,} …"


def not_in_export(filename: str) -> str:
    """A row whose activity file is missing."""
    return f"{filename} is not in the export"


def missing_files(csv_only: bool) -> str:
    """The kind of :func:`not_in_export` rows: with ``activities.csv`` sent alone, every
    row that names a file has it missing."""
    return "activity file not in the upload" if csv_only else "activity file not in the export"


def file_not_used(reason: str) -> str:
    """A row whose file could not be read: its CSV figures are used."""
    return f"file not used ({reason}); CSV figures kept"


FILE_NOT_USED = "activity file not used, CSV figures kept"  # the kind of file_not_used
NO_DISTANCE = "no distance"
NO_TIME = "no time"
IN_THE_FUTURE = "dated in the future"
BEFORE_2000 = "dated before 2000"
NO_RUNNING_PACE = "no running pace"  # the kind of no_running_pace
SHORTER_THAN_A_RUN = f"shorter than {MIN_RUN_M:.0f} m"  # the kind of shorter_than_a_run
ALREADY_LOGGED = "already logged"  # the kind of already_logged


def shorter_than_a_run(meters: float) -> str:
    """A row under the shortest run (as a typed run or a file: a slip or a watch left on)."""
    return f"{math.floor(meters)} m is {SHORTER_THAN_A_RUN}"  # 99.6 m reads 99, not 100


def no_running_pace(min_per_km: float) -> str:
    """A row too fast or too slow for a run."""
    return f"{min_per_km:.1f} min/km is {NO_RUNNING_PACE}"


def summary_text(summary: ImportSummary, who: str = "", units: str = "km") -> str:
    """What an import did: counts per reason, with at most five rows named for each."""
    runs = f"{summary.imported:,} run{'s' if summary.imported != 1 else ''}"
    head = f"Imported {runs}{f' for {who}' if who else ''}"
    if summary.imported:
        head += (
            f" ({summary.from_files:,} from their activity files, "
            f"{format_distance(summary.distance_m, units)}), "
            f"{summary.first:%d %b %Y} to {summary.last:%d %b %Y}."
        )
    else:
        head += "."
    text = [head]
    if summary.already:
        text.append(f"Already in your log: {summary.already:,} (imported before).")
    if summary.notes:
        text.append(f"Imported from the CSV alone ({len(summary.notes):,}):")
        text.extend(_grouped(summary.notes))
    if summary.skipped:
        text.append(f"Skipped {len(summary.skipped):,}:")
        text.extend(_grouped(summary.skipped))
    return "\n".join(text)


def _grouped(items: list[Skipped]) -> list[str]:
    """Rows by kind of reason (whatever the file names or figures in it): a count per kind,
    then up to :data:`EXAMPLES` rows of it."""
    kinds: dict[str, list[Skipped]] = {}
    for item in items:
        kinds.setdefault(item.kind, []).append(item)
    out: list[str] = []
    for kind, rows in sorted(kinds.items(), key=lambda pair: -len(pair[1])):
        out.append(f"  {kind}: {len(rows):,}")
        out.extend(f"    line {i.line}: {i.what}: {i.reason}" for i in rows[:EXAMPLES])
        if len(rows) > EXAMPLES:
            out.append(f"    … and {len(rows) - EXAMPLES:,} more")
    return out


def same_run_logged(earlier: Run, units: str) -> tuple[str, str]:
    """A file's run already in the log from another source: the refusal and its hint."""
    return (
        f"This file's run is already in your log as #{earlier.id} "
        f"({earlier.local_date:%a %d %b %Y}, {format_distance(earlier.distance_m, units)} "
        f"in {format_duration(earlier.duration_s)}): same start and distance. "
        "Nothing was saved.",
        f"To keep this file's version instead: /delete {earlier.id}, then send it again.",
    )


def already_logged(earlier: str) -> str:
    """Why an import skipped a row: the run is in the log already (``#12``, ``line 3``)."""
    return f"{ALREADY_LOGGED} ({earlier})"
