"""Reading what runners type: distances, durations, paces and time zones.

Dates and weekdays are in :mod:`bot.dates`; clock times in :mod:`bot.daytimes`.

Every parser raises :class:`BadInput` with a message that says what was
expected, so the reply can help the runner fix it.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import zoneinfo

from bot.errors import BadInput
from bot.input_hygiene import check_digits, quote
from bot.models import MIN_RUN_M

METERS_PER_MILE = 1609.344
FEET_PER_METRE = 3.28084
HALF_MARATHON_M = 21097.5
MARATHON_M = 42195.0

# Plausibility bounds for a logged run.
MAX_DISTANCE_M = 300_000.0
FASTEST_PACE_S_PER_KM = 150.0  # 2:30 per km is beyond the world record
SLOWEST_PACE_S_PER_KM = 30 * 60.0
MAX_DURATION_S = 72 * 3600


_DISTANCE = re.compile(
    r"^(?P<num>[0-9]+(?:[.,][0-9]+)?)\s*(?P<unit>km|k|mi|miles?|m|meters?|metres?)?$"
)
_DURATION_HMS = re.compile(r"^(?:(?P<h>[0-9]+):)?(?P<m>[0-9]{1,3}):(?P<s>[0-9]{2})$")
_DURATION_UNITS = re.compile(
    r"^(?:(?P<h>[0-9]+(?:\.[0-9]+)?)(?:hours|hour|hrs|hr|h))?"
    r"(?:(?P<m>[0-9]+(?:\.[0-9]+)?)(?:minutes|minute|mins|min|m))?"
    r"(?:(?P<s>[0-9]+)(?:seconds|second|secs|sec|s))?$"
)
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*(?P<sign>[+-])(?P<h>[0-9]{1,2})(?::?(?P<m>[0-9]{2}))?$")


def parse_distance(text: str, default_units: str = "km", *, run: bool = True) -> float:
    """Metres from ``5k``, ``5 km``, ``5.2km``, ``3.1mi``, ``10000m``, ``half``, ``marathon``.

    ``run``: refused outside one run's bounds (100 m to 300 km); without it any amount
    (a caller with its own bounds words them).
    """
    raw = text.strip().lower()
    check_digits(raw)
    if raw in {"half", "hm", "half-marathon", "halfmarathon"}:
        return HALF_MARATHON_M
    if raw in {"marathon", "full"}:
        return MARATHON_M
    if raw.startswith("-"):
        raise BadInput(f"A distance can't be negative ({quote(text)}).", hint="Try /log 5k 25:00")
    match = _DISTANCE.match(raw)
    if not match:
        raise BadInput(
            f"I can't read '{quote(text)}' as a distance.",
            hint="Use a number with a unit: 5k, 5.2km, 3.1mi, 10000m, half or marathon.",
        )
    number = float(match.group("num").replace(",", "."))
    unit = match.group("unit") or default_units
    if unit in {"km", "k"}:
        meters = number * 1000
    elif unit.startswith("mi"):
        meters = number * METERS_PER_MILE
    else:
        meters = number
    if not run:
        return meters
    if meters <= 0:
        raise BadInput("A run needs a distance above zero.")
    if meters < MIN_RUN_M:
        raise BadInput(
            f"{quote(text)} is {math.floor(meters)} m; a run is at least {MIN_RUN_M:.0f} m."
        )
    if meters > MAX_DISTANCE_M:
        # "5000k" or a bare "5000" most likely meant metres; 900km was just too far.
        as_meters = f"For {number:g} metres, type {number:g}m." if number >= 1000 else ""
        raise BadInput(
            f"{quote(text)} is more than {MAX_DISTANCE_M / 1000:.0f} km; "
            "that doesn't look like one run.",
            hint=as_meters if unit != "m" else "",
        )
    return meters


def parse_duration(text: str) -> int:
    """Seconds from ``25:00``, ``1:05:30``, ``45m``, ``1h5m``, ``3000s``."""
    raw = text.strip().lower().replace(" ", "")
    check_digits(raw)
    if raw.startswith("-"):
        raise BadInput(f"A time can't be negative ({quote(text)}).")
    match = _DURATION_HMS.match(raw)
    seconds: float
    if match:
        h = int(match.group("h") or 0)
        m = int(match.group("m"))
        s = int(match.group("s"))
        if s >= 60 or (match.group("h") and m >= 60):
            raise BadInput(f"'{quote(text)}' isn't a valid time: minutes and seconds go up to 59.")
        seconds = h * 3600 + m * 60 + s
    else:
        match = _DURATION_UNITS.match(raw)
        if not match or not any(match.groupdict().values()):
            raise BadInput(
                f"I can't read '{quote(text)}' as a time.",
                hint="Use 25:00 (minutes:seconds), 1:05:30, 45m, 1h5m or 3000s.",
            )
        seconds = (
            float(match.group("h") or 0) * 3600
            + float(match.group("m") or 0) * 60
            + int(match.group("s") or 0)
        )
    if seconds <= 0:
        raise BadInput("A run needs a time above zero.")
    if seconds > MAX_DURATION_S:
        raise BadInput(
            f"{quote(text)} is longer than {MAX_DURATION_S // 3600} hours; is that right?"
        )
    return round(seconds)


def check_pace(
    distance_m: float,
    duration_s: int,
    units: str = "km",
    *,
    typed_distance: str = "",
    typed_time: str = "",
) -> None:
    """Refuse paces no human runs, told in the runner's units first.

    The hint quotes what was typed (and how it was read), so the slip shows.
    """
    pace = duration_s / (distance_m / 1000)
    other = "km" if units == "mi" else "mi"
    said = (
        f"That's {format_pace(distance_m, duration_s, units)} "
        f"({format_pace(distance_m, duration_s, other)})"
    )
    read = []
    if typed_distance:
        read.append(f"{quote(typed_distance)} is {format_distance(distance_m, units)}")
    if typed_time:
        read.append(f"{quote(typed_time)} is {spoken_duration(duration_s)}")
    which = " and the time" if typed_distance and typed_time else ""
    what = "the distance" if typed_distance or not typed_time else "the time"
    hint = f"Check {what}{which}" + (f": {', '.join(read)}." if read else ".")
    if pace < FASTEST_PACE_S_PER_KM:
        limit = format_pace(1000, int(FASTEST_PACE_S_PER_KM), units)
        raise BadInput(
            f"{said}: faster than {limit}, which I take for a typo rather than a run.", hint=hint
        )
    if pace > SLOWEST_PACE_S_PER_KM:
        raise BadInput(
            f"{said}, slower than {format_pace(1000, int(SLOWEST_PACE_S_PER_KM), units)}.",
            hint=hint,
        )


def spoken_duration(seconds: int) -> str:
    """``1 hour 5 minutes 30 seconds``, ``25 minutes``: a time as it would be said."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    parts = [
        f"{n} {word}{'' if n == 1 else 's'}"
        for n, word in ((h, "hour"), (m, "minute"), (s, "second"))
        if n
    ]
    return " ".join(parts) or "0 seconds"


@functools.cache
def all_zones() -> tuple[str, ...]:
    """Every IANA zone name known to zoneinfo (tzdata included), sorted."""
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


@functools.cache
def _zones_by_lower() -> dict[str, str]:
    return {z.lower(): z for z in zoneinfo.available_timezones()}


def parse_timezone(text: str) -> tuple[str, str]:
    """A zone to store and a warning: ``("Europe/Berlin", "")`` or ``("+02:00", "...")``.

    Accepts IANA names in any case, a unique city (``berlin``), or a bare UTC
    offset (``+2``, ``UTC-05:30``), which cannot follow daylight saving.
    """
    raw = text.strip()
    check_digits(raw)
    if not raw:
        raise BadInput("Which time zone?", hint="For example Europe/Berlin or America/New_York.")
    lower = raw.lower().replace(" ", "_")
    if lower in {"utc", "gmt", "z"}:
        return "UTC", ""
    alias = ZONE_ALIASES.get(lower)
    if alias:
        if lower in _CITY_ALIASES:
            return alias, ""
        return alias, f"I took {quote(raw)} as {alias}, which follows daylight saving."
    exact = _zones_by_lower().get(lower)
    if exact:
        fixed = exact.startswith("Etc/") or "/" not in exact
        warning = f"{exact} is a fixed offset and doesn't follow daylight saving." if fixed else ""
        return exact, warning
    offset = _OFFSET.match(lower)
    if offset:
        hours, minutes = int(offset.group("h")), int(offset.group("m") or 0)
        limit = 14 if offset.group("sign") == "+" else 12
        if hours * 60 + minutes > limit * 60 or minutes >= 60:
            raise BadInput(f"{quote(raw)} isn't a valid UTC offset (they run from -12 to +14).")
        value = f"{offset.group('sign')}{hours:02d}:{minutes:02d}"
        return value, (
            f"A fixed offset (UTC{value}) doesn't follow daylight saving. "
            "Set a place name instead, e.g. Europe/Berlin, to stay right all year."
        )
    cities = [z for z in all_zones() if z.lower().rsplit("/", 1)[-1] == lower]
    if cities:
        # Some cities have two equivalent names (America/Buenos_Aires is a link to
        # America/Argentina/Buenos_Aires): take the longer, current one.
        return max(cities, key=len), ""
    # Close spellings only for something name-sized: difflib on a huge input is slow.
    suggestions = suggest_zones(raw, limit=3) if len(raw) <= 64 else []
    hint = "Did you mean " + " or ".join(suggestions) + "?" if suggestions else ""
    raise BadInput(
        f"I don't know the time zone '{quote(raw)}'.",
        hint=(hint + " " if hint else "") + "Use a name like Europe/Berlin or America/New_York.",
    )


def suggest_zones(partial: str, limit: int = 25) -> list[str]:
    """Zones matching what was typed: substrings first, then close spellings."""
    key = partial.strip().lower().replace(" ", "_")[:64]
    zones = all_zones()
    if not key:
        return list(COMMON_ZONES[:limit])
    starts = [z for z in zones if z.lower().rsplit("/", 1)[-1].startswith(key)]
    contains = [z for z in zones if key in z.lower() and z not in starts]
    found = starts + contains
    if len(found) < limit:
        lowered = {z.lower(): z for z in zones}
        close = difflib.get_close_matches(key, list(lowered), n=limit, cutoff=0.6)
        cities = {z.lower().rsplit("/", 1)[-1]: z for z in zones}
        close += difflib.get_close_matches(key, list(cities), n=limit, cutoff=0.7)
        for name in close:
            zone = lowered.get(name) or cities[name]
            if zone not in found:
                found.append(zone)
    return found[:limit]


# Abbreviations and big cities that aren't zone names, as runners type them.
ZONE_ALIASES = {
    **dict.fromkeys(("est", "edt", "et", "eastern"), "America/New_York"),
    **dict.fromkeys(("cst", "cdt", "ct", "central"), "America/Chicago"),
    **dict.fromkeys(("mst", "mdt", "mt", "mountain"), "America/Denver"),
    **dict.fromkeys(("pst", "pdt", "pt", "pacific"), "America/Los_Angeles"),
    **dict.fromkeys(("bst",), "Europe/London"),
    **dict.fromkeys(("cet", "cest"), "Europe/Berlin"),
    **dict.fromkeys(
        (
            "ist",
            "mumbai",
            "bombay",
            "delhi",
            "new_delhi",
            "bangalore",
            "bengaluru",
            "chennai",
            "hyderabad",
        ),
        "Asia/Kolkata",
    ),
    **dict.fromkeys(("aest", "aedt"), "Australia/Sydney"),
    **dict.fromkeys(("jst",), "Asia/Tokyo"),
    **dict.fromkeys(("san_francisco", "seattle", "san_diego"), "America/Los_Angeles"),
    **dict.fromkeys(("boston", "washington", "miami", "atlanta"), "America/New_York"),
    **dict.fromkeys(("munich", "frankfurt", "hamburg", "cologne"), "Europe/Berlin"),
}
# City aliases need no warning: only abbreviations are guesses.
_CITY_ALIASES = {k for k in ZONE_ALIASES if len(k) > 4}

COMMON_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)


_CLIMB = re.compile(
    r"(?:^|\s)climb\s+([0-9]+(?:[.,][0-9]+)?)\s*(m|ft|feet)?(?=[\s,;.]|$)[,;.]?", re.IGNORECASE
)
_NEGATIVE_CLIMB = re.compile(r"(?:^|\s)climb\s+[-−]\s*[0-9]", re.IGNORECASE)
MAX_CLIMB_M = 10_000.0  # more than any one run climbs (Everest from sea level is 8,849 m)


def split_climb(note: str, units: str) -> tuple[float | None, str]:
    """``climb 250m hilly`` -> (250.0, ``hilly``): a typed elevation gain, out of the note.

    A bare number is metres, or feet for a runner in miles.
    """
    if _NEGATIVE_CLIMB.search(note):
        raise BadInput("A climb must be more than zero; leave it out for a flat run.")
    match = _CLIMB.search(note)
    if match is None:
        return None, note
    if _CLIMB.search(note, match.end()):
        raise BadInput(
            "One climb a run, please: the whole run's elevation gain. Nothing was saved."
        )
    meters = _climb_meters(match.group(1), match.group(2), units)
    if meters <= 0:
        raise BadInput("A climb must be more than zero; leave it out for a flat run.")
    return meters, " ".join((note[: match.start()] + " " + note[match.end() :]).split())


_CLIMB_VALUE = re.compile(r"^([-−]?\s*[0-9]+(?:[.,][0-9]+)?)\s*(m|ft|feet|metres|meters)?$", re.I)


def parse_climb(text: str, units: str) -> float | None:
    """A corrected climb (``/edit 12 climb 120m``): metres, or None for ``none``/``0``.

    Read as ``/log`` reads ``climb 250m``: a bare number is metres, or feet in miles.
    """
    raw = text.strip().lower()
    check_digits(raw)
    if raw in {"none", "off", "-", "0", "0m", "0ft", "flat"}:
        return None
    match = _CLIMB_VALUE.match(raw)
    if match is None:
        raise BadInput(
            f"I can't read '{quote(text)}' as a climb.",
            hint="Use metres or feet: 120m, 400ft, or none to remove it.",
        )
    number = match.group(1).replace("−", "-").replace(" ", "")
    if number.startswith("-"):
        raise BadInput(
            f"A climb can't be negative ({quote(text)}). Nothing was saved.",
            hint="none removes the climb of a flat run.",
        )
    return _climb_meters(number, match.group(2), units)


def _climb_meters(number: str, unit: str | None, units: str) -> float:
    """Metres from a climb's number and unit (bare: metres, or feet in miles); refused
    above what one run climbs."""
    unit = (unit or ("ft" if units == "mi" else "m")).lower()
    value = float(number.replace(",", "."))
    meters = value / FEET_PER_METRE if unit in ("ft", "feet") else value
    if meters > MAX_CLIMB_M:
        shown = "ft" if unit in ("ft", "feet") else "m"
        raise BadInput(
            f"A climb of {number} {shown} is more than one run climbs. Nothing was saved."
        )
    return meters


def distance_number(meters: float, units: str) -> str:
    """A distance in the runner's units, bare: ``5.00``, ``3.11``, ``100.00``.

    The one rule for distances, everywhere (/log, /week, /stats, boards, standing lines,
    digests): two decimals in the runner's units, totals and targets alike, so numbers
    written side by side line up and a 5 km run never reads as ``5``, ``5.0`` and ``5.00``.
    """
    per = METERS_PER_MILE if units == "mi" else 1000.0
    return f"{meters / per:.2f}"


def format_distance(meters: float, units: str) -> str:
    """``5.00 km`` or ``3.11 mi``: :func:`distance_number` with its unit."""
    return f"{distance_number(meters, units)} {'mi' if units == 'mi' else 'km'}"


def format_duration(seconds: int) -> str:
    """``25:00`` or ``1:05:30``."""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_pace(meters: float, seconds: int, units: str) -> str:
    """``5:00 /km`` or ``8:03 /mi``."""
    per = METERS_PER_MILE if units == "mi" else 1000.0
    pace = round(seconds / (meters / per))
    m, s = divmod(pace, 60)
    return f"{m}:{s:02d} /{units}"
