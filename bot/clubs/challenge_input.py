"""What a challenge may be: reading its name, metric, window and target as typed."""

from __future__ import annotations

import difflib
import re
from datetime import date, timedelta

from bot.challenge_metrics import METRICS
from bot.errors import BadInput
from bot.input_hygiene import check_digits, quote
from bot.models import WEEKDAYS
from bot.parsing import (
    FEET_PER_METRE,
    MAX_DISTANCE_M,
    METERS_PER_MILE,
    parse_distance,
    parse_duration,
)

MAX_NAME = 40
MAX_ACTIVE = 10
MAX_DAYS = 366
MAX_AHEAD_DAYS = 365
TEAM_SIZE_BOUND = 1000  # a team target above the personal bound times this is implausible
# The most one runner can plausibly add per day, per metric.
PER_DAY = {
    "distance": 300_000.0,  # metres
    "time": 24 * 3600.0,  # seconds
    "runs": 5.0,
    "days": 1.0,
    "sleep": 1.0,
    "mobility": 2.0,
    "strength": 1.0,
    "fuel": 5.0,
    "climb": 10_000.0,  # metres
    "longest": 300_000.0,  # metres: one run, however long the window
    "fastest": 24 * 3600.0,  # seconds: one effort
    "streak": 1.0,
}
ONE_RUN = frozenset({"longest", "fastest"})  # a target of one run: the window adds nothing
EFFORTS = {"1k": 1000, "1km": 1000, "5k": 5000, "5km": 5000, "10k": 10000, "10km": 10000}
EFFORTS |= {"half": 21097, "21k": 21097, "21.1k": 21097, "21.1km": 21097}
_START_WORD = re.compile(
    r"^(today|tomorrow|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})$",
    re.IGNORECASE,
)
_TOTAL = re.compile(r"^([0-9]+(?:[.,][0-9]+)?)\s*(km|k|mi|miles?|m)?$")
_LENGTH = re.compile(r"^([0-9]{1,4})\s*(d|day|days|w|wk|week|weeks)$", re.IGNORECASE)


def parse_create_text(text: str) -> dict[str, str]:
    """Split typed ``/challenge create`` words into options.

    ``Winter Miles distance today 4w target 100km team``: the name runs up to
    the metric (or, when the metric is misspelt, up to the word before the start).
    """
    words = text.split()
    values: dict[str, str] = {}
    found = [i for i, w in enumerate(words) if w.lower() in METRICS and i > 0]
    # A metric word inside the name ("Runs Galore runs today 7d"): the one before the start
    # (after its own words: "fastest 5k", "streak min 1.6km").
    before_start = [
        i
        for i in found
        if (after := i + 1 + len(_metric_words(words, i))) < len(words)
        and _START_WORD.match(words[after])
    ]
    picks = before_start or found
    metric_at = picks[0] if picks else None
    if metric_at is None:
        start_at = next((i for i, w in enumerate(words) if _START_WORD.match(w) and i > 1), None)
        if start_at is None:
            if words:
                values["name"] = " ".join(words)
            return values
        metric_at = start_at - 1
    values["name"] = " ".join(words[:metric_at])
    own = _metric_words(words, metric_at)
    rest = words[metric_at + 1 + len(own) :]
    values["metric"] = words[metric_at]
    if own and values["metric"].lower() == "fastest":
        values["over"] = own[0]
    elif own:
        values["min"] = own[1] if len(own) > 1 else ""
    leftovers: list[str] = []
    positional = ["start", "end"]
    i = 0
    while i < len(rest):
        word = rest[i]
        if word.lower() == "team":
            values["team"] = "yes"
        elif word.lower() == "target":
            amount = rest[i + 1 : i + 2]
            if amount and i + 2 < len(rest) and rest[i + 2].lower() in ("km", "mi", "m", "ft", "h"):
                amount = [amount[0] + rest[i + 2]]
                i += 1
            values["target"] = amount[0] if amount else ""
            i += 1
        elif positional:
            values[positional.pop(0)] = word
        else:
            leftovers.append(word)
        i += 1
    if leftovers:
        values["_extra"] = " ".join(leftovers)
    return values


def _metric_words(words: list[str], at: int) -> list[str]:
    """The words after a metric that belong to it: ``fastest 5k``, ``streak min 1.6km``."""
    metric, after = words[at].lower(), words[at + 1 : at + 3]
    if metric == "fastest" and after and not _START_WORD.match(after[0]):
        return after[:1]
    if metric == "streak" and after and after[0].lower() == "min":
        return after
    return []


def parse_effort(text: str) -> int:
    """The distance of a ``fastest`` challenge: 1k, 5k, 10k or the half (metres)."""
    if not text.strip():
        raise BadInput(
            "Fastest over which distance: 1k, 5k, 10k or half?",
            hint="For example: /challenge create Fast Five fastest 5k today 4w",
        )
    meters = EFFORTS.get(text.strip().lower().replace(" ", ""))
    if meters is None:
        raise BadInput(
            f"Fastest over '{quote(text)}'? I keep best efforts over 1k, 5k, 10k and the half.",
            hint="For example: /challenge create Fast Five fastest 5k today 4w",
        )
    return meters


def parse_day_min(text: str, units: str) -> float:
    """The least a ``streak`` day needs (``min 1.6km``), in metres."""
    if not text.strip():
        raise BadInput("How far must a day's runs go to count? For example: streak min 1.6km")
    meters = parse_distance(text, units, run=False)
    if meters <= 0:
        raise BadInput(
            f"A streak day's minimum must be above zero, not '{quote(text)}'.",
            hint="For example: streak min 1.6km",
        )
    if meters > MAX_DISTANCE_M:
        raise BadInput(
            f"A streak day's minimum can be up to {MAX_DISTANCE_M / 1000:.0f} km, "
            f"not '{quote(text)}'.",
            hint="For example: streak min 1.6km",
        )
    return meters


def check_name(name: str) -> str:
    """A challenge name as stored: trimmed, at most 40 characters."""
    name = " ".join(name.split())
    if not name:
        raise BadInput("The challenge needs a name.", hint="For example: Winter Miles")
    if len(name) > MAX_NAME:
        raise BadInput(
            f"Challenge names can be up to {MAX_NAME} characters; '{quote(name)}' has {len(name)}. "
            "Nothing was saved."
        )
    return name


def check_metric(text: str) -> str:
    """One of the metrics, or a suggestion of the closest."""
    metric = text.strip().lower()
    if metric in METRICS:
        return metric
    close = difflib.get_close_matches(metric, METRICS, n=1, cutoff=0.5)
    hint = f"Did you mean {close[0]}? " if close else ""
    raise BadInput(
        f"I don't know the metric '{quote(text)}'.",
        hint=f"{hint}Metrics: {', '.join(METRICS)}.",
    )


def parse_start(text: str, today: date) -> date:
    """``today``, ``tomorrow``, a weekday (the next one, today included) or a date."""
    raw = text.strip().lower()
    check_digits(raw)
    if raw in ("", "today"):
        return today
    if raw == "tomorrow":
        return today + timedelta(days=1)
    if raw[:3] in WEEKDAYS and len(raw) >= 3:
        ahead = (WEEKDAYS.index(raw[:3]) - today.weekday()) % 7
        return today + timedelta(days=ahead)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadInput(
            f"I can't read '{quote(text)}' as a start day.",
            hint="Use today, tomorrow, a weekday (mon) or a date like 2026-12-01.",
        ) from None
    return day


def parse_end(text: str, start: date) -> date:
    """A last day: a date, or a length from the start (``7d``, ``4w``)."""
    raw = text.strip().lower()
    check_digits(raw)
    length = _LENGTH.match(raw)
    if length:
        count = int(length.group(1))
        days = count * 7 if length.group(2).startswith("w") else count
        if days < 1:
            raise BadInput("A challenge lasts at least one day.")
        return start + timedelta(days=days - 1)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadInput(
            f"I can't read '{quote(text)}' as an end.",
            hint="Use a date like 2026-12-31 or a length such as 7d or 4w.",
        ) from None


def check_window(start: date, end: date, today: date) -> None:
    """End after start, at most a year long, starting within a year, not over already."""
    if end < start:
        raise BadInput(
            f"The end ({end:%a %d %b %Y}) is before the start ({start:%a %d %b %Y}).",
            hint="Give a later end date, or a length such as 4w.",
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise BadInput("A challenge can last a year at most.", hint="Try a shorter window.")
    if (start - today).days > MAX_AHEAD_DAYS:
        raise BadInput("A challenge can start at most a year ahead.")
    if end < today:
        raise BadInput(f"That window ended on {end:%a %d %b %Y}: pick one that is still open.")


def parse_target(text: str, metric: str, units: str, days: int, team: bool) -> float:
    """A target amount in storage units; positive and plausible for the window."""
    raw = text.strip().lower()
    check_digits(raw)
    if raw.startswith("-"):
        raise BadInput(f"A target must be more than zero; not '{quote(text)}'.")
    try:
        if metric in ("distance", "longest"):
            amount = _parse_total_distance(raw, units)
        elif metric == "time":
            amount = _parse_hours(raw)
        elif metric == "climb":
            amount = _parse_climb(raw, units)
        elif metric == "fastest":
            amount = float(parse_duration(raw))
        else:
            amount = float(raw)
    except (BadInput, ValueError):
        if re.fullmatch(r"0+([.,]0*)?\s*[a-z]*", raw):
            raise BadInput(f"A target must be more than zero; not '{quote(text)}'.") from None
        example = {"distance": "100km", "time": "20h", "climb": "1000m", "longest": "21km"}.get(
            metric, "25:00" if metric == "fastest" else "12"
        )
        raise BadInput(
            f"I can't read '{quote(text)}' as a {metric} target.",
            hint=f"For example: target {example}",
        ) from None
    if amount <= 0:
        raise BadInput(f"A target must be more than zero; not '{quote(text)}'.")
    bound = PER_DAY[metric] * (1 if metric in ONE_RUN else days) * (TEAM_SIZE_BOUND if team else 1)
    if amount > bound:
        who = "a team" if team else "one runner"
        raise BadInput(
            f"A target of {text} in {days} day{'s' if days != 1 else ''} is more than {who} "
            "could do. Nothing was saved.",
            hint="Pick a smaller target or a longer window.",
        )
    return amount


def _parse_climb(raw: str, units: str) -> float:
    """Elevation gain in metres: ``1000m``, ``3000ft``, ``1000`` (m, or ft for miles)."""
    match = re.fullmatch(r"([0-9]+(?:[.,][0-9]+)?)\s*(m|ft|feet)?", raw)
    if match is None:
        raise ValueError(raw)
    value = float(match.group(1).replace(",", "."))
    feet = match.group(2) in ("ft", "feet") or (match.group(2) is None and units == "mi")
    return value / FEET_PER_METRE if feet else value


def _parse_hours(raw: str) -> float:
    """Moving time: ``20h``, ``20``, ``12h30m``, ``10:00:00``."""
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", raw):
        return float(raw) * 3600
    return float(parse_duration(raw))


def _parse_total_distance(raw: str, units: str) -> float:
    """A distance total in metres: ``100km``, ``500 km``, ``60mi``, ``100`` (the runner's units).

    Not the run parser: a month's target is far above one run's bounds.
    """
    match = _TOTAL.match(raw)
    if match is None:
        raise ValueError(raw)
    value = float(match.group(1).replace(",", "."))
    unit = match.group(2) or units
    if unit in ("km", "k"):
        return value * 1000
    if unit.startswith("mi"):
        return value * METERS_PER_MILE
    return value
