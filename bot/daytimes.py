"""Reading the times runners type: clock times, bedtimes, hours slept, a run's start in a note.

Days and dates are :mod:`bot.dates`. Every parser raises :class:`BadInput` with a
message that says what was expected, so the reply can help the runner fix it.
"""

from __future__ import annotations

import re

from bot.errors import BadInput
from bot.input_hygiene import check_digits, quote

# A date and its time in one word, as /log takes a run's start: 2026-12-05T07:00.
DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})t(\d{1,2}):(\d{2})(?::(\d{2}))?")
_CLOCK = re.compile(r"^(?P<h>[0-9]{1,2})(?:[:.h](?P<m>[0-9]{2}))?\s*(?P<ampm>am|pm)?$")
# A run's start as typed after its day (or alone): 07:00, 18:30 (two-digit hours), 7am,
# 6:30pm; never a bare number (``10 laps`` is a note) nor a bare 4:50 (as often a pace).
START_CLOCK = re.compile(r"\d{2}:\d{2}|\d{1,2}(?::\d{2})?(?:am|pm)", re.I)
# Any clock time, where the words can only be a time of day (a `when` option of its own).
WHEN_CLOCK = re.compile(r"\d{1,2}:\d{2}|\d{1,2}(?::\d{2})?(?:am|pm)", re.I)
# A word after a clock time that makes it a pace, never a start: 05:10 pace, 05:10 /km,
# 08:30 min/mi, 05:10 per km.
PACE_WORD = re.compile(r"(?:pace|per|(?:mins?|min\.)?/(?:km|k|mi|mile|miles)|min/\S*)$")


def parse_clock(text: str) -> str:
    """A local clock time ``HH:MM`` from ``23:10``, ``23.10``, ``7``, ``11pm``, ``6:30am``."""
    raw = text.strip().lower().replace(" ", "")
    check_digits(raw)
    if re.fullmatch(r"[0-9]{4}", raw):  # 0730, 2315
        raw = f"{raw[:2]}:{raw[2:]}"
    match = _CLOCK.match(raw)
    if not match:
        raise BadInput(f"I can't read '{quote(text)}' as a time of day.", hint="Use 23:10 or 11pm.")
    h, m = int(match.group("h")), int(match.group("m") or 0)
    ampm = match.group("ampm")
    if ampm:
        if not 1 <= h <= 12:
            raise BadInput(f"'{quote(text)}': with am/pm the hour goes from 1 to 12.")
        h = h % 12 + (12 if ampm == "pm" else 0)
    if h > 23 or m > 59:
        raise BadInput(f"'{quote(text)}' isn't a time of day.", hint="Use 00:00 to 23:59.")
    return f"{h:02d}:{m:02d}"


def parse_bedtime(text: str) -> tuple[str, str]:
    """A bedtime ``HH:MM`` and a note: ``11`` or ``10:30`` typed without am/pm is the evening.

    Nobody goes to bed at 10:30 in the morning; an hour from 6 to 11 typed without
    am/pm and without a leading zero (``0730`` and ``07:30`` are meant as typed) is
    taken as the evening, and the note says so.
    """
    clock_time = parse_clock(text)
    typed = text.strip().lower()
    hour, minute = int(clock_time[:2]), clock_time[3:]
    if 6 <= hour <= 11 and not typed.endswith(("am", "pm")) and not typed.startswith("0"):
        evening = f"{hour + 12:02d}:{minute}"
        return (
            evening,
            f"I took {quote(text)} as {evening}; say {hour}:{minute}am for the morning.",
        )
    return clock_time, ""


def split_start_clock(note: str, when: str, after_day: bool) -> tuple[str, str]:
    """``07:00 easy`` -> (``07:00``, ``easy``): a start time typed after the run's day.

    Only ``07:00``/``18:30`` (two-digit hours) or a time with am/pm is a start, never one
    followed by a pace word (``05:10 pace``, ``05:10 /km``), nor a bare ``4:50``. It is taken
    when a day came before it, or when it says am/pm, or when it is all there is
    (``/log 5k 25:00 7am``); ``07:00 easy`` with no day before it stays the note, and so
    does a time after a day that has one (``2026-12-05T07:00``).
    """
    first, _, rest = note.strip().partition(" ")
    if not START_CLOCK.fullmatch(first) or DATE_TIME.search(when.lower()) or _pace_word_first(rest):
        return "", note
    if after_day or first.lower().endswith(("am", "pm")) or not rest.strip():
        return first, rest.strip()
    return "", note


def _pace_word_first(text: str) -> bool:
    """``pace, felt easy``: the words after a clock time say it was a pace."""
    words = text.lower().split()
    return bool(words) and PACE_WORD.match(words[0].rstrip(",;.!")) is not None


def parse_hours(text: str) -> float:
    """Hours slept from ``7.5``, ``7h20``, ``7:20``, ``7h``."""
    raw = text.strip().lower().replace(" ", "")
    check_digits(raw)
    match = re.fullmatch(r"([0-9]{1,2})(?:h|:)([0-9]{1,2})m?", raw)
    if match:
        hours = int(match.group(1)) + int(match.group(2)) / 60
        if int(match.group(2)) >= 60:
            raise BadInput(f"'{quote(text)}': minutes go up to 59.")
    else:
        match = re.fullmatch(r"([0-9]{1,2}(?:[.,][0-9]+)?)h?", raw)
        if not match:
            raise BadInput(
                f"I can't read '{quote(text)}' as hours of sleep.", hint="Try 7.5 or 7h20."
            )
        hours = float(match.group(1).replace(",", "."))
    if not 0 < hours <= 16:
        amount = quote(text) if any(c in raw for c in "hm:") else f"{quote(text)} hours"
        raise BadInput(
            f"{amount} doesn't look like one night's sleep.",
            hint="Log the hours you slept, more than 0 and up to 16, e.g. /slept 7.5",
        )
    return round(hours, 2)
