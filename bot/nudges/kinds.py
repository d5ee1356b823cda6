"""The kinds of nudge and what each one is about."""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    """A kind of nudge; the value is what commands and storage use."""

    WIND_DOWN = "wind_down"
    SLEEP_CHECKIN = "sleep_checkin"
    PRE_RUN_MOBILITY = "pre_run_mobility"
    POST_RUN_FUEL = "post_run_fuel"
    STRENGTH = "strength"

    @property
    def label(self) -> str:
        """A short name for lists such as /nudges."""
        return _LABELS[self]

    @property
    def recurring(self) -> bool:
        """Recurring kinds have a schedule row; post-run fuel is a one-off per run."""
        return self is not Kind.POST_RUN_FUEL

    @property
    def quiet_move(self) -> bool:
        """Inside quiet hours: moved to the window's end (True) or skipped for that day (False).

        Only day-long habits are worth a later nudge; a wind-down after bedtime,
        a warm-up after the run or a snack hours later would be noise.
        """
        return self in {Kind.SLEEP_CHECKIN, Kind.STRENGTH}

    @property
    def is_sleep(self) -> bool:
        """Sleep nudges carry the race-week emphasis."""
        return self in {Kind.WIND_DOWN, Kind.SLEEP_CHECKIN}

    @classmethod
    def parse(cls, value: str) -> Kind:
        """A kind from its value or a friendly alias (``bedtime``, ``mobility``, ``fuel``)."""
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        key = _ALIASES.get(key, key)
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(k.value for k in cls)
            raise ValueError(f"unknown nudge kind {value!r}; one of: {names}") from None


_LABELS = {
    Kind.WIND_DOWN: "Bedtime wind-down",
    Kind.SLEEP_CHECKIN: "Morning sleep check-in",
    Kind.PRE_RUN_MOBILITY: "Pre-run mobility",
    Kind.POST_RUN_FUEL: "Post-run fuel",
    Kind.STRENGTH: "Strength",
}

_ALIASES = {
    "bedtime": "wind_down",
    "winddown": "wind_down",
    "sleep": "sleep_checkin",
    "checkin": "sleep_checkin",
    "mobility": "pre_run_mobility",
    "prerun": "pre_run_mobility",
    "fuel": "post_run_fuel",
    "snack": "post_run_fuel",
}

RECURRING_KINDS = tuple(k for k in Kind if k.recurring)

# The check-in that answers each kind (the sweep counts the nudge done; its Snooze is
# answered): (habit, what) with what None for any. The wind-down has no check-in.
ANSWERED_BY: dict[Kind, tuple[str, str | None]] = {
    Kind.SLEEP_CHECKIN: ("sleep", None),
    Kind.PRE_RUN_MOBILITY: ("mobility", "pre"),
    Kind.STRENGTH: ("strength", None),
    Kind.POST_RUN_FUEL: ("fuel", None),
}


def answered_kind(habit: str, what: str) -> Kind | None:
    """The kind of nudge a check-in of ``habit`` (``what``: ``pre``, ``post``...) answers."""
    for kind, (answering, which) in ANSWERED_BY.items():
        if habit == answering and which in (None, what):
            return kind
    return None
