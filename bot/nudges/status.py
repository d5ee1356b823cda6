"""What the nudge settings and a nudge's answers report, before it is worded.

Each kind's state for /nudges, the goal race, where a snoozed nudge went: built by
``bot/services/nudges.py`` and ``bot/services/nudge_answers.py``, worded by
``bot/texts/nudge_settings.py`` and ``bot/nudges/texts.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from bot.nudges.kinds import Kind


@dataclass(frozen=True, slots=True)
class KindStatus:
    """One kind of nudge as /nudges shows it."""

    kind: Kind
    enabled: bool
    configured: bool  # the runner has the settings this kind needs
    next_local: datetime | None  # aware, in the runner's zone; None when nothing is due
    skipped_in_quiet: bool = False  # the next one falls in quiet hours and will be skipped
    note: str = ""
    snoozed_local: datetime | None = None  # a pending snooze of this kind, in the runner's zone
    skipped: bool = False  # the next one falls on a day the runner said "Skip today/tonight"


@dataclass(frozen=True, slots=True)
class NudgeStatus:
    """Every kind of nudge for one runner, plus pause and race."""

    user_id: int
    timezone: str
    paused_until: date | None  # only while the pause lasts (the date is after today)
    race_date: date | None  # only when the race is today or ahead
    race_name: str
    kinds: tuple[KindStatus, ...]


@dataclass(frozen=True, slots=True)
class RaceInfo:
    """The runner's goal race."""

    race_date: date | None
    name: str
    days_left: int | None
    bedtime: time | None = None  # this week's planned bedtime (None: no bedtime set)
    wake: time | None = None  # the wake time (None: not set)


@dataclass(frozen=True, slots=True)
class SnoozeResult:
    """Where a snoozed nudge went: ``due_local`` None means nothing more comes for it.

    ``regular`` True: nothing extra was queued; ``due_local`` is the kind's next
    regular nudge (tomorrow's, or the next run day's for pre-run mobility).
    """

    kind: Kind
    due_local: datetime | None
    note: str = ""
    regular: bool = False
