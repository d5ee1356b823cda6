"""Schedule math: wall times, weekdays, daylight saving, fixed offsets, quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dates import parse_days
from bot.errors import BadInput
from bot.models import UnknownZone, zone
from bot.nudges.schedule import (
    QuietHours,
    Rule,
    ScheduleError,
    localize,
    next_occurrence,
    parse_hhmm,
    wall_at,
)

from .conftest import utc


def daily(tz: str, hhmm: str, **kwargs: object) -> Rule:
    """A rule firing every day at a local time."""
    at = parse_hhmm(hhmm)
    return Rule(zone(tz), lambda d: wall_at(d, at), **kwargs)  # type: ignore[arg-type]


def occurrences(rule: Rule, start: datetime, end: datetime) -> list[datetime]:
    """Every due instant from ``start`` to ``end``, walking as the sweep does."""
    found = []
    occ = next_occurrence(rule, start)
    while occ is not None and occ.due < end:
        found.append(occ.due)
        occ = next_occurrence(rule, occ.due, min_anchor=occ.anchor)
    return found


@pytest.mark.parametrize(
    ("tz", "hhmm", "start", "expected"),
    [
        # New York falls back on 2026-11-01: 01:30 happens twice; we fire at the first (EDT).
        (
            "America/New_York",
            "01:30",
            utc(2026, 10, 31, 12),
            [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)],
        ),
        # New York springs forward on 2026-03-08: 02:30 does not exist; fire at 03:00 EDT.
        (
            "America/New_York",
            "02:30",
            utc(2026, 3, 7, 12),
            [utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)],
        ),
        # London springs forward 2026-03-29 01:00 -> 02:00: 01:30 becomes 02:00 BST.
        (
            "Europe/London",
            "01:30",
            utc(2026, 3, 28, 12),
            [utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)],
        ),
        # London falls back 2026-10-25: the first 01:30 (BST) only.
        (
            "Europe/London",
            "01:30",
            utc(2026, 10, 24, 12),
            [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)],
        ),
        # Sydney falls back 2026-04-05 03:00 -> 02:00: 02:30 twice, first one (AEDT).
        (
            "Australia/Sydney",
            "02:30",
            utc(2026, 4, 4, 0),
            [utc(2026, 4, 4, 15, 30), utc(2026, 4, 5, 16, 30)],
        ),
        # Sydney springs forward 2026-10-04 02:00 -> 03:00: 02:30 fires at 03:00 AEDT.
        (
            "Australia/Sydney",
            "02:30",
            utc(2026, 10, 3, 0),
            [utc(2026, 10, 3, 16, 0), utc(2026, 10, 4, 15, 30)],
        ),
    ],
)
def test_dst_nights_fire_once_and_never_get_lost(
    tz: str, hhmm: str, start: datetime, expected: list[datetime]
) -> None:
    rule = daily(tz, hhmm)
    assert occurrences(rule, start, expected[-1] + timedelta(minutes=1)) == expected


@pytest.mark.parametrize("tz", ["America/New_York", "Europe/London", "Australia/Sydney"])
@pytest.mark.parametrize("hhmm", ["00:30", "01:30", "02:30", "07:00", "23:59"])
def test_a_whole_year_has_exactly_one_nudge_per_local_day(tz: str, hhmm: str) -> None:
    rule = daily(tz, hhmm)
    dues = occurrences(rule, utc(2025, 12, 31, 15), utc(2026, 12, 31, 15))
    local_days = [d.astimezone(ZoneInfo(tz)).date() for d in dues]
    assert len(dues) == 365
    assert len(set(local_days)) == 365
    assert all(b > a for a, b in pairwise(dues))


def test_localize_gap_and_fold() -> None:
    ny = ZoneInfo("America/New_York")
    assert localize(datetime(2026, 3, 8, 2, 30), ny) == utc(2026, 3, 8, 7, 0)
    assert localize(datetime(2026, 3, 8, 2, 0), ny) == utc(2026, 3, 8, 7, 0)
    assert localize(datetime(2026, 3, 8, 3, 0), ny) == utc(2026, 3, 8, 7, 0)
    assert localize(datetime(2026, 11, 1, 1, 30), ny) == utc(2026, 11, 1, 5, 30)
    with pytest.raises(ValueError):
        localize(datetime(2026, 1, 1, tzinfo=UTC), ny)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("+02:00", utc(2026, 11, 27, 5)),
        ("-03:30", utc(2026, 11, 26, 10, 30)),
        ("UTC", utc(2026, 11, 27, 7)),
    ],
)
def test_fixed_offset_zones(name: str, expected: datetime) -> None:
    occ = next_occurrence(daily(name, "07:00"), utc(2026, 11, 26, 8))
    assert occ is not None and occ.due == expected


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(UnknownZone):
        zone("Mars/Olympus")
    with pytest.raises(UnknownZone):
        zone("+15:00")
    with pytest.raises(ScheduleError):
        parse_hhmm("25:00")
    with pytest.raises(BadInput):  # the one day parser, shared with /settings
        parse_days("mon,funday")
    assert parse_days("Mon, wed sat") == (0, 2, 5)
    assert parse_days("") == ()


def test_weekdays_limit_the_anchor_days() -> None:
    at = parse_hhmm("07:00")
    rule = Rule(
        zone("Europe/Berlin"), lambda d: wall_at(d, at, -10), days=frozenset(parse_days("mon,wed"))
    )
    # Thursday 2026-11-26 -> Monday 30th 06:50 Berlin (05:50 UTC), then Wednesday.
    dues = occurrences(rule, utc(2026, 11, 26, 12), utc(2026, 12, 3, 0))
    assert dues == [utc(2026, 11, 30, 5, 50), utc(2026, 12, 2, 5, 50)]


def test_night_anchor_keeps_after_midnight_bedtimes_on_the_evening_before() -> None:
    bedtime = time(0, 30)
    rule = Rule(zone("UTC"), lambda d: wall_at(d, bedtime, -30, night=True))
    occ = next_occurrence(rule, utc(2026, 11, 26, 12))
    assert occ is not None
    assert occ.anchor == date(2026, 11, 26)  # the night of Thursday
    assert occ.due == utc(2026, 11, 27, 0, 0)


def test_quiet_hours_window_crossing_midnight() -> None:
    quiet = QuietHours(time(22, 30), time(7, 0))
    assert quiet.contains(time(23, 0)) and quiet.contains(time(6, 59))
    assert quiet.contains(time(22, 30))
    assert not quiet.contains(time(7, 0)) and not quiet.contains(time(12, 0))
    assert not QuietHours(time(8, 0), time(8, 0)).contains(time(8, 0))
    day = QuietHours(time(13, 0), time(14, 0))
    assert day.contains(time(13, 30)) and not day.contains(time(14, 0))


def test_quiet_hours_move_or_flag() -> None:
    quiet = QuietHours(time(22, 30), time(7, 0))
    moved = next_occurrence(daily("Europe/London", "06:30", quiet=quiet), utc(2026, 11, 26, 12))
    assert moved is not None and moved.moved_by_quiet
    assert moved.due == utc(2026, 11, 27, 7, 0)
    kept = next_occurrence(
        daily("Europe/London", "23:00", quiet=quiet, quiet_move=False), utc(2026, 11, 26, 12)
    )
    assert kept is not None and kept.in_quiet and kept.due == utc(2026, 11, 26, 23, 0)


ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Apia",
    "+05:45",
    "-09:30",
]


@settings(max_examples=300, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    minute=st.integers(0, 1439),
    after=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
)
def test_next_occurrence_is_soon_after_and_at_the_wall_time(
    tz: str, minute: int, after: datetime
) -> None:
    at = time(minute // 60, minute % 60)
    rule = Rule(zone(tz), lambda d: wall_at(d, at))
    occ = next_occurrence(rule, after)
    assert occ is not None
    assert after < occ.due <= after + timedelta(days=1, hours=2)
    local = occ.due.astimezone(zone(tz))
    assert local.date() == occ.anchor
    if local.time() != at:  # only a DST gap may move it, and only forward
        assert localize(datetime.combine(occ.anchor, at), zone(tz)) == occ.due
        assert local.time() > at


@pytest.mark.parametrize(
    ("tz", "wall", "expected_utc", "expected_local"),
    [
        # New York springs forward 2027-03-14 02:00 -> 03:00: 02:40 fires at 03:00 EDT.
        ("America/New_York", datetime(2027, 3, 14, 2, 40), utc(2027, 3, 14, 7, 0), "03:00"),
        ("America/New_York", datetime(2027, 3, 14, 2, 1), utc(2027, 3, 14, 7, 0), "03:00"),
        ("America/New_York", datetime(2027, 3, 14, 2, 59), utc(2027, 3, 14, 7, 0), "03:00"),
        # London springs forward 2027-03-28 01:00 -> 02:00: 01:40 fires at 02:00 BST.
        ("Europe/London", datetime(2027, 3, 28, 1, 40), utc(2027, 3, 28, 1, 0), "02:00"),
        ("Europe/London", datetime(2027, 3, 28, 1, 17), utc(2027, 3, 28, 1, 0), "02:00"),
    ],
)
def test_a_time_in_the_spring_forward_gap_fires_exactly_at_the_gap_end(
    tz: str, wall: datetime, expected_utc: datetime, expected_local: str
) -> None:
    due = localize(wall, ZoneInfo(tz))
    assert due == expected_utc
    assert due.astimezone(ZoneInfo(tz)).strftime("%H:%M:%S") == expected_local + ":00"


@settings(max_examples=200, deadline=None)
@given(
    tz=st.sampled_from(["America/New_York", "Europe/London", "Australia/Sydney"]),
    year=st.integers(2020, 2035),
    minute=st.integers(0, 1439),
    day=st.integers(0, 365),
)
def test_localize_never_lands_after_the_first_valid_minute(
    tz: str, year: int, minute: int, day: int
) -> None:
    wall = datetime(year, 1, 1) + timedelta(days=day, minutes=minute)
    due = localize(wall, ZoneInfo(tz))
    local = due.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    assert due.second == 0 and local >= wall
    # Either the wall time itself, or the gap end: one second earlier is before the wall time.
    assert (
        local == wall
        or (due - timedelta(seconds=1)).astimezone(ZoneInfo(tz)).replace(tzinfo=None) < wall
    )
