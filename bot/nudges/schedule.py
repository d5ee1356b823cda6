"""Pure schedule math: local wall times, weekdays, daylight saving and quiet hours.

Every nudge occurrence has an *anchor date* (the runner's own calendar day it
belongs to: the run day, the morning, or the evening whose night it is) and a
wall-clock time derived from it. The anchor date is the occurrence key, so a
setting change that moves the time never produces a second nudge for the same
day.

Daylight saving: an ambiguous wall time (fall-back night) is taken at its first
occurrence (``fold=0``), and a nudge is never due twice because the next
occurrence must belong to a later anchor date. A wall time that does not exist
(spring-forward gap) fires at the first valid local time after the gap
(02:30 in New York on the spring-forward night fires at 03:00 EDT).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


class ScheduleError(ValueError):
    """A time, day list or time zone that cannot be understood."""


def parse_hhmm(value: str) -> time:
    """Parse a local ``"HH:MM"`` into a :class:`time`."""
    match = _HHMM.match(value.strip())
    if not match:
        raise ScheduleError(f"not a HH:MM time: {value!r}")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ScheduleError(f"not a HH:MM time: {value!r}")
    return time(hour, minute)


def format_hhmm(value: time) -> str:
    """Format a time as ``"HH:MM"``."""
    return f"{value.hour:02d}:{value.minute:02d}"


def localize(wall: datetime, tz: tzinfo) -> datetime:
    """The UTC instant of a naive wall time: the first when ambiguous, the gap end when missing."""
    if wall.tzinfo is not None:
        raise ValueError("localize expects a naive wall time")
    first = wall.replace(tzinfo=tz, fold=0)
    instant = first.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == wall:
        return instant
    # A spring-forward gap: fold=0 reads the wall time with the old offset (an instant
    # after the transition), fold=1 with the new one (an instant before it). The first
    # valid local time is the transition itself: search it in whole seconds, so the
    # answer is the exact instant (transitions fall on whole seconds), never rounded up.
    late = instant
    early = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if early > late:
        early, late = late, early
    lo, hi = early, late
    while hi - lo > timedelta(seconds=1):
        mid = lo + timedelta(seconds=(hi - lo) // timedelta(seconds=1) // 2)
        if mid.astimezone(tz).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi


def local_date(when: datetime, tz: tzinfo) -> date:
    """The runner's calendar date at an instant."""
    return when.astimezone(tz).date()


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily local window ``[start, end)``; it may cross midnight. Equal ends mean none."""

    start: time
    end: time

    def contains(self, wall: time) -> bool:
        """Whether a local wall time falls inside the window."""
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end

    def end_after(self, wall: datetime) -> datetime:
        """The naive local wall time at which the window containing ``wall`` ends."""
        end = datetime.combine(wall.date(), self.end)
        if end <= wall:
            end += timedelta(days=1)
        return end


@dataclass(frozen=True, slots=True)
class Rule:
    """How one kind of nudge recurs for one runner.

    ``wall_for(anchor)`` returns the naive local wall time of the occurrence
    belonging to an anchor date (or ``None`` when there is none that day);
    ``days`` limits the anchor dates (empty = every day). ``quiet_move`` says
    whether a time inside quiet hours is moved to the end of the window (True)
    or kept, to be skipped at claim time (False).
    """

    tz: tzinfo
    wall_for: Callable[[date], datetime | None]
    days: frozenset[int] = frozenset()
    quiet: QuietHours | None = None
    quiet_move: bool = True


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One due nudge: its anchor date, when it is due (UTC) and whether quiet hours touched it."""

    anchor: date
    due: datetime
    moved_by_quiet: bool = False
    in_quiet: bool = False


def wall_at(anchor: date, base: time, offset_minutes: int = 0, night: bool = False) -> datetime:
    """A wall time relative to an anchor date; ``night`` puts times before noon on the next day."""
    day = anchor + timedelta(days=1) if night and base < time(12, 0) else anchor
    return datetime.combine(day, base) + timedelta(minutes=offset_minutes)


def occurrence_for(rule: Rule, anchor: date) -> Occurrence | None:
    """The occurrence of ``rule`` on one anchor date, with quiet hours applied."""
    if rule.days and anchor.weekday() not in rule.days:
        return None
    wall = rule.wall_for(anchor)
    if wall is None:
        return None
    moved = in_quiet = False
    if rule.quiet is not None and rule.quiet.contains(wall.time()):
        if rule.quiet_move:
            wall = rule.quiet.end_after(wall)
            moved = True
        else:
            in_quiet = True
    return Occurrence(anchor, localize(wall, rule.tz), moved, in_quiet)


def next_occurrence(
    rule: Rule, after: datetime, *, min_anchor: date | None = None
) -> Occurrence | None:
    """The first occurrence due strictly after ``after``, anchored later than ``min_anchor``."""
    if after.tzinfo is None:
        raise ValueError("naive datetime")
    # An anchor's wall time lies within about a day of it (night times run past
    # midnight, leads are at most hours), so the day before is the earliest candidate.
    start = local_date(after, rule.tz) - timedelta(days=1)
    best: Occurrence | None = None
    # Offsets and quiet moves shift a wall time by at most a day or so; look a little
    # past one week so every weekday pattern has a candidate.
    for i in range(11):
        anchor = start + timedelta(days=i)
        if best is not None and anchor > best.anchor + timedelta(days=2):
            break
        if min_anchor is not None and anchor <= min_anchor:
            continue
        occ = occurrence_for(rule, anchor)
        if occ is not None and occ.due > after and (best is None or occ.due < best.due):
            best = occ
    return best
