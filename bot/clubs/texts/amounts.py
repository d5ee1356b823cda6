"""How a challenge's numbers read: amounts in the viewer's units and their bare units,
metric labels, ranks (``2nd``), progress bars, days left and a challenge's target.

Pure functions of the models, shared by the boards, the challenge answers and the club posts.
"""

from __future__ import annotations

from datetime import date

from bot.models import Challenge
from bot.parsing import (
    FEET_PER_METRE,
    distance_number,
    format_distance,
    format_duration,
)
from bot.runfiles import EFFORT_NAMES

BAR = 10
NOUNS = {
    "runs": "run",
    "days": "day",
    "sleep": "night",
    "mobility": "session",
    "strength": "session",
    "fuel": "snack",
    "streak": "day",
}
METRIC_LABELS = {
    "distance": "distance",
    "time": "moving time",
    "runs": "runs",
    "days": "days with a run",
    "sleep": "nights of 7 h or more",
    "mobility": "mobility sessions",
    "strength": "strength sessions",
    "fuel": "post-run snacks",
    "climb": "elevation gain",
    "longest": "longest run",
    "fastest": "fastest",
    "streak": "most days in a row with a run",
}


def metric_label(challenge: Challenge, units: str) -> str:
    """``distance``, ``fastest 5 km``, ``most days in a row with a run of 1.6 km or more``."""
    label = METRIC_LABELS[challenge.metric]
    if challenge.metric == "fastest":
        return f"{label} {EFFORT_NAMES.get(challenge.effort_m or 5000, '5 km')}"
    if challenge.metric == "streak" and challenge.day_min_m:
        return f"{label} of {amount('longest', challenge.day_min_m, units)} or more"
    return label


def number(value: float) -> str:
    """``42``, ``42.5``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def amount(metric: str, value: float, units: str, *, bare: bool = False) -> str:
    """A value in the viewer's units: ``42.00 km``, ``12 h 30 min``, ``3 runs``, ``4 nights``.

    Distances follow the one rule of :func:`bot.parsing.distance_number`.
    """
    if metric in ("distance", "longest"):
        return distance_number(value, units) if bare else format_distance(value, units)
    if metric == "climb":
        shown = round(value * FEET_PER_METRE if units == "mi" else value)
        return str(shown) if bare else f"{shown} {unit_of(metric, units)}"
    if metric == "fastest":
        return format_duration(round(value)) if value > 0 else "no time yet"
    if metric == "time":
        hours, minutes = divmod(round(value / 60), 60)
        if bare:
            return number(value / 3600)
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    count = round(value)
    if bare:
        return str(count)
    noun = NOUNS[metric]
    return f"{count} {noun}{'' if count == 1 else 's'}"


def unit_of(metric: str, units: str) -> str:
    """The unit after a bare amount: ``km``, ``h``, ``runs``."""
    if metric in ("distance", "longest"):
        return units
    if metric == "climb":
        return "ft" if units == "mi" else "m"
    if metric == "fastest":
        return ""
    if metric == "time":
        return "h"
    return NOUNS[metric] + "s"


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``11th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def bar(part: float, whole: float) -> str:
    """``▓▓▓▓░░░░░░ 42%``."""
    share = 0.0 if whole <= 0 else min(1.0, part / whole)
    filled = round(share * BAR)
    return f"{'▓' * filled}{'░' * (BAR - filled)} {round(part / whole * 100) if whole else 0}%"


def when_text(challenge: Challenge, today: date) -> str:
    """``12 days left``, ``last day``, ``starts in 3 days``, ``ended``."""
    if challenge.frozen_at is not None or today > challenge.end:
        return "ended"
    if today < challenge.start:
        ahead = (challenge.start - today).days
        return "starts tomorrow" if ahead == 1 else f"starts in {ahead} days"
    left = challenge.days_left(today)
    return "last day" if left == 1 else f"{left} days left"


def target_text(challenge: Challenge, units: str) -> str:
    """``target 100.0 km each`` or ``team goal 500.0 km``."""
    if challenge.target is None:
        return ""
    goal = amount(challenge.metric, challenge.target, units)
    return f"team goal {goal}" if challenge.team else f"target {goal} each"
