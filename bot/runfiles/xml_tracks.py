"""GPX and TCX files into tracks, with the standard library's C XML parser (iterparse).

Measured against gpxpy and tcxreader on the same points (``bench/runfile_bench.py``):
iterparse reads them several times faster, so the XML formats are read here and
gpxpy stays for its distance formula. Points keep the file's own order; a point
without a time or a position is skipped, not a reason to refuse the file.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime

from bot.errors import BadInput
from bot.runfiles.geo import along
from bot.runfiles.track import Sample, Summary, Track, aware, seconds_between

NOTHING_SAVED = "Nothing was saved."
SPLIT_GAP_S = 2 * 3600  # GPX tracks further apart than this are separate activities
# A point: (time, lat, lon, elevation, distance from the file, recorded speed, segment).
Point = tuple[datetime, float | None, float | None, float | None, float | None, float | None, int]


def xml_body(data: bytes, label: str) -> bytes:
    """The XML from its first ``<``: blanks or a byte-order mark before it are tolerated
    (Strava writes blanks before ``<?xml``); declared entities are refused."""
    body = data.lstrip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not body.startswith(b"<"):
        raise BadInput(f"This {label} file is damaged (it isn't XML). {NOTHING_SAVED}")
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise BadInput(
            f"This {label} file declares XML entities of its own, which watch files never "
            f"do, so I won't read it. {NOTHING_SAVED}"
        )
    return body


def _elements(body: bytes, label: str) -> Iterator[tuple[str, ET.Element]]:
    """(local name, element) at the end of each element, with XML errors as refusals."""
    local = _LocalNames()
    try:
        for _, elem in ET.iterparse(io.BytesIO(body), events=("end",)):
            yield local[elem.tag], elem
    except ET.ParseError as error:
        raise _damaged(error, label) from None


def _damaged(error: ET.ParseError, label: str) -> BadInput:
    """The refusal for XML that doesn't parse."""
    short = "no element found" in str(error) or "unclosed token" in str(error)
    what = "cut short or damaged" if short else "damaged"
    return BadInput(
        f"This {label} file is {what} (it isn't complete XML: {error}). {NOTHING_SAVED}"
    )


class _LocalNames(dict[str, str]):
    """``{namespace}name`` -> ``name``, worked out once per tag (a file repeats a few)."""

    def __missing__(self, tag: str) -> str:
        name = self[tag] = tag[tag.rfind("}") + 1 :]
        return name


def _child(elem: ET.Element, name: str) -> ET.Element | None:
    for child in elem:
        if child.tag.rpartition("}")[2] == name:
            return child
    return None


def _text(elem: ET.Element | None) -> str | None:
    return None if elem is None or elem.text is None else elem.text.strip() or None


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is UTC else aware(moment)


def _speed(elem: ET.Element) -> float | None:
    """A speed recorded in the point's extensions (Garmin TPX/TrackPointExtension)."""
    for inner in elem.iter():
        if inner.tag.rpartition("}")[2] in ("speed", "Speed"):
            return _float(_text(inner))
    return None


def _track(kind: str, points: list[Point], sport: str, summary: Summary | None) -> Track:
    start = points[0][0]
    if all(p[4] is not None for p in points):
        base = points[0][4] or 0.0
        distances, last = [], 0.0
        for p in points:
            last = max(last, (p[4] or 0.0) - base)
            distances.append(last)
    else:
        distances = along([(p[1], p[2]) for p in points])
    samples = [
        Sample((p[0] - start).total_seconds(), d, p[3], p[6], p[5])
        for p, d in zip(points, distances, strict=True)
    ]
    return Track(kind, samples, start, None, sport, summary)


# --- GPX --------------------------------------------------------------------------


def read_gpx(data: bytes) -> list[Track]:
    """Each track of a GPX file (tracks close together in time join as segments)."""
    body = xml_body(data, "GPX")
    groups: list[tuple[str, list[Point]]] = []
    points: list[Point] = []
    segment = 0
    untimed = 0
    local = _LocalNames()
    try:
        # The parser's events read here, not through _elements: one generator less for
        # each of a long file's elements (a Strava import reads millions).
        for _, elem in ET.iterparse(io.BytesIO(body), events=("end",)):
            name = local[elem.tag]
            if name == "trkpt":
                when = ele = speed = None
                for child in elem:  # one pass over the point's children
                    part = local[child.tag]
                    if part == "time":
                        when = _time(child.text)
                    elif part == "ele":
                        ele = _float(child.text)
                    elif part == "extensions":
                        speed = _speed(child)
                try:  # inline, not _float: two calls less per point
                    lat: float | None = float(elem.attrib["lat"])
                    lon: float | None = float(elem.attrib["lon"])
                except (KeyError, ValueError):
                    lat, lon = _float(elem.get("lat")), _float(elem.get("lon"))
                if when is None:
                    untimed += lat is not None
                elif lat is not None and lon is not None:
                    points.append((when, lat, lon, ele, None, speed, segment))
                elem.clear()
            elif name == "trkseg":
                segment += 1
                elem.clear()
            elif name == "trk":
                if points:
                    groups.append((_text(_child(elem, "type")) or "", points))
                points = []
                elem.clear()
    except ET.ParseError as error:
        raise _damaged(error, "GPX") from None
    if not groups:
        if untimed:
            raise BadInput(
                f"This GPX file has {untimed:,} points but no times, so I can't tell how long "
                f"the run took. {NOTHING_SAVED}",
                hint="Export it again with timestamps, or log it by hand: /log 5k 25:00",
            )
        raise BadInput(f"This GPX file has no track in it. {NOTHING_SAVED}")
    # Tracks of one outing (a watch that starts a new track after each pause) join.
    joined: list[tuple[str, list[Point]]] = [groups[0]]
    for sport, group in groups[1:]:
        last_sport, last = joined[-1]
        gap = seconds_between(last[-1][0], group[0][0])
        if sport == last_sport and 0 <= gap <= SPLIT_GAP_S:
            last.extend(group)
        else:
            joined.append((sport, group))
    return [_track("gpx", group, sport, None) for sport, group in joined]


# --- TCX --------------------------------------------------------------------------


def read_tcx(data: bytes) -> list[Track]:
    """Each ``Activity`` of a TCX file, with its laps' totals as the watch's summary."""
    body = xml_body(data, "TCX")
    tracks: list[Track] = []
    points: list[Point] = []
    laps: list[tuple[datetime | None, float | None, float | None]] = []
    segment = 0
    for name, elem in _elements(body, "TCX"):
        if name == "Trackpoint":
            when = _time(_text(_child(elem, "Time")))
            if when is not None:
                lat = lon = None
                position = _child(elem, "Position")
                if position is not None:
                    lat = _float(_text(_child(position, "LatitudeDegrees")))
                    lon = _float(_text(_child(position, "LongitudeDegrees")))
                ele = _float(_text(_child(elem, "AltitudeMeters")))
                dist = _float(_text(_child(elem, "DistanceMeters")))
                ext = _child(elem, "Extensions")
                speed = None if ext is None else _speed(ext)
                if dist is not None or (lat is not None and lon is not None):
                    points.append((when, lat, lon, ele, dist, speed, segment))
            elem.clear()
        elif name == "Track":
            segment += 1  # a new Track inside a lap is a watch started again
            elem.clear()
        elif name == "Lap":
            laps.append(
                (
                    _time(elem.get("StartTime")),
                    _float(_text(_child(elem, "TotalTimeSeconds"))),
                    _float(_text(_child(elem, "DistanceMeters"))),
                )
            )
            elem.clear()
        elif name == "Activity":
            if points:
                tracks.append(_track("tcx", points, elem.get("Sport") or "", _lap_summary(laps)))
            points, laps = [], []
            elem.clear()
    if not tracks:
        raise BadInput(f"This TCX file has no trackpoints with times. {NOTHING_SAVED}")
    return tracks


def _lap_summary(laps: list[tuple[datetime | None, float | None, float | None]]) -> Summary:
    """The laps' totals: timer time and distance when every lap has them."""
    timer = [lap[1] for lap in laps]
    dist = [lap[2] for lap in laps]
    return Summary(
        distance_m=sum(d for d in dist if d is not None) if None not in dist else None,
        timer_s=sum(t for t in timer if t is not None) if None not in timer else None,
        start=laps[0][0] if laps else None,
    )
