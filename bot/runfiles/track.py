"""A recorded run as a list of samples, and what Pacer reads from it.

Every reader (GPX, FIT, TCX) turns its file into a :class:`Track`; one set of
rules then works out the distance, the moving time, the elevation gain and the
best efforts, so the three formats are measured the same way.

Moving time: a step between two consecutive samples counts when the runner
covered it at :data:`MOVING_SPEED` (0.5 m/s, 1.8 km/h) or faster. Standing at a
light, a stopped watch (FIT timer stop, a new GPX segment) or GPS drift while
waiting is left out; walking breaks stay in (as on Strava and Garmin). Distance
counts every step inside a segment; a jump between segments counts neither
distance nor time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from bot.errors import BadInput

MOVING_SPEED = 0.5  # m/s: slower than a walking break, faster than standing GPS drift
CLIMB_STEP = 3.0  # m: elevation noise below this is not a climb
# Standard distances (metres) whose fastest stretch inside a track is kept.
EFFORT_DISTANCES = (1000, 5000, 10000, 21097)
EFFORT_NAMES = {1000: "1 km", 5000: "5 km", 10000: "10 km", 21097: "half"}
HALF_MARATHON_M = 21097.5
# 2:30 /km, the fastest pace /log accepts: a whole track moving faster is not a run.
FASTEST_RUN_SPEED = 1000 / 150
RUN_SPORTS = ("run", "jog", "lauf", "treadmill", "trail", "generic", "other")


@dataclass(frozen=True, slots=True)
class Sample:
    """One recorded point: seconds since the first sample, metres so far, elevation."""

    t: float
    d: float
    ele: float | None = None
    segment: int = 0


@dataclass(frozen=True, slots=True)
class Track:
    """What a reader found: the samples in time order and where the run began.

    ``start`` is the first sample's instant (aware). Some watches record only
    device time plus a local wall-clock time: then ``start`` is None and
    ``start_wall`` is the naive local time, read in the runner's own zone.
    """

    kind: str
    samples: list[Sample]
    start: datetime | None
    start_wall: datetime | None = None
    sport: str = ""


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


def check_sport(sport: str, kind: str) -> None:
    """Refuse a file whose own sport says it is not a run."""
    name = sport.strip().lower()
    if any(word in name for word in ("cycl", "bik", "ride", "velo", "rad")):
        raise BadInput(
            f"This {kind.upper()} file is a ride ({sport}), not a run. Nothing was saved.",
            hint="Pacer logs runs only.",
        )
    if name and not name.isdigit() and not any(word in name for word in RUN_SPORTS):
        raise BadInput(
            f"This {kind.upper()} file records {sport}, not a run. Nothing was saved.",
            hint="Pacer logs runs only.",
        )


def measure(track: Track, sha256: str) -> RunFile:
    """Distance, moving time, elevation gain and best efforts of a track."""
    samples = track.samples
    label = track.kind.upper()
    if len(samples) < 2:
        raise BadInput(
            f"This {label} file has {'no' if not samples else 'only one'} recorded "
            "point with a time, so there is no run in it. Nothing was saved."
        )
    check_sport(track.sport, track.kind)
    distance = 0.0
    # The moving clock, and the distance covered while moving (GPS drift at a light
    # must not shorten a best effort).
    moved = [0.0]
    moving = [0.0]
    for prev, cur in itertools.pairwise(samples):
        dd = dt = 0.0
        if cur.segment == prev.segment:
            dd = max(0.0, cur.d - prev.d)
            step = cur.t - prev.t
            if step > 0 and dd / step >= MOVING_SPEED:
                dt = step
        distance += dd
        moved.append(moved[-1] + (dd if dt else 0.0))
        moving.append(moving[-1] + dt)
    moving_s = moving[-1]
    elapsed = samples[-1].t - samples[0].t
    if distance < 10 or moving_s <= 0:
        raise BadInput(
            f"This {label} file has no movement in it ({distance:.0f} m). Nothing was saved."
        )
    efforts = best_efforts(moved, moving)
    speed = distance / moving_s
    if speed > FASTEST_RUN_SPEED:
        raise BadInput(
            f"This {label} file moves at {speed * 3.6:.0f} km/h on average: speeds only a "
            "bike makes, so it isn't a run. Nothing was saved.",
            hint="Pacer logs runs only.",
        )
    return RunFile(
        kind=track.kind,
        sha256=sha256,
        distance_m=distance,
        moving_s=moving_s,
        elapsed_s=elapsed,
        elevation_gain_m=elevation_gain([s.ele for s in samples]),
        efforts=efforts,
        start=track.start,
        start_wall=track.start_wall,
    )


def elevation_gain(elevations: list[float | None]) -> float | None:
    """Metres climbed, counting a climb once it rises :data:`CLIMB_STEP` above the low point."""
    values = [e for e in elevations if e is not None]
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


def best_efforts(dist: list[float], clock: list[float]) -> dict[int, float]:
    """The fastest stretch of each standard distance: seconds on the moving clock.

    Two pointers over the cumulative distance: for every end sample, the start
    lies exactly the standard distance back, interpolated between two samples.
    """
    found: dict[int, float] = {}
    total = dist[-1]
    for length in EFFORT_DISTANCES:
        target = HALF_MARATHON_M if length == 21097 else float(length)
        if total < target:
            continue
        best: float | None = None
        i = 0
        for j in range(1, len(dist)):
            begin = dist[j] - target
            if begin < 0:
                continue
            while dist[i + 1] <= begin:
                i += 1
            span = dist[i + 1] - dist[i]
            part = (begin - dist[i]) / span if span > 0 else 0.0
            started = clock[i] + (clock[i + 1] - clock[i]) * part
            seconds = clock[j] - started
            if best is None or seconds < best:
                best = seconds
        if best is not None and best > 0:
            found[length] = best
    return found


def seconds_between(a: datetime, b: datetime) -> float:
    """``b - a`` in seconds."""
    return (b - a) / timedelta(seconds=1)
