"""Files whose clock misleads: a point stamped ahead, time travel, the watch's timer clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.runfiles import read_run_file
from tests.fakes import Harness
from tests.runfiles.test_log_file import send, stored
from tests.runfiles.test_verdicts import read, refusal


def retimed(gpx: str, index: int, seconds: int, *, after: bool = False) -> str:
    """``run-pause.gpx`` with point ``index`` (and every later one, with ``after``) moved
    by ``seconds``."""
    head, *points = gpx.split("<trkpt ")
    for k in range(index, len(points) if after else index + 1):
        found = re.search(r"<time>([^<]+)</time>", points[k])
        assert found is not None
        moved = datetime.fromisoformat(found.group(1)) + timedelta(seconds=seconds)
        stamp = moved.strftime("%Y-%m-%dT%H:%M:%SZ")
        points[k] = points[k].replace(found.group(0), f"<time>{stamp}</time>", 1)
    return "<trkpt ".join([head, *points])


def test_a_point_stamped_ahead_of_both_neighbours_is_held_not_refused() -> None:
    gpx = read("run-pause.gpx").decode()
    plain = read_run_file("run-pause.gpx", gpx.encode()).only
    run = read_run_file("ahead.gpx", retimed(gpx, 300, 300).encode()).only
    assert run.distance_m == pytest.approx(plain.distance_m, abs=0.01)
    assert run.elapsed_s == plain.elapsed_s
    assert run.moving_s == pytest.approx(plain.moving_s, abs=2)
    assert run.start == plain.start
    # The next point steps back 5 min from it: the file's clock is not trusted for efforts.
    assert run.efforts == {} and run.timing_note == "its clock steps back 1 time"


T0 = datetime(2024, 5, 4, 7, 0, tzinfo=UTC)


def straight_run(stamps: list[datetime], step_m: float = 15.0) -> bytes:
    """A running GPX going north ``step_m`` per point (15 m: 0.000135 degrees of
    latitude), one point at each of ``stamps``."""
    step = 0.000135 * step_m / 15.0
    points = "".join(
        f'<trkpt lat="{52 + k * step:.6f}" lon="13.0">'
        f"<time>{stamp:%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        for k, stamp in enumerate(stamps)
    )
    return (
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><type>running</type><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


EVERY_5_S = [T0 + timedelta(seconds=5 * k) for k in range(41)]  # 600 m in 200 s


def test_a_first_point_stamped_ahead_of_the_second_is_held_not_refused() -> None:
    plain = read_run_file("plain.gpx", straight_run(EVERY_5_S)).only
    stamps = [T0 + timedelta(minutes=5), *EVERY_5_S[1:]]  # 5 min ahead of the second
    run = read_run_file("first.gpx", straight_run(stamps)).only
    assert run.distance_m == pytest.approx(plain.distance_m, abs=0.01)
    assert run.start == T0 + timedelta(seconds=5)  # held at the second point's time
    assert run.elapsed_s == plain.elapsed_s - 5 == 195
    assert run.efforts == {} and run.timing_note == "its clock steps back 1 time"


def test_a_first_point_ahead_is_held_when_the_watch_records_every_90_s() -> None:
    every_90_s = [T0 + timedelta(seconds=90 * k) for k in range(21)]  # smart recording
    plain = read_run_file("plain.gpx", straight_run(every_90_s, 270.0)).only
    stamps = [T0 + timedelta(minutes=5), *every_90_s[1:]]  # 3.5 min ahead of the second
    run = read_run_file("first.gpx", straight_run(stamps, 270.0)).only
    assert run.distance_m == pytest.approx(plain.distance_m, abs=0.01)
    assert run.start == T0 + timedelta(seconds=90)  # held at the second point's time
    assert run.elapsed_s == plain.elapsed_s - 90
    assert run.timing_note == "its clock steps back 1 time"


def test_a_last_point_stamped_behind_the_one_before_is_held_not_refused() -> None:
    plain = read_run_file("plain.gpx", straight_run(EVERY_5_S)).only
    stamps = [*EVERY_5_S[:-1], EVERY_5_S[-2] - timedelta(minutes=5)]  # 5 min behind
    run = read_run_file("last.gpx", straight_run(stamps)).only
    assert run.distance_m == pytest.approx(plain.distance_m, abs=0.01)
    assert run.start == T0
    assert run.elapsed_s == plain.elapsed_s - 5 == 195  # held at the one before's time
    assert run.efforts == {} and run.timing_note == "its clock steps back 1 time"


def test_the_second_point_stepping_far_back_is_still_refused() -> None:
    # Two points before the clock goes back are not one bad stamp.
    stamps = [T0 + timedelta(minutes=5), T0 + timedelta(minutes=5, seconds=5), *EVERY_5_S[2:]]
    assert "clock goes back 5 min between two points" in refusal("two.gpx", straight_run(stamps))


@pytest.mark.parametrize("back", [timedelta(minutes=5), timedelta(hours=8)])
def test_a_second_point_stamped_behind_both_neighbours_does_not_move_the_start(
    back: timedelta,
) -> None:
    """The first point agrees with the third: the second is the odd one, not the first."""
    stamps = [T0, T0 - back, *EVERY_5_S[2:]]
    text = refusal("spike.gpx", straight_run(stamps))
    assert f"clock goes back {'5 min' if back.seconds == 300 else '8 h'} between two" in text


def test_a_clock_that_goes_back_and_stays_back_is_still_refused() -> None:
    gpx = read("run-pause.gpx").decode()
    text = refusal("back.gpx", retimed(gpx, 300, -300, after=True).encode())
    assert "clock goes back 5 min between two points" in text


def test_the_sports_tracker_gpx_is_read_despite_its_clock() -> None:
    # Its clock steps back 3,078 times, mostly 1-12 s, and ten single points are stamped
    # 75-297 s ahead of both neighbours (the first 5 min ahead was refused as the clock
    # going back). A GPX has no summary: the figures are the points' own (first 14:10:59,
    # last 16:00:41 UTC; 12,286 m in file order; 537 m of climb without the 12 leading
    # points at elevation 0.0).
    run = read_run_file("sports-tracker.gpx.gz", read("sports-tracker.gpx.gz")).only
    assert not run.sport_known  # no <type>: asked about
    assert run.distance_m == pytest.approx(12286, rel=0.01)
    assert run.elapsed_s == pytest.approx(6582, abs=30)
    assert run.start is not None and run.start.isoformat() == "2018-05-13T14:10:59+00:00"
    assert run.elevation_gain_m == pytest.approx(537, rel=0.1)
    assert run.efforts == {} and run.timing_note == "its clock steps back 3,078 times"


async def test_the_sports_tracker_gpx_in_the_chat(harness: Harness) -> None:
    chat = harness.chat()
    question = await send(chat, "sports-tracker.gpx.gz")
    assert question.startswith("This GPX file doesn't say what sport it is (12.30 km in "), question
    logged = (await chat.press("Yes")).text
    assert logged.startswith("Logged #1 · Sun 13 May 2018 · 12.30 km in 1:25:08 (6:55 /km)"), logged
    assert "climb 537 m" in logged, logged  # not 1,244 m from the leading 0.0 m points
    assert "No best efforts from this file: its clock steps back 3,078 times." in logged
    assert await stored(harness) == (1, 0)


def test_the_treadmills_best_efforts_run_on_the_watchs_timer() -> None:
    # Forerunner 945 on a treadmill, the timer stopped three times: on the watch's timer
    # (the stops left out, its stands with the timer running counted) the fastest 10 km
    # takes 47:21; Pacer's own moving clock, which also leaves the stands out, made it
    # 45:41, faster than the timer allows.
    run = read_run_file("treadmill.fit", read("treadmill.fit")).only
    assert run.efforts == {
        1000: pytest.approx(229.3, abs=0.5),
        5000: pytest.approx(1231.0, abs=0.5),
        10000: pytest.approx(2841.4, abs=0.5),
    }


async def test_the_treadmills_best_efforts_in_the_chat_and_stored(harness: Harness) -> None:
    chat = harness.chat()
    text = await send(chat, "treadmill.fit")
    assert "Best efforts in this run: 1 km 3:49 · 5 km 20:31 · 10 km 47:21" in text, text
    [run] = await harness.runs(chat)
    async with harness.db.reader() as uow:
        facts = await uow.tracks.facts(run.id)
    assert facts is not None
    assert {m: round(s) for m, s in facts.efforts.items()} == {1000: 229, 5000: 1231, 10000: 2841}


def test_a_paused_foot_pod_runs_efforts_on_its_timer_too() -> None:
    # Its timer stopped 110 s between two segments: a 10 km stretch spans the stop,
    # the stop left out and its slow stretches with the timer running counted.
    run = read_run_file("run-pause-footpod.fit", read("run-pause-footpod.fit")).only
    assert run.efforts[10000] == pytest.approx(3574.1, abs=0.5)  # 59:34, not 57:46


def test_a_file_shorter_than_a_run_is_refused_as_a_typed_one_is() -> None:
    # 6 points, 15 m apart: 75 m in 25 s (a watch started and stopped); 100 m is a run.
    short = refusal("short.gpx", straight_run(EVERY_5_S[:6]))
    assert short == "This GPX file covers 75 m; a run is at least 100 m. Nothing was saved."
    assert read_run_file("shortest.gpx", straight_run(EVERY_5_S[:8])).only.distance_m > 100
