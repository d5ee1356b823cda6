"""A recorded activity as a list of samples, and what Pacer reads from it.

Every reader (GPX, FIT, TCX) turns each activity in its file into a
:class:`Track`; one set of rules then works out the run, so the three formats
are measured the same way.

The watch's own numbers come first: where the file carries a summary (FIT
session, TCX lap totals), distance, moving (timer) time, elapsed time, start
and climb are the watch's. Where it does not, moving time is worked out from
the samples: a step counts as moving when the runner covered at least
:data:`MOVING_SPEED` over a window of :data:`WINDOW_S` seconds either side of
it, or when the speed the file records says so. Judging a window rather than
the step alone keeps the seconds a watch repeats its last distance for (many
do, then jump); a step longer than :data:`GAP_S` is judged on its own (an
auto-paused watch records nothing while you stand, then moves on). A timer stop
(FIT) or a new GPX segment counts neither distance nor time.

Best efforts, on the watch's timer clock or this moving clock, are found in
:mod:`bot.runfiles.efforts`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import NamedTuple

from bot.errors import BadInput
from bot.models import MIN_RUN_M
from bot.runfiles.efforts import run_efforts
from bot.runfiles.sports import check_sport, check_unnamed_speed

MOVING_SPEED = 0.3  # m/s over the window: slower than a steep hike, faster than GPS drift
WINDOW_S = 10.0  # s either side of a step over which movement is judged
GAP_S = 30.0  # s: a longer step without samples is judged on its own
JITTER_S = 60.0  # s: timestamps may step back this far (phones, some apps); more is a broken clock
CLOCK_JUMP_S = 6 * 3600.0  # s: a still step this long is the watch setting its clock
CLIMB_STEP = 3.0  # m: elevation noise below this is not a climb
# 2:30 /km, the fastest pace /log accepts: a whole track moving faster is not a run.
FASTEST_RUN_SPEED = 1000 / 150
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # GPS watches worth reading came later


class Sample(NamedTuple):
    """One recorded point: seconds since the first sample, metres so far, elevation.

    ``speed`` is the speed the file itself records at that point (m/s), if any. A named
    tuple, not a dataclass: a Strava import makes a million of them, and a tuple is made
    in half the time of a frozen dataclass.
    """

    t: float
    d: float
    ele: float | None = None
    segment: int = 0
    speed: float | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """The watch's own totals for the activity (FIT session or laps, TCX laps)."""

    distance_m: float | None = None
    timer_s: float | None = None
    elapsed_s: float | None = None
    ascent_m: float | None = None
    start: datetime | None = None


@dataclass(frozen=True, slots=True)
class Track:
    """One activity a reader found: its samples in the file's order and where it began.

    ``start`` is the first sample's instant (aware). Some watches record only
    device time plus a local wall-clock time: then ``start`` is None and
    ``start_wall`` is the naive local time, read in the runner's own zone.
    """

    kind: str
    samples: list[Sample]
    start: datetime | None
    start_wall: datetime | None = None
    sport: str = ""
    summary: Summary | None = None


@dataclass(frozen=True, slots=True)
class RunFile:
    """A run read from a file: what gets stored and shown."""

    kind: str  # gpx, fit or tcx
    sha256: str
    distance_m: float
    moving_s: float
    elapsed_s: float
    elevation_gain_m: float | None
    efforts: dict[int, float] = field(default_factory=dict)  # metres -> seconds
    start: datetime | None = None  # aware UTC
    start_wall: datetime | None = None  # naive local wall-clock time
    from_summary: bool = False  # distance and moving time are the watch's own totals
    sport_known: bool = True  # False: the file did not say it is a run (ask first)
    timing_note: str = ""  # why no best efforts, when the file's clock can't be trusted

    def local_start(self, tz: tzinfo) -> datetime:
        """When the run began on the runner's wall clock."""
        if self.start is not None:
            return self.start.astimezone(tz)
        assert self.start_wall is not None
        return self.start_wall.replace(tzinfo=tz)

    def start_utc(self, tz: tzinfo) -> datetime:
        """When the run began, as an aware UTC instant."""
        return self.local_start(tz).astimezone(UTC)

    @property
    def pause_s(self) -> float:
        """Time left out of the moving time."""
        return max(0.0, self.elapsed_s - self.moving_s)


def aware(moment: datetime) -> datetime:
    """Files without a zone mean UTC (GPX and TCX times are UTC by their schemas)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class _Clock:
    """The samples' times made usable: back-jitter held, clock jumps closed."""

    times: list[float]
    shift: float  # seconds the start moves by: a clock jump, or a first point held
    note: str  # what made the timing untrustworthy ("" when it is fine)


def _steady_clock(samples: list[Sample], label: str) -> _Clock:
    """Times in the file's order; refuse real time travel.

    A single point stamped more than :data:`JITTER_S` ahead of both neighbours, the
    next one back in the normal sequence, is a bad timestamp, not the clock going
    back: it is held at its predecessor's time, like jitter. At the ends of the file
    a point has one neighbour: a first point stamped that far ahead of the second is
    held at the second's time (the start moves with it) when it is that far ahead of
    the third too and the third is not far behind the second, so the first is the odd
    one out (whatever the recording interval); a second point
    stamped far behind both neighbours is the clock going back, not a reason to move
    the start. A last point stamped that far behind the one before is held at that
    one's time. (A first point far behind the second, or a last one far ahead, reads
    as a wait at the start or the end and only stretches the time from start to
    finish, so it stays.)
    """
    times: list[float] = []
    last = len(samples) - 1
    latest = samples[0].t
    # The first is the odd one out when it is ahead of the third too, and the third is
    # not far behind the second (then the second would be the odd one).
    first_odd = last == 1 or (
        last > 1 and latest - samples[2].t > JITTER_S and samples[2].t >= samples[1].t - JITTER_S
    )
    if last and latest - samples[1].t > JITTER_S and first_odd:
        latest = samples[1].t  # the first point stamped ahead of the next two: held
    backs = 0
    shift = 0.0
    note = ""
    for index, sample in enumerate(samples):
        t = sample.t - shift if index else latest
        if index and sample.t < samples[index - 1].t:
            backs += 1  # the file's own steps back, not the points held after one
        if 0 < index < last and t - latest > JITTER_S:
            after = samples[index + 1].t - shift
            if t - after > JITTER_S and after >= latest - JITTER_S:
                times.append(latest)
                continue
        if index and index == last and latest - t > JITTER_S:
            times.append(latest)  # the last point stamped behind the one before: held
            continue
        if t < latest:
            if latest - t > JITTER_S:
                raise BadInput(
                    f"This {label} file's clock goes back {_span(latest - t)} between two "
                    "points, so I can't tell how long the run took. Nothing was saved.",
                    hint="Export it again from the watch's own app, or log it by hand.",
                )
            t = latest
        elif index and t - latest > CLOCK_JUMP_S and sample.d - samples[index - 1].d < 1000:
            # The watch set its clock mid-run (a GPS fix after a flat battery): the jump
            # is not time spent, so close it to one second.
            shift += t - latest - 1
            t = latest + 1
            note = "its clock jumped"
        latest = t
        times.append(t)
    if backs and not note:
        note = f"its clock steps back {backs:,} time{'s' if backs != 1 else ''}"
    return _Clock(times, shift + times[0] - samples[0].t, note)


def _span(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes / 60:.0f} h" if minutes >= 120 else f"{minutes:.0f} min"


def measure(track: Track, sha256: str) -> RunFile:
    """The run in a track: the watch's summary first, else worked out from the samples."""
    samples = track.samples
    label = track.kind.upper()
    # The declared sport first: an indoor ride of 0 m is a ride, not "no movement".
    sport_known = check_sport(track.sport, track.kind)
    if len(samples) < 2:
        raise BadInput(
            f"This {label} file has {'no' if not samples else 'only one'} recorded "
            "point with a time, so there is no run in it. Nothing was saved."
        )
    clock = _steady_clock(samples, label)
    times = clock.times
    distance, moving_s, moved, moving = _moving(samples, times)
    elapsed = times[-1] - times[0]
    summary = track.summary or Summary()
    watch_distance = _positive(summary.distance_m)
    watch_timer = _positive(summary.timer_s)
    # A summary timer longer than the whole recording is not the watch's timer.
    if watch_timer is not None and watch_timer > elapsed + 60 and not clock.note:
        watch_timer = None
    watch_elapsed = _positive(summary.elapsed_s)
    if watch_elapsed is not None and (clock.note or watch_elapsed < (watch_timer or 0)):
        watch_elapsed = None
    distance = watch_distance or distance
    moving_s = watch_timer or moving_s
    elapsed = watch_elapsed or elapsed
    if distance < 10 or moving_s <= 0:
        raise BadInput(
            f"This {label} file has no movement in it ({distance:.0f} m). Nothing was saved."
        )
    if distance < MIN_RUN_M:  # as a typed run: less is a slip or a watch left on
        raise BadInput(
            f"This {label} file covers {math.floor(distance)} m; a run is at least "
            f"{MIN_RUN_M:.0f} m. Nothing was saved."
        )
    speed = distance / moving_s
    if not sport_known:
        check_unnamed_speed(track.kind, speed)
    start = summary.start if summary.start is not None else track.start
    start_wall = track.start_wall
    if clock.shift and summary.start is None:
        offset = timedelta(seconds=clock.shift)
        start = None if start is None else start + offset
        start_wall = None if start_wall is None else start_wall + offset
    _check_date(start or (start_wall.replace(tzinfo=UTC) if start_wall else None), label)
    if speed > FASTEST_RUN_SPEED:
        raise BadInput(
            f"This {label} file moves at {speed * 3.6:.0f} km/h on average: speeds only a "
            "bike makes, so it looks like a ride, not a run. Nothing was saved.",
            hint="Pacer logs runs only.",
        )
    climb = summary.ascent_m if summary.ascent_m is not None else None
    if climb is None:
        climb = elevation_gain([s.ele for s in samples])
    efforts: dict[int, float] = {}
    if not clock.note:
        efforts = run_efforts(
            [s.d for s in samples],
            [s.segment for s in samples],
            times,
            (moved, moving),
            watch_timer,
        )
    return RunFile(
        kind=track.kind,
        sha256=sha256,
        distance_m=distance,
        moving_s=moving_s,
        elapsed_s=max(elapsed, moving_s),
        elevation_gain_m=climb,
        efforts=efforts,
        start=start,
        start_wall=start_wall if start is None else None,
        from_summary=watch_distance is not None and watch_timer is not None,
        sport_known=sport_known,
        timing_note=clock.note,
    )


def _positive(value: float | None) -> float | None:
    return value if value is not None and value > 0 else None


def _check_date(start: datetime | None, label: str) -> None:
    """Refuse a run dated before GPS watches (an unset clock); the future is refused on log."""
    if start is not None and start < EARLIEST:
        raise BadInput(
            f"This {label} file's run is dated {start:%d %b %Y}, before 2000: the watch's "
            "clock was not set. Nothing was saved.",
            hint="Log it by hand with its real date: /log 5k 25:00 2026-11-20",
        )


def _moving(
    samples: list[Sample], times: list[float]
) -> tuple[float, float, list[float], list[float]]:
    """Distance, moving time, and the moving clock with the distance covered on it."""
    dist = [s.d for s in samples]  # plain lists: the window reads them many times a step
    seg = [s.segment for s in samples]
    distance = moved_so_far = moving_so_far = 0.0
    moved = [0.0]
    moving = [0.0]
    lo = hi = 0
    count = len(samples)
    for i in range(1, count):
        dd = dt = 0.0
        here = seg[i]
        if here == seg[i - 1]:
            dd = dist[i] - dist[i - 1]
            if dd < 0:
                dd = 0.0
            step = times[i] - times[i - 1]
            if 0 < step <= GAP_S:
                # The window: WINDOW_S either side of the step, inside its segment.
                first = times[i - 1] - WINDOW_S
                while times[lo] < first or seg[lo] != here:
                    lo += 1
                if hi < i:
                    hi = i
                last = times[i] + WINDOW_S
                while hi + 1 < count and times[hi + 1] <= last and seg[hi + 1] == here:
                    hi += 1
                span = times[hi] - times[lo]
                if (span > 0 and (dist[hi] - dist[lo]) / span >= MOVING_SPEED) or (
                    (speed := samples[i].speed) is not None and speed >= MOVING_SPEED
                ):
                    dt = step  # moved over the window, or the file's own speed says so
            elif step > GAP_S and dd / step >= MOVING_SPEED:
                dt = step
        distance += dd
        if dt:
            moved_so_far += dd
            moving_so_far += dt
        moved.append(moved_so_far)
        moving.append(moving_so_far)
    return distance, moving_so_far, moved, moving


def elevation_gain(elevations: list[float | None]) -> float | None:
    """Metres climbed, counting a climb once it rises :data:`CLIMB_STEP` above the low point.

    Elevations of exactly 0.0 before the first other value are a device without an
    altitude fix yet (Sports Tracker writes them), not a start at sea level: left out.
    A 0 m later in the run is a real elevation and counts.
    """
    values = [e for e in elevations if e is not None]
    first = next((k for k, value in enumerate(values) if value != 0.0), len(values))
    values = values[first:]
    if len(values) < 2:
        return None
    gain = 0.0
    low = values[0]
    for value in values[1:]:
        if value < low:
            low = value
        elif value - low >= CLIMB_STEP:
            gain += value - low
            low = value
    return gain


def seconds_between(a: datetime, b: datetime) -> float:
    """``b - a`` in seconds."""
    return (b - a) / timedelta(seconds=1)
