"""Parsing what runners type, including property-based round trips."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.commands import find_command, split_text
from bot.dates import parse_days, parse_start, parse_when
from bot.daytimes import parse_clock, parse_hours
from bot.errors import BadInput
from bot.parsing import (
    FASTEST_PACE_S_PER_KM,
    METERS_PER_MILE,
    check_pace,
    format_duration,
    format_pace,
    parse_distance,
    parse_duration,
    parse_timezone,
)


@given(st.integers(min_value=1, max_value=72 * 3600))
def test_duration_round_trips_through_its_format(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


@given(st.integers(min_value=0, max_value=71), st.integers(0, 59), st.integers(0, 59))
def test_hms_and_unit_forms_agree(h: int, m: int, s: int) -> None:
    total = h * 3600 + m * 60 + s
    if total == 0:
        with pytest.raises(BadInput):
            parse_duration(f"{h}h{m}m{s}s")
        return
    assert parse_duration(f"{h}h{m}m{s}s") == total
    assert parse_duration(f"{h}:{m:02d}:{s:02d}") == total


# From 100 m, the shortest run (bot.models.MIN_RUN_M), to 300 km.
@given(st.decimals(min_value="0.1", max_value="300", places=2))
def test_km_distances_parse_to_metres(km: object) -> None:
    assert parse_distance(f"{km}km") == pytest.approx(float(str(km)) * 1000)
    assert parse_distance(f"{km}k") == pytest.approx(float(str(km)) * 1000)


@given(st.decimals(min_value="0.001", max_value="0.099", places=3))
def test_a_distance_under_100_m_is_no_run(km: object) -> None:
    with pytest.raises(BadInput, match="a run is at least 100 m"):
        parse_distance(f"{km}k")


@given(st.decimals(min_value="0.07", max_value="186", places=2))
def test_mile_distances_parse_to_metres(mi: object) -> None:
    assert parse_distance(f"{mi}mi") == pytest.approx(float(str(mi)) * METERS_PER_MILE)


@given(st.floats(min_value=100, max_value=300_000), st.integers(min_value=1, max_value=200_000))
def test_pace_check_refuses_exactly_the_superhuman(meters: float, seconds: int) -> None:
    pace = seconds / (meters / 1000)
    if FASTEST_PACE_S_PER_KM <= pace <= 1800:
        check_pace(meters, seconds)
    else:
        with pytest.raises(BadInput):
            check_pace(meters, seconds)


@given(st.integers(min_value=1000, max_value=100_000), st.integers(min_value=150, max_value=1800))
def test_pace_format_matches_arithmetic(meters: int, pace_s: int) -> None:
    seconds = round(meters / 1000 * pace_s)
    m, s = map(int, format_pace(meters, seconds, "km").split()[0].split(":"))
    assert abs((m * 60 + s) - seconds / (meters / 1000)) <= 0.5


def test_distance_words() -> None:
    assert parse_distance("half") == 21097.5
    assert parse_distance("Marathon") == 42195
    assert parse_distance("5,5km") == 5500
    assert parse_distance("5", "mi") == pytest.approx(5 * METERS_PER_MILE)


@pytest.mark.parametrize("bad", ["", "km", "5 parsecs", "-3k", "0k", "1e9m", "301km"])
def test_bad_distances(bad: str) -> None:
    with pytest.raises(BadInput):
        parse_distance(bad)


@pytest.mark.parametrize("bad", ["", "abc", "25:60", "1:60:00", "0s", "73h", "-25:00", "25"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(BadInput):
        parse_duration(bad)


def test_when_words() -> None:
    thursday = date(2026, 11, 26)
    assert parse_when("sunday", thursday) == date(2026, 11, 22)
    assert parse_when("Thursday", thursday) == thursday
    with pytest.raises(BadInput):
        parse_when("someday", thursday)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("23:10", "23:10"), ("7", "07:00"), ("11pm", "23:00"), ("6:30am", "06:30"), ("12am", "00:00"),
     ("22.45", "22:45"), ("23h15", "23:15")],
)  # fmt: skip
def test_clock_times(typed: str, expected: str) -> None:
    assert parse_clock(typed) == expected


def test_hours_and_days() -> None:
    assert parse_hours("7h20") == pytest.approx(7.33)
    assert parse_hours("7:30") == 7.5
    assert parse_hours("6,5") == 6.5
    assert parse_days("Mon, WED sat") == (0, 2, 5)
    assert parse_days("weekends") == (5, 6)


def test_time_zones() -> None:
    assert parse_timezone("europe/berlin") == ("Europe/Berlin", "")
    assert parse_timezone("Tokyo") == ("Asia/Tokyo", "")
    assert parse_timezone("gmt")[0] == "UTC"
    zone, warning = parse_timezone("-3")
    assert zone == "-03:00" and "daylight saving" in warning
    with pytest.raises(BadInput, match="Did you mean America/New_York"):
        parse_timezone("America/New_Yrok")


def test_split_text_for_log_and_strength() -> None:
    log = find_command("log")
    assert log is not None
    assert split_text(log, "5 km 25:00 yesterday easy run") == {
        "distance": "5km",
        "duration": "25:00",
        "when": "yesterday",
        "note": "easy run",
    }
    assert split_text(log, "5k 25:00 felt good") == {
        "distance": "5k",
        "duration": "25:00",
        "note": "felt good",
    }
    strength = find_command("strength")
    assert strength is not None
    assert split_text(strength, "side plank 45") == {"exercise": "side-plank", "detail": "45"}
    runs = find_command("runs")
    assert runs is not None
    assert split_text(runs, "5 extra") == {"count": "5", "_extra": "extra"}


@pytest.mark.parametrize(
    ("typed", "zone", "warns"),
    [
        ("buenos aires", "America/Argentina/Buenos_Aires", False),
        ("EST", "America/New_York", True),
        ("pst", "America/Los_Angeles", True),
        ("mumbai", "Asia/Kolkata", False),
        ("Etc/GMT+2", "Etc/GMT+2", True),
    ],
)
def test_time_zone_aliases(typed: str, zone: str, warns: bool) -> None:
    got, warning = parse_timezone(typed)
    assert got == zone and bool(warning) == warns


def test_offsets_beyond_minus_twelve_are_refused() -> None:
    from bot.errors import BadInput

    with pytest.raises(BadInput):
        parse_timezone("-13")


@pytest.mark.parametrize(
    ("when", "day", "start"),
    [
        ("2026-11-20 7:30", date(2026, 11, 20), time(7, 30)),
        ("yesterday 4:50", date(2026, 11, 25), time(4, 50)),
        ("yesterday 6:30pm", date(2026, 11, 25), time(18, 30)),
    ],
)
def test_a_when_of_its_own_takes_any_clock_time(when: str, day: date, start: time) -> None:
    """A `when` option (Discord's) holds only the day and its start: 7:30 is no pace there."""
    assert parse_start(when, date(2026, 11, 26)) == (day, start)


def test_a_distance_just_under_the_shortest_run_never_reads_as_the_limit() -> None:
    with pytest.raises(BadInput) as refused:
        parse_distance("99.6m", "km")
    assert str(refused.value).startswith("99.6m is 99 m; a run is at least 100 m.")
