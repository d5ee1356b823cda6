"""FIT activity files into tracks, through fitdecode: one track per session.

Read leniently where the data is intact (a vendor's misaligned field sizes, as
COROS writes them, are read the way fitparse does, with a warning), and refused
where it is not: a bad checksum or a file cut short.
"""

from __future__ import annotations

import io
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import fitdecode

from bot.errors import BadInput
from bot.runfiles.geo import along
from bot.runfiles.track import Sample, Summary, Track, aware, seconds_between

SEMICIRCLE = 180 / 2**31
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
DEVICE_TIME = 0x10000000  # FIT times below this are seconds since the device started
NOTHING_SAVED = "Nothing was saved."
# A record: [timestamp, distance, altitude, lat, lon, speed, segment].
Record = list[Any]


class _Reading:
    """What the frames of one FIT file said, gathered while reading."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.sessions: list[dict[str, Any]] = []
        self.laps: list[dict[str, Any]] = []
        self.sports: list[str] = []
        self.activity: tuple[Any, Any] | None = None
        self.segment = 0
        self.stopped = False

    def take(self, frame: fitdecode.FitDataMessage) -> None:
        """One data message."""
        name = frame.name
        if name == "record":
            # One pass over the record's fields (get_value scans them once per name, and a
            # long file has tens of thousands of records); the first of a name wins, as
            # with get_value.
            values: dict[str, Any] = {}
            for field in frame.fields:
                if field.name not in values:
                    values[field.name] = field.value
            speed = values.get("enhanced_speed")
            if speed is None:
                speed = values.get("speed")
            altitude = values.get("enhanced_altitude")
            if altitude is None:
                altitude = values.get("altitude")
            record = [
                values.get("timestamp"),  # FIT seconds: dated from 0x10000000, else device time
                values.get("distance"),
                None if altitude is None else float(altitude),
                values.get("position_lat"),
                values.get("position_long"),
                speed,
                self.segment,
            ]
            last = self.records[-1] if self.records else None
            if last is not None and last[0] == record[0] and record[0] is not None:
                # Distance and position in two records of the same second: one sample.
                for k in range(1, 6):
                    if last[k] is None:
                        last[k] = record[k]
            else:
                self.records.append(record)
        elif name == "event" and frame.get_value("event", fallback=None) == "timer":
            kind = str(frame.get_value("event_type", fallback=""))
            if kind.startswith("stop"):
                self.stopped = True
            elif kind == "start" and self.stopped:
                self.stopped = False
                self.segment += 1
        elif name in ("session", "lap"):
            values = {
                key: frame.get_value(key, fallback=None)
                for key in (
                    "sport",
                    "sub_sport",
                    "start_time",
                    "total_elapsed_time",
                    "total_timer_time",
                    "total_distance",
                    "total_ascent",
                )
            }
            values["start_time"] = _when(values["start_time"])
            (self.sessions if name == "session" else self.laps).append(values)
        elif name == "sport":
            sport = frame.get_value("sport", fallback=None)
            if sport is not None:
                self.sports.append(str(sport))
        elif name == "activity":
            local = _when(frame.get_value("local_timestamp", fallback=None))
            self.activity = (
                _when(frame.get_value("timestamp", fallback=None)),
                local.replace(tzinfo=None) if isinstance(local, datetime) else local,
            )


def read_fit(data: bytes) -> list[Track]:
    """Each session of a FIT activity as a track; a timer stop starts a new segment."""
    reading = _Reading()
    try:
        with warnings.catch_warnings():
            # fitdecode warns about each vendor quirk it reads around; they are not news.
            warnings.simplefilter("ignore")
            with fitdecode.FitReader(
                io.BytesIO(data),
                # Without fitdecode's data processor: it only turns times into datetimes,
                # which _when does for the few fields read, and it costs a third of the time.
                processor=None,
                check_crc=fitdecode.CrcCheck.RAISE,
                error_handling=fitdecode.ErrorHandling.WARN,
            ) as reader:
                for frame in reader:
                    if isinstance(frame, fitdecode.FitDataMessage):
                        reading.take(frame)
    except fitdecode.FitEOFError:
        raise BadInput(f"This FIT file is cut short (truncated). {NOTHING_SAVED}") from None
    except fitdecode.FitCRCError:
        raise BadInput(
            f"This FIT file is damaged (its checksum doesn't match). {NOTHING_SAVED}"
        ) from None
    except (fitdecode.FitError, ValueError, KeyError, TypeError, IndexError) as error:
        # Past the watch's summary the run is known; a broken tail loses only detail.
        if not reading.sessions or not reading.records:
            raise BadInput(f"This FIT file is damaged ({error}). {NOTHING_SAVED}") from None
    return _tracks(reading)


def _when(value: Any) -> Any:
    """A FIT time as an aware datetime; device time (seconds since power-on) stays an int."""
    if isinstance(value, int) and value >= DEVICE_TIME:
        return FIT_EPOCH + timedelta(seconds=value)
    return value


def _tracks(reading: _Reading) -> list[Track]:
    # Record times stay FIT seconds (ints) while the tracks are cut: only a track's
    # first one becomes a datetime.
    timed = [r for r in reading.records if isinstance(r[0], int)]
    if not timed:
        raise BadInput(
            "This FIT file has no recorded points with times (is it an activity file?). "
            f"{NOTHING_SAVED}"
        )
    sessions = [s for s in reading.sessions if str(s["sport"]) != "transition"]
    dated = all(r[0] >= DEVICE_TIME for r in timed)
    if dated and len(sessions) > 1 and all(_span(s) for s in sessions):
        tracks = []
        for each in sessions:
            begin, end = _span(each) or (timed[0][0], timed[-1][0])
            inside = [r for r in timed if begin <= r[0] <= end]
            if inside:
                tracks.append(_track(inside, reading, each))
        if tracks:
            return tracks
    session: dict[str, Any] | None = sessions[0] if len(sessions) == 1 else None
    if session is None and not reading.sessions and reading.laps:
        session = _laps_total(reading.laps)
    return [_track(timed, reading, session)]


def _span(session: dict[str, Any]) -> tuple[float, float] | None:
    """A session's first and last second, in FIT seconds like the records' times."""
    start, elapsed = session["start_time"], session["total_elapsed_time"]
    if not isinstance(start, datetime) or not elapsed:
        return None
    begin = seconds_between(FIT_EPOCH, start)
    return begin, begin + float(elapsed) + 1


def _laps_total(laps: list[dict[str, Any]]) -> dict[str, Any]:
    """A session made of the laps, for a file that has laps but no session."""

    def total(key: str) -> float | None:
        values = [float(lap[key]) for lap in laps if lap[key] is not None]
        return sum(values) if len(values) == len(laps) else None

    return {
        "sport": laps[0]["sport"],
        "sub_sport": laps[0]["sub_sport"],
        "start_time": laps[0]["start_time"],
        "total_elapsed_time": total("total_elapsed_time"),
        "total_timer_time": total("total_timer_time"),
        "total_distance": total("total_distance"),
        "total_ascent": total("total_ascent"),
    }


def _track(timed: list[Record], reading: _Reading, session: dict[str, Any] | None) -> Track:
    first = timed[0][0]
    start: datetime | None = None
    start_wall: datetime | None = None
    # Records are all dated or all in device time (fitdecode gives a timestamp below
    # 0x10000000, seconds since the device started, as an int). Device time is placed
    # by the activity message's device-time end and local wall clock; a dated end
    # can't place it.
    activity = reading.activity
    if all(r[0] >= DEVICE_TIME for r in timed):
        start = FIT_EPOCH + timedelta(seconds=first)
        offsets = [float(r[0] - first) for r in timed]
    elif (
        all(r[0] < DEVICE_TIME for r in timed)
        and activity is not None
        and isinstance(activity[0], int)
        and isinstance(activity[1], datetime)
    ):
        end_device, end_local = activity
        start_wall = end_local.replace(tzinfo=None) - timedelta(seconds=end_device - first)
        offsets = [float(r[0] - first) for r in timed]
    else:
        raise BadInput(f"This FIT file has no date for its records. {NOTHING_SAVED}")
    distances = _distances(timed)
    samples = [
        Sample(t, d, r[2], r[6], None if r[5] is None else float(r[5]))
        for t, d, r in zip(offsets, distances, timed, strict=True)
    ]
    sport = ""
    summary = None
    if session is not None:
        sport = _sport(session)
        began = session["start_time"]
        summary = Summary(
            distance_m=_number(session["total_distance"]),
            timer_s=_number(session["total_timer_time"]),
            elapsed_s=_number(session["total_elapsed_time"]),
            ascent_m=_number(session["total_ascent"]),
            start=aware(began) if isinstance(began, datetime) else None,
        )
    elif reading.sports:
        others = [s for s in reading.sports if s not in ("generic", "transition")]
        sport = others[0] if others else reading.sports[0]
    return Track("fit", samples, start, start_wall, sport, summary)


def _sport(session: dict[str, Any]) -> str:
    sport = "" if session["sport"] is None else str(session["sport"])
    sub = "" if session["sub_sport"] is None else str(session["sub_sport"])
    if sport in ("generic", "") and sub not in ("generic", ""):
        return sub
    return sport


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _distances(records: list[Record]) -> list[float]:
    """Metres since the first record: the device's own figure, else along the positions.

    A record without the device's figure (the first records of many watches) keeps
    the figure before it; a figure that drops back is held (a session's reset).
    """
    if any(r[1] is not None for r in records):
        out: list[float] = []
        base: float | None = None
        last = 0.0
        for r in records:
            if r[1] is not None:
                value = float(r[1])
                base = value if base is None else base
                last = max(last, value - base)
            out.append(last)
        return out
    return along(
        [
            (None, None) if r[3] is None or r[4] is None else (r[3] * SEMICIRCLE, r[4] * SEMICIRCLE)
            for r in records
        ]
    )
