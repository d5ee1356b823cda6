"""The run-file reader on real recordings: what it measures, and every refusal."""

from __future__ import annotations

import gzip
import struct
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import fitdecode
import gpxpy
import pytest
from fitdecode.utils import compute_crc

from bot.errors import BadInput
from bot.runfiles import MAX_FILE_BYTES, read_run_file
from bot.runfiles.efforts import best_efforts
from bot.runfiles.track import Sample, Track, elevation_gain, measure

DATA = Path(__file__).resolve().parent.parent / "data" / "runfiles"


def read(name: str) -> bytes:
    """A test file's bytes."""
    return (DATA / name).read_bytes()


def test_gpx_run_with_a_pause_leaves_the_pause_out() -> None:
    gpx = read_run_file("run-pause.gpx", read("run-pause.gpx")).only
    fit = read_run_file("run-gps.fit", read("run-gps.fit")).only  # the same run, unpaused
    assert gpx.kind == "gpx"
    assert gpx.distance_m == pytest.approx(4783, abs=5)
    # The GPX stands still for 3 minutes after 2 km: on the clock, not in the moving time.
    assert gpx.elapsed_s == pytest.approx(fit.elapsed_s + 180, abs=2)  # points vs watch
    # The FIT's moving time is the watch's timer (no auto-pause: it ran through every
    # stop); the GPX's is worked out from the points, so stops on the hills are left out.
    assert gpx.moving_s == pytest.approx(fit.moving_s, rel=0.12)
    assert gpx.moving_s < fit.moving_s and not gpx.from_summary and fit.from_summary
    assert gpx.pause_s >= 180
    assert gpx.elevation_gain_m == pytest.approx(163, abs=3)
    assert gpx.start == datetime(2013, 2, 6, 12, 11, 14, tzinfo=UTC)
    assert gpx.local_start(ZoneInfo("Europe/Berlin")) == datetime(
        2013, 2, 6, 13, 11, 14, tzinfo=ZoneInfo("Europe/Berlin")
    )


def test_fit_run_with_a_timer_pause() -> None:
    run = read_run_file("run-pause-footpod.fit", read("run-pause-footpod.fit")).only
    assert run.kind == "fit"
    assert run.distance_m == pytest.approx(10248, rel=0.005)  # the watch says 10,248.67 m
    # The watch was stopped for 110 s (timer stop at +681 s, start at +791 s), and the
    # watch's own timer time is 3,772.75 s: the pause is not in the moving time.
    assert run.elapsed_s == pytest.approx(3883.27, abs=0.01)  # the watch's session totals
    assert run.moving_s == pytest.approx(3772.75, abs=0.01)
    assert run.from_summary
    assert run.pause_s >= 110
    assert run.elevation_gain_m is None  # a foot pod: no altitude
    # A footpod watch records device time plus its local wall clock: read in the runner's zone.
    assert run.start is None
    assert run.start_wall == datetime(2012, 2, 13, 11, 16, 16)
    berlin = run.local_start(ZoneInfo("Europe/Berlin"))
    assert (berlin.date().isoformat(), berlin.hour, berlin.minute) == ("2012-02-13", 11, 16)
    assert set(run.efforts) == {1000, 5000, 10000}


def test_fit_run_with_gps_and_altitude() -> None:
    run = read_run_file("run-gps.fit", read("run-gps.fit")).only
    assert run.distance_m == pytest.approx(4835.38, abs=0.5)  # the device's own distance
    assert run.elapsed_s == pytest.approx(2625.14, abs=0.01)  # the session's totals
    assert run.elevation_gain_m == 168  # the watch's total_ascent
    assert run.start == datetime(2013, 2, 6, 12, 11, 14, tzinfo=UTC)


def test_tcx_run() -> None:
    run = read_run_file("run.tcx", read("run.tcx")).only
    assert run.kind == "tcx"
    assert run.distance_m == pytest.approx(9007, abs=2)
    assert run.elapsed_s == pytest.approx(2832, abs=2)
    assert run.moving_s == pytest.approx(2832, abs=2)  # the watch timed 2,832 s; no stops
    assert run.start == datetime(2015, 8, 15, 14, 45, 8, tzinfo=UTC)
    denver = run.local_start(ZoneInfo("America/Denver"))
    assert (denver.day, denver.hour, denver.minute) == (15, 8, 45)
    assert run.efforts[1000] == pytest.approx(246, abs=3)
    assert run.efforts[5000] == pytest.approx(1304, abs=5)
    assert 10000 not in run.efforts  # 9 km has no 10 km inside it


def test_gzipped_file_reads_the_same_and_hashes_the_same() -> None:
    plain = read_run_file("run.tcx", read("run.tcx")).only
    packed = read_run_file("run.tcx.gz", gzip.compress(read("run.tcx"))).only
    assert packed.distance_m == plain.distance_m
    assert packed.sha256 == plain.sha256


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("truncated.fit", read("truncated.fit"), "cut short"),
        ("corrupt-crc.fit", read("corrupt-crc.fit"), "damaged (its checksum"),
        ("ride.fit", read("ride.fit"), "is a ride (cycling)"),
        ("car.gpx", read("car.gpx"), "speeds only a bike makes"),
        ("empty.gpx", b"", "is empty"),
        ("half.gpx", read("run-pause.gpx")[:30000], "GPX file is cut short or damaged"),
        ("half.tcx", read("run.tcx")[:30000], "TCX file is cut short"),
        ("notes.txt", b"ran 5k today", "send a GPX, FIT or TCX file"),
        ("broken.fit", b"\x0e\x10" + b"x" * 40, "doesn't look like a FIT file"),
        ("big.gpx", b"<gpx" + b" " * MAX_FILE_BYTES, "is 20.1 MB, over the 20 MB limit"),
        (
            "bomb.gpx.gz",
            gzip.compress(b" " * (MAX_FILE_BYTES + 10)),
            "unpacks to more than 20 MB, over the 20 MB limit",
        ),
    ],
)
def test_refusals_say_what_is_wrong(name: str, data: bytes, expected: str) -> None:
    with pytest.raises(BadInput) as refused:
        read_run_file(name, data)
    assert expected in str(refused.value)
    assert "Nothing was saved" in str(refused.value)


def with_dated_activity(fit: bytes) -> bytes:
    """The footpod FIT file with its activity message dated (a real timestamp, not device
    time) while its records stay in device time; the file checksum made right again."""
    data = bytearray(fit)
    with fitdecode.FitReader(fit, keep_raw_chunks=True) as reader:
        [activity] = [
            f for f in reader if isinstance(f, fitdecode.FitDataMessage) and f.name == "activity"
        ]
    assert activity.def_mesg.field_defs[0].name == "timestamp"
    at = activity.chunk.offset + 1  # after the record header byte
    data[at : at + 4] = struct.pack("<I", 0x40000000)  # 2020: a date, not device time
    data[-2:] = struct.pack("<H", compute_crc(bytes(data[:-2])))
    return bytes(data)


def test_fit_with_device_time_records_and_a_dated_activity_is_refused() -> None:
    data = with_dated_activity(read("run-pause-footpod.fit"))
    with pytest.raises(BadInput, match="no date for its records"):
        read_run_file("odd.fit", data)


def test_gpx_without_timestamps_is_refused() -> None:
    gpx = gpxpy.parse(read("run-pause.gpx").decode())
    for point in gpx.tracks[0].segments[0].points:
        point.time = None
    with pytest.raises(BadInput, match="no times, so I can't tell how long"):
        read_run_file("untimed.gpx", gpx.to_xml().encode())


def test_gpx_whose_track_type_is_a_ride_is_refused() -> None:
    gpx = gpxpy.parse(read("run-pause.gpx").decode())
    gpx.tracks[0].type = "cycling"  # type: ignore[assignment]
    with pytest.raises(BadInput, match="is a ride"):
        read_run_file("ride.gpx", gpx.to_xml().encode())


def test_best_efforts_find_the_fastest_stretch_interpolated() -> None:
    # 10.5 km at 5:00 /km, except km 3-4 at 4:00 /km; a sample every 100 m.
    dist = [i * 100.0 for i in range(106)]
    clock = [0.0]
    for i in range(1, 106):
        clock.append(clock[-1] + (24.0 if 30 < i <= 40 else 30.0))
    found = best_efforts(dist, clock)
    assert found[1000] == pytest.approx(240)
    assert found[5000] == pytest.approx(240 + 4 * 300)
    assert found[10000] == pytest.approx(240 + 9 * 300)
    assert 21097 not in found
    # The start falls between two samples: 200 m into a 500 m step of 100 s is at 40 s.
    assert best_efforts([0, 500, 1200], [0, 100, 380])[1000] == pytest.approx(340)


def test_moving_time_leaves_out_standing_and_segment_jumps() -> None:
    samples = [
        Sample(0, 0),
        Sample(300, 1000),  # running
        Sample(420, 1010),  # 2 minutes at a light: 10 m of GPS drift
        Sample(720, 2010),  # running
        Sample(900, 2600, segment=1),  # watch stopped and moved on: neither counts
        Sample(1200, 3600, segment=1),
    ]
    run = measure(Track("gpx", samples, datetime(2026, 11, 26, 7, tzinfo=UTC)), "x")
    assert run.moving_s == 900
    assert run.distance_m == 3010
    assert not run.from_summary
    assert run.efforts[1000] == 300  # the 10 m of drift is no head start
    assert run.elapsed_s == 1200


def test_elevation_gain_ignores_noise() -> None:
    assert elevation_gain([100, 101, 100, 101, 100, 101]) == 0
    assert elevation_gain([100, 105, 103, 110, 90, 95]) == pytest.approx(5 + 7 + 5)
    assert elevation_gain([None, None]) is None


def test_leading_zero_elevations_are_no_fix_yet_but_a_later_zero_counts() -> None:
    # No altitude fix yet: 0.0 until the first real value, not a climb from sea level.
    assert elevation_gain([0.0, 0.0, None, 0.0, 707.0, 705.0, 712.0]) == pytest.approx(7)
    assert elevation_gain([0.0, 0.0, 0.0]) is None  # never a fix: no climb known
    # A run along the shore at sea level: a real 0 m in the middle, and the climb from it.
    assert elevation_gain([6.0, 2.0, 0.0, 0.0, 4.0, 9.0]) == pytest.approx(9)
    assert elevation_gain([0.0, 0.0, 5.0, 0.0, 8.0]) == pytest.approx(8)
