"""Reading the days runners type: run dates (with a start), days ahead, weekdays.

Times (clock times, bedtimes, hours slept, a run's start time in a note) are
:mod:`bot.daytimes`. Every parser raises :class:`BadInput` with a message that says what
was expected, so the reply can help the runner fix it.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from bot.daytimes import DATE_TIME, START_CLOCK, WHEN_CLOCK, parse_clock
from bot.errors import BadInput
from bot.input_hygiene import check_digits, quote
from bot.models import WEEKDAYS

MAX_DAYS_BACK = 365
# A forgotten check-in can be added for the last week; older nights are left as they were.
MAX_CHECKIN_DAYS_BACK = 7
# Anything that looks like a date is taken as the date (and refused if unreadable),
# never quietly kept as part of a note.
DAY_WORD = (
    r"^(today|yesterday|tomorrow|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?"
    r"|\d{4}-\d{2}-\d{2}t\d{1,2}:\d{2}(:\d{2})?)[:,;.!]?$"
)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (
    r"(?:jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august"
    r"|sep|sept|september|oct|october|nov|november|dec|december)"
)
# "Dec 3", "3 Dec", "3rd december": a day of a month, the latest one not in the future
# (or of the year written after it: "Dec 3 2025").
_MONTH_DAY = re.compile(
    rf"(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})\.?)(?:,?\s+(?P<y>\d{{4}}))?",
    re.IGNORECASE,
)
# Two words a runner writes for a day: "last monday", "Dec 3", "3 Dec", and "last week"
# (not one day: read so it can be refused, never kept as a note).
_DAY_PHRASE = rf"(?:last\s+[a-z]+|{_MONTH_DAY.pattern})"
MAX_DAYS_AHEAD = 366  # pauses and plans: a year at most
# Every form of a run's day that parse_start reads, as /log's help lists them (a test parses each).
# (A Discord option's description: 100 characters at most; 3 Dec, 7am and the T form read too.)
RUN_DAY_FORMS = (
    "today (default), yesterday, mon, last mon, Dec 3, Fri 20 Nov, 2026-11-20 or 2026-11-20 07:30 "
    "(start)"
)
_DAY_THEN_CLOCK = re.compile(rf"(?:(?P<day>.*\S)\s+)?(?P<clock>{WHEN_CLOCK.pattern})", re.I)
# "Sat 05 Dec", the way every reply writes a day: the weekday must be the date's.
_WEEKDAY_THEN_DATE = re.compile(r"(?P<weekday>[a-z]+)[,.]?\s+(?P<date>\S.*)")


def parse_future_date(text: str, today: date, max_days: int = MAX_DAYS_AHEAD) -> date:
    """A day ahead: ``2026-12-24``, ``tomorrow`` or a weekday (the next one), within a year."""
    raw = text.strip().lower()
    check_digits(raw)
    if raw == "today":
        return today
    if raw == "tomorrow":
        return today + timedelta(days=1)
    if raw[:3] in WEEKDAYS and raw in {raw[:3], _full_day(raw[:3])}:
        ahead = (WEEKDAYS.index(raw[:3]) - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    try:
        day = date.fromisoformat(raw) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw) else None
    except ValueError:
        day = None
    if day is None:
        raise BadInput(
            f"I can't read '{quote(text)}' as a date.",
            hint="Use a date like 2026-12-24, or tomorrow.",
        )
    if day < today:
        raise BadInput(f"{day.isoformat()} is in the past; pick a date after today.")
    if (day - today).days > max_days:
        years = "a year" if max_days <= MAX_DAYS_AHEAD else f"{round(max_days / 365)} years"
        raise BadInput(
            f"{day.isoformat()} is more than {years} ahead; pick a closer date.",
            hint="For example " + (today + timedelta(days=30)).isoformat(),
        )
    return day


def parse_when(text: str, today: date, earliest: date | None = None) -> date:
    """A run date from ``today``, ``yesterday``, a weekday (the latest one) or ISO.

    Up to a year back, or back to ``earliest`` when given (a run from a file).
    """
    raw = text.strip().lower().rstrip(":,;.!")
    check_digits(raw)
    raw = {"tues": "tue", "thur": "thu", "thurs": "thu"}.get(raw, raw)
    if raw == "tomorrow":
        raise BadInput("Tomorrow is in the future; log runs you have done.")
    dated = _WEEKDAY_THEN_DATE.fullmatch(raw)
    if dated and (weekday := _weekday(dated.group("weekday"))) is not None:
        day = parse_when(dated.group("date"), today, earliest)
        if WEEKDAYS[day.weekday()] != weekday:
            raise BadInput(
                f"{day:%d %b %Y} is a {_full_day(WEEKDAYS[day.weekday()]).capitalize()}, "
                f"not a {_full_day(weekday).capitalize()}.",
                hint=f"Write the day as {day:%a %d %b}, or the date alone.",
            )
        return day
    last = re.fullmatch(r"last\s+([a-z]+)", raw)
    named = _weekday(last.group(1)) if last else None
    if named is not None:
        # "last monday": the one before today, a week back when today is a Monday.
        day = today - timedelta(days=(today.weekday() - WEEKDAYS.index(named)) % 7 or 7)
    elif raw in {"", "today"}:
        day = today
    elif raw == "yesterday":
        day = today - timedelta(days=1)
    elif raw == "last week" or raw.startswith("last "):
        raise BadInput(
            f"'{quote(text)}' isn't one day; say which day.",
            hint="Use a weekday (last monday), yesterday, Dec 3 or a date like 2026-11-20.",
        )
    elif (month_day := _MONTH_DAY.fullmatch(raw)) is not None:
        day = _month_day(month_day, text, today)
    elif raw[:3] in WEEKDAYS and raw in {raw[:3], _full_day(raw[:3])}:
        back = (today.weekday() - WEEKDAYS.index(raw[:3])) % 7
        day = today - timedelta(days=back)
    else:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise BadInput(
                f"I can't read '{quote(text)}' as a date.",
                hint="Use today, yesterday, a weekday (mon, last mon), Dec 3 or a date like "
                "2026-11-20 (year-month-day).",
            ) from None
    if day > today:
        raise BadInput(f"{day.isoformat()} is in the future; log runs you have done.")
    if earliest is not None:
        if day < earliest:
            raise BadInput(
                f"{day.isoformat()} is before {earliest.isoformat()}, the earliest date a run "
                "can have."
            )
    elif (today - day).days > MAX_DAYS_BACK:
        raise BadInput(f"{day.isoformat()} is more than a year ago; I keep the last 365 days.")
    return day


def _month_day(match: re.Match[str], text: str, today: date) -> date:
    """``Dec 3 2025``, or the latest ``Dec 3`` not after today (last year's if this one's ahead)."""
    month = MONTHS.index((match.group("m1") or match.group("m2"))[:3].lower()) + 1
    number = int(match.group("d1") or match.group("d2"))
    years = (int(match.group("y")),) if match.group("y") else (today.year, today.year - 1)
    for year in years:
        try:
            day = date(year, month, number)
        except ValueError:
            raise BadInput(f"'{quote(text)}' isn't a day of the calendar.") from None
        if day <= today:
            return day
    return day


def parse_start(text: str, today: date) -> tuple[date, time | None]:
    """A run's day, and its local start time when typed with it.

    ``2026-12-05T07:00``, ``2026-12-05 07:00``, ``yesterday 6:30pm``, or a time alone
    (``7am``: today).
    """
    raw = text.strip().lower().rstrip(",;.!")
    stamp = DATE_TIME.fullmatch(raw)
    if stamp is None:
        clocked = _DAY_THEN_CLOCK.fullmatch(raw)
        if clocked is None:
            return parse_when(text, today), None
        hour, minute = map(int, parse_clock(clocked.group("clock")).split(":"))
        return parse_when(clocked.group("day") or "", today), time(hour, minute)
    day = parse_when(stamp.group(1), today)
    hour, minute, second = int(stamp.group(2)), int(stamp.group(3)), int(stamp.group(4) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise BadInput(
            f"'{quote(text)}' isn't a time of day.",
            hint="Write the start as 2026-12-05T07:00 (hours 0-23).",
        )
    return day, time(hour, minute, second)


def split_day_and_start(note: str) -> tuple[str, str, str]:
    """``hilly mon 07:00`` -> (``hilly``, ``mon``, ``07:00``): a day, and a start after it.

    A start time at the end of the note is taken only with a day just before it (a
    trailing time would otherwise hide the day: ``/log 5k 25:00 hilly mon 07:00``);
    without one, or after a day that has its time (``2026-12-05T07:00``), it stays the
    note. Else the day is :func:`split_day`'s.
    """
    words = note.split()
    if len(words) > 1 and START_CLOCK.fullmatch(clock := words[-1].rstrip(",;.!")):
        body = " ".join(words[:-1])
        rest, day = split_day(body)
        tail, bare_day = body.rstrip(":,;.!"), day.rstrip(":,;.!")
        if day and tail.endswith(bare_day) and tail[: -len(bare_day)].strip() == rest:
            if DATE_TIME.search(day.lower()):
                return f"{rest} {words[-1]}".strip(), day, ""
            return rest, day, clock
    rest, day = split_day(note)
    return rest, day, ""


def weekday_and_date(when: str, also: str) -> str:
    """``Sat`` and ``05 Dec`` -> ``Sat 05 Dec``: one day written as replies write it, else ``""``.

    ``/log`` reads one word as the day, so a weekday and the date after it arrive apart.
    """
    calendar = _MONTH_DAY.fullmatch(also.strip()) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", also)
    if _weekday(when.strip().lower().rstrip(",.")) is None or calendar is None:
        return ""
    return f"{when.strip()} {also.strip()}"


def parse_checkin_day(text: str, today: date) -> date:
    """The day of a check-in: read as ``/log`` reads it, up to a week back."""
    earliest = today - timedelta(days=MAX_CHECKIN_DAYS_BACK)
    too_old = BadInput(
        f"'{quote(text)}' is more than a week ago; check-ins go back {MAX_CHECKIN_DAYS_BACK} days.",
        hint=f"The earliest is {earliest:%a %d %b}.",
    )
    try:
        day = parse_when(text, today)
    except BadInput as error:
        if "in the future" in error.message:
            raise BadInput(
                error.message.replace("log runs you have done", "check in what you have done")
            ) from None
        if "more than a year ago" in error.message:
            raise too_old from None
        raise
    if day < earliest:
        raise too_old
    return day


def split_day(text: str) -> tuple[str, str]:
    """``60 yesterday`` -> (``60``, ``yesterday``): a day at the start or end of free text.

    Check-ins take their day where a runner puts it (``/fuel yesterday banana``,
    ``/strength plank 60 yesterday``); a date-like word is the day, never the note.
    """
    words = text.split()
    if not words:
        return text, ""
    last, rest = split_when(text)
    if last:
        return rest.strip(), last
    tail = re.match(
        rf"(?P<rest>.*?)\s*\b(?P<day>{_DAY_PHRASE})[:,;.!]?$", text.strip(), re.DOTALL | re.I
    )
    if tail and _day_phrase(tail.group("day")):
        return tail.group("rest").strip(), tail.group("day")
    if _day_word(words[0]):
        return " ".join(words[1:]), words[0]
    if _day_word(words[-1]):
        return " ".join(words[:-1]), words[-1]
    return text.strip(), ""


def _day_word(word: str) -> bool:
    """A date-like word; a plain decimal (``62.5`` kg) is a number, not 62 May."""
    if re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?", word):
        return False
    return re.match(DAY_WORD, word, re.IGNORECASE) is not None


def parse_weekday(text: str, hint: str = "") -> int:
    """One day of the week, 0 (Monday) to 6, from ``mon``, ``Monday``, ``tues``, ``thurs``.

    The one reader of a single weekday (``sundae`` is not Sunday, nor ``weekdays`` one day).
    """
    named = _weekday(text.strip().lower())
    if named is None:
        raise BadInput(f"I can't read '{quote(text)}' as a day of the week.", hint=hint)
    return WEEKDAYS.index(named)


def _weekday(word: str) -> str | None:
    """``mon`` for mon, monday, tues, thurs...; None for anything else."""
    word = {"tues": "tue", "thur": "thu", "thurs": "thu"}.get(word, word)
    if word[:3] in WEEKDAYS and word in {word[:3], _full_day(word[:3])}:
        return word[:3]
    return None


def split_when(note: str) -> tuple[str, str]:
    """``last monday easy`` -> (``last monday``, ``easy``): a day the when-word missed.

    ``/log`` reads one word as the day; "last monday" would otherwise become the
    note of a run stored today.
    """
    match = re.match(
        rf"\s*(?P<day>{_DAY_PHRASE})[:,;.!]?(?:\s+|$)(?P<rest>.*)", note, re.DOTALL | re.I
    )
    if match and _day_phrase(match.group("day")):
        return match.group("day"), match.group("rest")
    return "", note


def _day_phrase(words: str) -> bool:
    """``last monday``, ``last week``, ``Dec 3``: a two-word day (``last lap`` is a note)."""
    first, _, second = words.lower().partition(" ")
    if first == "last":
        return second.strip() == "week" or _weekday(second.strip()) is not None
    return _MONTH_DAY.fullmatch(words.strip()) is not None


def parse_week_day(text: str, today: date) -> date:
    """A day whose week to show: ``last``, ``this``, or a day as ``/log`` reads it (a year back)."""
    raw = text.strip().lower()
    if raw in {"", "this", "now"}:
        return today
    if raw in {"last", "previous", "prev"}:
        return today - timedelta(weeks=1)
    if raw == "tomorrow" or _looks_later(raw, today):
        raise BadInput(
            "That week hasn't started yet.",
            hint="/week shows this week; /week last the one before.",
        )
    try:
        return parse_when(raw, today)
    except BadInput as error:
        if "more than a year ago" in str(error):
            raise BadInput(
                f"{raw} is more than a year ago; /week looks back a year.",
                hint="/stats all covers everything.",
            ) from None
        if "in the future" in str(error):
            return today  # later this week: this week
        raise


def _looks_later(raw: str, today: date) -> bool:
    """An ISO date in a week after this one."""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return False
    return day - timedelta(days=day.weekday()) > today - timedelta(days=today.weekday())


def _full_day(abbr: str) -> str:
    return {
        "mon": "monday",
        "tue": "tuesday",
        "wed": "wednesday",
        "thu": "thursday",
        "fri": "friday",
        "sat": "saturday",
        "sun": "sunday",
    }[abbr]


def parse_days(text: str) -> tuple[int, ...]:
    """Weekdays from ``mon,wed,sat``, ``mon wed``, ``weekdays``, ``daily``, ``none``."""
    raw = text.strip().lower()
    if raw in {"daily", "every day", "everyday", "all"}:
        return tuple(range(7))
    if raw == "weekdays":
        return (0, 1, 2, 3, 4)
    if raw in {"weekends", "weekend"}:
        return (5, 6)
    if raw in {"none", "-", ""}:
        return ()
    days = set()
    for word in re.split(r"[\s,;/]+", raw):
        if not word:
            continue
        word = {"tues": "tue", "thur": "thu", "thurs": "thu"}.get(word, word)
        if word[:3] in WEEKDAYS and word in {word[:3], _full_day(word[:3])}:
            days.add(WEEKDAYS.index(word[:3]))
        else:
            raise BadInput(
                f"I don't know the day '{quote(word)}'.",
                hint="List days like mon,wed,sat, or say weekdays, daily or none.",
            )
    return tuple(sorted(days))


def format_days(days: tuple[int, ...]) -> str:
    """``Mon, Wed, Sat`` (or ``not set``)."""
    if not days:
        return "not set"
    if len(days) == 7:
        return "every day"
    return ", ".join(WEEKDAYS[d].capitalize() for d in days)
