"""GPX, FIT and TCX files into a :class:`Track`, through gpxpy, fitdecode and tcxreader.

The libraries do the parsing; this module only picks the samples out, and
turns each way a file can be broken into a sentence for the runner.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from datetime import datetime, timedelta
from typing import Any

import fitdecode
import gpxpy
import gpxpy.geo
import gpxpy.gpx
from tcxreader.tcxreader import TCXReader

from bot.errors import BadInput
from bot.runfiles.track import RunFile, Sample, Track, aware, measure, seconds_between

MAX_FILE_BYTES = 20 * 1024 * 1024
KINDS = ("gpx", "fit", "tcx")
SEMICIRCLE = 180 / 2**31
NOTHING_SAVED = "Nothing was saved."


def too_big(filename: str, size: int) -> BadInput:
    """The refusal for a file over the limit (adapters check before downloading)."""
    return BadInput(
        f"{filename} is {size / 1024 / 1024:.1f} MB; run files can be up to "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB. {NOTHING_SAVED}",
        hint="Export the run alone (one activity) from your watch app and send that.",
    )


def read_run_file(filename: str, data: bytes) -> RunFile:
    """Read a GPX, FIT or TCX file (``.gz`` too) and measure the run in it."""
    if len(data) > MAX_FILE_BYTES:
        raise too_big(filename, len(data))
    if not data:
        raise BadInput(f"{filename} is empty. {NOTHING_SAVED}")
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(filename, data)
    kind = sniff(filename, data)
    digest = hashlib.sha256(data).hexdigest()
    if kind == "fit":
        track = read_fit(data)
    elif kind == "gpx":
        track = read_gpx(data)
    else:
        track = read_tcx(data)
    return measure(track, digest)


def _gunzip(filename: str, data: bytes) -> bytes:
    """Unpack a ``.gz`` file, refusing one that unpacks past the size limit."""
    unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = unpacker.decompress(data, MAX_FILE_BYTES + 1)
    except zlib.error:
        raise BadInput(f"{filename} is a damaged .gz file. {NOTHING_SAVED}") from None
    if len(out) > MAX_FILE_BYTES:
        raise too_big(filename, len(out))
    if not unpacker.eof:
        raise BadInput(f"{filename} is cut short (the .gz file ends early). {NOTHING_SAVED}")
    return out


def sniff(filename: str, data: bytes) -> str:
    """Which format a file is in, by its content first and its name second."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lower()
    if b"<gpx" in head:
        return "gpx"
    if b"<trainingcenterdatabase" in head:
        return "tcx"
    name = filename.lower().removesuffix(".gz")
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext in KINDS:
        raise BadInput(
            f"{filename} doesn't look like a {ext.upper()} file inside (it may be damaged). "
            f"{NOTHING_SAVED}"
        )
    raise BadInput(
        f"I can't read {filename}: send a GPX, FIT or TCX file from your watch or app. "
        f"{NOTHING_SAVED}"
    )


# --- FIT --------------------------------------------------------------------------


def read_fit(data: bytes) -> Track:
    """Records of a FIT activity; a timer stop starts a new segment."""
    samples: list[tuple[Any, float | None, float | None, float | None, float | None, int]] = []
    sports: list[str] = []
    segment = 0
    stopped = False
    activity: tuple[Any, Any] | None = None
    try:
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as reader:
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                if frame.name == "record":
                    samples.append(
                        (
                            frame.get_value("timestamp", fallback=None),
                            frame.get_value("distance", fallback=None),
                            _altitude(frame),
                            frame.get_value("position_lat", fallback=None),
                            frame.get_value("position_long", fallback=None),
                            segment,
                        )
                    )
                elif frame.name == "event" and frame.get_value("event", fallback=None) == "timer":
                    kind = str(frame.get_value("event_type", fallback=""))
                    if kind.startswith("stop"):
                        stopped = True
                    elif kind == "start" and stopped:
                        stopped = False
                        segment += 1
                elif frame.name in ("session", "sport"):
                    sport = frame.get_value("sport", fallback=None)
                    if sport is not None:
                        sports.append(str(sport))
                elif frame.name == "activity":
                    activity = (
                        frame.get_value("timestamp", fallback=None),
                        frame.get_value("local_timestamp", fallback=None),
                    )
    except fitdecode.FitEOFError:
        raise BadInput(f"This FIT file is cut short (truncated). {NOTHING_SAVED}") from None
    except fitdecode.FitCRCError:
        raise BadInput(
            f"This FIT file is damaged (its checksum doesn't match). {NOTHING_SAVED}"
        ) from None
    except (fitdecode.FitError, ValueError, KeyError, TypeError, IndexError) as error:
        raise BadInput(f"This FIT file is damaged ({error}). {NOTHING_SAVED}") from None
    timed = [s for s in samples if s[0] is not None]
    if not timed:
        raise BadInput(
            "This FIT file has no recorded points with times (is it an activity file?). "
            f"{NOTHING_SAVED}"
        )
    # Any other sport in the file (a ride, or a triathlon's legs) makes it not a run.
    others = [s for s in sports if s not in ("running", "generic", "transition")]
    sport = others[0] if others else ("running" if "running" in sports else "")
    first = timed[0][0]
    start: datetime | None = None
    start_wall: datetime | None = None
    # Records are all dated or all in device time (fitdecode gives a timestamp below
    # 0x10000000, seconds since the device started, as an int). Device time is placed
    # by the activity message's device-time end and local wall clock; a dated end
    # can't place it.
    if all(isinstance(s[0], datetime) for s in timed):
        start = aware(first)
        offsets = [seconds_between(first, s[0]) for s in timed]
    elif (
        all(isinstance(s[0], int) for s in timed)
        and activity is not None
        and isinstance(activity[0], int)
        and isinstance(activity[1], datetime)
    ):
        # Device time only: the activity message says what local time its end was.
        end_device, end_local = activity
        start_wall = end_local.replace(tzinfo=None) - timedelta(seconds=end_device - first)
        offsets = [float(s[0] - first) for s in timed]
    else:
        raise BadInput(f"This FIT file has no date for its records. {NOTHING_SAVED}")
    distances = _distances(
        [(s[1], _degrees(s[3]), _degrees(s[4]), s[5]) for s in timed],
    )
    track_samples = [
        Sample(t, d, s[2], s[5]) for t, d, s in zip(offsets, distances, timed, strict=True)
    ]
    return Track("fit", track_samples, start, start_wall, sport)


def _altitude(frame: fitdecode.FitDataMessage) -> float | None:
    value = frame.get_value("enhanced_altitude", fallback=None)
    if value is None:
        value = frame.get_value("altitude", fallback=None)
    return None if value is None else float(value)


def _degrees(semicircles: Any) -> float | None:
    return None if semicircles is None else float(semicircles) * SEMICIRCLE


def _distances(points: list[tuple[Any, float | None, float | None, int]]) -> list[float]:
    """Metres so far at each point: the device's own figure, else along the positions.

    A point without the device's figure (the first records of many watches) keeps the
    figure before it.
    """
    out: list[float] = []
    if any(p[0] is not None for p in points):
        last = 0.0
        for value, *_ in points:
            last = last if value is None else float(value)
            out.append(last)
        return out
    total = 0.0
    prev: tuple[float, float] | None = None
    for _, lat, lon, _segment in points:
        if lat is not None and lon is not None:
            if prev is not None:
                total += gpxpy.geo.haversine_distance(prev[0], prev[1], lat, lon)
            prev = (lat, lon)
        out.append(total)
    return out


# --- GPX --------------------------------------------------------------------------


def read_gpx(data: bytes) -> Track:
    """Track points of every track; each GPX segment stays a segment."""
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig", errors="replace"))
    except gpxpy.gpx.GPXXMLSyntaxException:
        raise BadInput(
            f"This GPX file is damaged or cut short (it isn't complete XML). {NOTHING_SAVED}"
        ) from None
    except (gpxpy.gpx.GPXException, ValueError) as error:
        raise BadInput(f"This GPX file is damaged ({error}). {NOTHING_SAVED}") from None
    sport = next((str(t.type) for t in gpx.tracks if t.type), "")
    points: list[tuple[datetime, float, float, float | None, int]] = []
    segment = 0
    untimed = 0
    for track in gpx.tracks:
        for seg in track.segments:
            segment += 1
            for p in seg.points:
                if p.time is None:
                    untimed += 1
                    continue
                points.append((aware(p.time), p.latitude, p.longitude, p.elevation, segment))
    if not points:
        if untimed:
            raise BadInput(
                f"This GPX file has {untimed:,} points but no times, so I can't tell how long "
                f"the run took. {NOTHING_SAVED}",
                hint="Export it again with timestamps, or log it by hand: /log 5k 25:00",
            )
        raise BadInput(f"This GPX file has no track in it. {NOTHING_SAVED}")
    points.sort(key=lambda p: p[0])
    start = points[0][0]
    distances = _distances([(None, p[1], p[2], p[4]) for p in points])
    samples = [
        Sample(seconds_between(start, p[0]), d, p[3], p[4])
        for p, d in zip(points, distances, strict=True)
    ]
    return Track("gpx", samples, start, None, sport)


# --- TCX --------------------------------------------------------------------------


def read_tcx(data: bytes) -> Track:
    """Trackpoints of a TCX activity (tcxreader), with the watch's own distances."""
    try:
        exercise = TCXReader().read(io.BytesIO(data), only_gps=False)  # type: ignore[arg-type]
    except Exception as error:  # ElementTree and tcxreader raise many kinds on bad input
        what = "cut short or damaged" if "no element found" in str(error) else "damaged"
        raise BadInput(f"This TCX file is {what} ({error}). {NOTHING_SAVED}") from None
    points = [p for p in exercise.trackpoints or [] if p.time is not None]
    if not points:
        raise BadInput(f"This TCX file has no trackpoints with times. {NOTHING_SAVED}")
    points.sort(key=lambda p: p.time)
    start = aware(points[0].time)
    distances = _distances([(p.distance, p.latitude, p.longitude, 0) for p in points])
    samples = [
        Sample(seconds_between(start, aware(p.time)), d, p.elevation)
        for p, d in zip(points, distances, strict=True)
    ]
    return Track("tcx", samples, start, None, str(exercise.activity_type or ""))
