"""Every word of your data: /export and /forget answers, the archive's README, table names.

How each table is named to a runner (one row, several, what its file holds), the
README.txt of the /export archive, the answers to ``/export`` and ``/forget``, and
the refusal of a wrong confirmation code.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.errors import BadInput
from bot.messages import Button
from bot.storage.personal import Removed, TableRows


@dataclass(frozen=True, slots=True)
class TableWords:
    """How a table is named to a runner: one item, several, and what its file holds."""

    one: str
    many: str
    about: str


# Tables that exist today, in the runner's words. A table added later (with marked
# columns) is exported too, described by its ``info["about"]`` or by its name.
WORDS: dict[str, TableWords] = {
    "users": TableWords(
        "profile",
        "profiles",
        "your profile and settings: time zone, units, run days and time, bedtime and "
        "target bedtime, wake time, quiet hours, where nudges go, set-up progress, and "
        "the cached run streak (streak_since, streak_last: Mondays).",
    ),
    "identities": TableWords(
        "linked account",
        "linked accounts",
        "your accounts on each platform (Discord, Telegram, console): the platform's user "
        "id, the display name Pacer last saw, when you were last seen, and whether direct "
        "messages to you were refused.",
    ),
    "runs": TableWords(
        "run",
        "runs",
        "every run you logged: local_date (your calendar day), distance_m (metres), "
        "duration_s (seconds), note, when it was logged (created_at, UTC) and when its "
        "snack nudge is due (fuel_due_at). source_key identifies the message it came from. "
        "A run from a file also has source_file (its name), file_sha256 (so the same file is "
        "logged once), started_at (UTC), elapsed_s (start to finish, stops included) and "
        "elevation_gain_m; strava_id marks one brought in by pacer import-strava.",
    ),
    "checkins": TableWords(
        "check-in",
        "check-ins",
        "your habit check-ins: sleep (hours, bedtime), mobility (kind pre/post), strength "
        "(kind, seconds, sets, reps, load, load_unit) and fuel (note).",
    ),
    "nudge_prefs": TableWords(
        "nudge setting",
        "nudge settings",
        "how your nudges are timed (leads and delays in minutes), your bedtime plan, "
        "strength days and time, goal race and pause.",
    ),
    "nudge_schedules": TableWords(
        "nudge schedule",
        "nudge schedules",
        "one row per nudge kind: on or off, local time, days, and when it is next due (UTC).",
    ),
    "nudge_oneoffs": TableWords(
        "snoozed nudge",
        "snoozed nudges",
        "nudges you snoozed and when they come back.",
    ),
    "deliveries": TableWords(
        "nudge record",
        "nudge records",
        "your nudge history: every message scheduled for you (kind, the day it was about, "
        "due_at), what happened to it (status, reason, sent_at, answered_at) and where it "
        "went (platform, chat_id).",
    ),
    "handled_messages": TableWords(
        "message record",
        "message records",
        "messages of yours Pacer answered recently, with the answer (kept 7 days, so a "
        "message the platform delivers twice is handled once).",
    ),
    "digests": TableWords(
        "weekly digest setting",
        "weekly digest settings",
        "your weekly digest (/settings digest): weekday (0 = Monday), local_time, and the "
        "next one: its day (occurrence, your calendar day) and when it is due (next_due_at, "
        "UTC).",
    ),
    "run_efforts": TableWords(
        "best effort",
        "best efforts",
        "the fastest stretch of a standard distance (distance_m: 1000, 5000, 10000, 21097) "
        "inside a run from a file, in seconds; run_id is the run in runs.csv.",
    ),
    "challenge_members": TableWords(
        "challenge entry",
        "challenge entries",
        "the club challenges you joined (challenge_id) and when you joined (joined_at, UTC).",
    ),
    "challenge_results": TableWords(
        "challenge result",
        "challenge results",
        "your frozen results of finished challenges: rank, your value in the challenge's "
        "metric (metres, seconds or a count), your place on the board and the name shown.",
    ),
    "club_members": TableWords(
        "club membership",
        "club memberships",
        "the clubs you took part in (club_id; by joining a challenge, cheering or logging "
        "in the club's chat) and since when (joined_at, UTC): their feeds may post your "
        "runs if you said /settings feed on.",
    ),
    "run_kudos": TableWords(
        "cheer",
        "cheers",
        "the 👏 you gave under club-mates' runs (run_id, in club_id) and when (created_at, "
        "UTC). Cheers others gave you are their data; your digest names who cheered.",
    ),
    "streak_pauses": TableWords(
        "rest pause",
        "rest pauses",
        "your /pause ... injured, ill or rest windows: from since up to until (your "
        "calendar days), and the reason; streaks are frozen inside them.",
    ),
    "link_codes": TableWords(
        "link code",
        "link codes",
        "a /link code you asked for that has not been used yet.",
    ),
    "file_questions": TableWords(
        "file question",
        "file questions",
        "a run file that didn't say its sport, waiting for your answer (kept 30 minutes): "
        "the figures read from it (run_file: distance, times, climb, best efforts, the "
        "file's fingerprint; not the file itself) and the note sent with it.",
    ),
}


def words(name: str, about: str = "") -> TableWords:
    """How to name a table's rows to a runner."""
    known = WORDS.get(name)
    if known is not None:
        return known
    label = name.replace("_", " ")
    return TableWords(f"{label} row", f"{label} rows", about or f"your rows of '{name}'.")


def counted(count: int, name: str) -> str:
    """``3 runs``, ``1 run``."""
    w = words(name)
    return f"{count} {w.one if count == 1 else w.many}"


def readme_text(
    tables: Sequence[TableRows], exported_at: datetime, platforms: Sequence[str], json_name: str
) -> str:
    """README.txt of the /export archive: what each file holds, and the formats."""
    lines = [
        "Everything Pacer holds about you",
        "================================",
        "",
        f"Exported {exported_at:%Y-%m-%d %H:%M} UTC, for your accounts on "
        f"{', '.join(platforms) or 'no platform'}.",
        "",
        "Files",
        "-----",
        f"{json_name}",
        "    All of it in one JSON file: {'exported_at', 'accounts', 'tables': {name: [rows]}}",
        "    (each row an object of column -> value).",
    ]
    order = {name: i for i, name in enumerate(WORDS)}
    for table in sorted(tables, key=lambda t: (order.get(t.name, len(order)), t.name)):
        n = len(table.rows)
        lines += [f"{table.name}.csv ({n} row{'' if n == 1 else 's'})"]
        about = words(table.name, table.about).about
        lines += textwrap.wrap(about, 78, initial_indent="    ", subsequent_indent="    ")
    lines += [
        "",
        "Formats",
        "-------",
        "CSV: UTF-8, comma-separated, a header row, one file per table; empty = no value.",
        "Instants (*_at) are UTC in ISO 8601; local_date and other dates are your own",
        "calendar days; times of day (bedtime, run_time) are your local HH:MM; weekday",
        "sets are names (mon,wed,sat). Distances are metres, durations seconds.",
        "",
        "/forget deletes all of this on every linked account after you confirm; frozen",
        "challenge results stay, shown as an anonymous 'former member'.",
        "",
    ]
    return "\n".join(lines)


def listing(counts: Iterable[tuple[str, int]]) -> str:
    """``3 runs, 5 check-ins and 1 profile``: known tables first, empty ones left out."""
    order = {name: i for i, name in enumerate(WORDS)}
    items = sorted(((n, c) for n, c in counts if c), key=lambda i: (order.get(i[0], 99), i[0]))
    parts = [counted(c, n) for n, c in items]
    if len(parts) > 1:
        return f"{', '.join(parts[:-1])} and {parts[-1]}"
    return parts[0] if parts else "nothing"


def _where(platforms: tuple[str, ...]) -> str:
    return ", ".join(platforms) if platforms else "this account"


def _deleted(tables: Mapping[str, Removed]) -> str:
    return listing((n, r.deleted) for n, r in tables.items())


def _kept(tables: Mapping[str, Removed]) -> str:
    kept = [(n, r.anonymized) for n, r in tables.items() if r.anonymized]
    if not kept:
        return ""
    return f"\nKept without your name: {listing(kept)}, shown as a 'former member'."


def export_text(platforms: tuple[str, ...], rows: Iterable[tuple[str, int]], filename: str) -> str:
    """The answer to ``/export`` (the ZIP is attached to it)."""
    return (
        f"Everything I hold about you ({_where(platforms)}): "
        f"{listing(rows)}.\n"
        f"{filename}: one CSV per table, all of it again in pacer-export.json; "
        "README.txt says what each file holds."
    )


FORGET_CANCELLED = "Cancelled. Nothing was deleted."


def forget_needs_code() -> BadInput:
    """``/forget confirm`` without the code."""
    return BadInput(
        "/forget confirm needs the code /forget showed you. Nothing was deleted.",
        hint="Send /forget to get one.",
    )


def forgotten_text(platforms: tuple[str, ...], tables: Mapping[str, Removed]) -> str:
    """The answer once everything is deleted."""
    return (
        f"Done. I deleted everything I held about you on {_where(platforms)}: "
        f"{_deleted(tables)}.{_kept(tables)}\n"
        "If you write to me again, I start from scratch."
    )


def forget_question(
    platforms: tuple[str, ...], tables: Mapping[str, Removed], code: str
) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """``/forget`` asks first: what goes, what stays, and the two buttons."""
    buttons = (
        (
            Button("🗑 Delete everything", f"/forget confirm {code}"),
            Button("Cancel", "/forget cancel"),
        ),
    )
    return (
        "This deletes everything I hold about you, on every linked account "
        f"({_where(platforms)}): {_deleted(tables)}. Your settings and nudges "
        f"go with them.{_kept(tables)}\n"
        "It cannot be undone: /export first if you want a copy.\n\n"
        f"Press Delete everything, or type /forget confirm {code}, within 10 minutes. "
        "Until then nothing is deleted.",
        buttons,
    )


def wrong_code() -> BadInput:
    """A wrong or expired /forget confirmation code (nothing is deleted)."""
    return BadInput(
        "That confirmation is wrong or has expired (it works for 10 minutes). Nothing was deleted.",
        hint="Send /forget again to get a new one.",
    )
