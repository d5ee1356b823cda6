"""Benchmark: reading run files, and Pacer's figures against the watches' own summaries.

Run by hand (not a test)::

    .venv/bin/python bench/runfile_bench.py [--fit PATH ...]

Table 1, read time (CPU seconds, best of 3) of whole files through ``read_run_file``:
a marathon-length GPX and TCX (4 h, one point a second, written with gpxpy and
ElementTree from a generated loop) and the FIT files given (default: the real
recordings in ``tests/data/runfiles``); the GPX and TCX also through gpxpy and
tcxreader on the same points, which is why the XML formats are read with iterparse.
"The library's decoding alone" is the XML parser's events (iterparse, nothing done with
them) or fitdecode's frames as ``read_fit`` asks for them; Pacer's own share is the rest
(fields to samples, distance, moving time, best efforts).

Table 2, every recording in ``tests/data/runfiles`` whose watch wrote a summary:
distance and moving time as Pacer reports them (the summary), and as worked out from
the points alone (the path a GPX without a summary takes), against the device's figures.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gzip
import io
import math
import time
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fitdecode
import gpxpy
import gpxpy.gpx
from tcxreader.tcxreader import TCXReader

from bot.errors import BadInput
from bot.runfiles import read_run_file
from bot.runfiles.fit import read_fit
from bot.runfiles.track import Track, measure
from bot.runfiles.xml_tracks import read_gpx, read_tcx

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "runfiles"
TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def loop(seconds: int) -> list[tuple[datetime, float, float, float, float]]:
    """(time, lat, lon, elevation, distance) once a second around an 800 m loop at 5:30 /km."""
    start = datetime(2026, 10, 4, 8, 0, tzinfo=UTC)
    speed = 1000 / 330
    out = []
    for t in range(seconds):
        angle = speed * t / 800
        lat = 52.5 + 800 * math.sin(angle) / 111_320
        lon = 13.4 + 800 * math.cos(angle) / 67_800
        out.append(
            (start + timedelta(seconds=t), lat, lon, 40 + 8 * math.sin(3 * angle), speed * t)
        )
    return out


def as_gpx(points: list[tuple[datetime, float, float, float, float]]) -> bytes:
    """The points as a GPX track (gpxpy's writer)."""
    gpx = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack()
    track.type = "running"  # type: ignore[assignment]
    segment = gpxpy.gpx.GPXTrackSegment()
    for when, lat, lon, ele, _ in points:
        segment.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon, ele, when))
    track.segments.append(segment)
    gpx.tracks.append(track)
    return gpx.to_xml().encode()


def as_tcx(points: list[tuple[datetime, float, float, float, float]]) -> bytes:
    """The points as a TCX activity (ElementTree's writer)."""
    ET.register_namespace("", TCX_NS)
    root = ET.Element(f"{{{TCX_NS}}}TrainingCenterDatabase")
    activity = ET.SubElement(
        ET.SubElement(root, f"{{{TCX_NS}}}Activities"), f"{{{TCX_NS}}}Activity", Sport="Running"
    )
    ET.SubElement(activity, f"{{{TCX_NS}}}Id").text = points[0][0].isoformat()
    lap = ET.SubElement(activity, f"{{{TCX_NS}}}Lap", StartTime=points[0][0].isoformat())
    track = ET.SubElement(lap, f"{{{TCX_NS}}}Track")
    for when, lat, lon, ele, dist in points:
        point = ET.SubElement(track, f"{{{TCX_NS}}}Trackpoint")
        ET.SubElement(point, f"{{{TCX_NS}}}Time").text = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        position = ET.SubElement(point, f"{{{TCX_NS}}}Position")
        ET.SubElement(position, f"{{{TCX_NS}}}LatitudeDegrees").text = f"{lat:.7f}"
        ET.SubElement(position, f"{{{TCX_NS}}}LongitudeDegrees").text = f"{lon:.7f}"
        ET.SubElement(point, f"{{{TCX_NS}}}AltitudeMeters").text = f"{ele:.1f}"
        ET.SubElement(point, f"{{{TCX_NS}}}DistanceMeters").text = f"{dist:.1f}"
    out = io.BytesIO()
    ET.ElementTree(root).write(out, encoding="UTF-8", xml_declaration=True)
    return out.getvalue()


def cpu(work: Callable[[], object], repeat: int = 3) -> float:
    """Best CPU time of ``repeat`` runs (CPU, not wall: the host is shared)."""
    best = math.inf
    for _ in range(repeat):
        began = time.process_time()
        work()
        best = min(best, time.process_time() - began)
    return best


def read_table(fits: list[Path]) -> list[str]:
    """Table 1: read times."""
    points = loop(4 * 3600)
    gpx, tcx = as_gpx(points), as_tcx(points)
    rows = [
        "| file | size | points | Pacer: read and measured | Pacer: parsed only "
        "(iterparse / fitdecode) | the library's decoding alone | Pacer's own share "
        "| gpxpy or tcxreader: parsed only |"
    ]
    rows.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    gpx_lib = cpu(lambda: gpxpy.parse(gpx.decode()))
    tcx_lib = cpu(lambda: TCXReader().read(io.BytesIO(tcx), only_gps=False))  # type: ignore[arg-type]
    xml_files: list[tuple[str, bytes, Callable[[bytes], list[Track]], float]] = [
        ("marathon.gpx (4 h, 1 s)", gpx, read_gpx, gpx_lib),
        ("marathon.tcx (4 h, 1 s)", tcx, read_tcx, tcx_lib),
    ]
    for name, data, parse, lib in xml_files:

        def read(data: bytes = data, name: str = name) -> None:
            read_run_file(name.split()[0], data)

        def parsed_only(data: bytes = data, parse: Callable[[bytes], list[Track]] = parse) -> None:
            parse(data)

        def events(data: bytes = data) -> None:
            for _ in ET.iterparse(io.BytesIO(data), events=("end",)):
                pass

        took, alone = cpu(read), cpu(events)
        rows.append(
            f"| {name} | {len(data) / 1e6:.1f} MB | {len(points):,} | {took:.3f} s | "
            f"{cpu(parsed_only):.3f} s | {alone:.3f} s | {took - alone:.3f} s | {lib:.3f} s |"
        )
    for path in fits:
        data = path.read_bytes()
        records = sum(len(t.samples) for t in read_fit(data))

        def whole(data: bytes = data, name: str = path.name) -> None:
            with contextlib.suppress(BadInput):  # a refusal is read all the same
                read_run_file(name, data)

        def fit_only(data: bytes = data) -> None:
            read_fit(data)

        def decoding(data: bytes = data) -> None:
            # fitdecode as read_fit drives it (no data processor, checksum checked).
            with (
                warnings.catch_warnings(),
                contextlib.suppress(fitdecode.FitError),
                fitdecode.FitReader(
                    io.BytesIO(data),
                    processor=None,
                    check_crc=fitdecode.CrcCheck.RAISE,
                    error_handling=fitdecode.ErrorHandling.WARN,
                ) as reader,
            ):
                warnings.simplefilter("ignore")
                for _ in reader:
                    pass

        total, alone = cpu(whole), cpu(decoding)
        rows.append(
            f"| {path.name} | {len(data) / 1e6:.2f} MB | {records:,} | {total:.3f} s | "
            f"{cpu(fit_only):.3f} s | {alone:.3f} s | {total - alone:.3f} s | — |"
        )
    return rows


def readers_table(fits: list[Path]) -> list[str]:
    """Table 3 (``--readers``): other FIT readers on the same files, those importable.

    Not Pacer's dependencies: install them apart to compare, e.g.
    ``.venv/bin/python -m pip install --target /tmp/fitalt fitparse garmin-fit-sdk fitfast``
    then ``PYTHONPATH=.:/tmp/fitalt``. fitdecode's own options are timed too (checksum
    off is not an option for Pacer: a damaged file would be read as good).
    """
    import importlib

    def fitdecode_with(crc: Any, processor: Any = None) -> Callable[[bytes], None]:
        def go(data: bytes) -> None:
            with (
                warnings.catch_warnings(),
                contextlib.suppress(fitdecode.FitError),
                fitdecode.FitReader(io.BytesIO(data), processor=processor, check_crc=crc) as reader,
            ):
                warnings.simplefilter("ignore")
                for _ in reader:
                    pass

        return go

    readers: list[tuple[str, Callable[[bytes], None]]] = [
        (
            "fitdecode, checksum checked, no processor (Pacer)",
            fitdecode_with(fitdecode.CrcCheck.RAISE),
        ),
        ("fitdecode, checksum not checked", fitdecode_with(fitdecode.CrcCheck.DISABLED)),
        (
            "fitdecode, default data processor",
            fitdecode_with(fitdecode.CrcCheck.RAISE, fitdecode.DefaultDataProcessor()),
        ),
    ]
    with contextlib.suppress(ImportError):
        fitparse = importlib.import_module("fitparse")

        def by_fitparse(data: bytes) -> None:
            with warnings.catch_warnings(), contextlib.suppress(Exception):
                warnings.simplefilter("ignore")
                for _ in fitparse.FitFile(io.BytesIO(data)).get_messages():
                    pass

        readers.append((f"fitparse {fitparse.__version__}", by_fitparse))
    with contextlib.suppress(ImportError):
        sdk = importlib.import_module("garmin_fit_sdk")

        def by_sdk(data: bytes) -> None:
            sdk.Decoder(sdk.Stream.from_byte_array(bytearray(data))).read(
                convert_datetimes_to_dates=False, merge_heart_rates=False
            )

        readers.append(("garmin-fit-sdk (Garmin's Python SDK)", by_sdk))
    with contextlib.suppress(ImportError):
        fitfast = importlib.import_module("fitfast")

        def by_fitfast(data: bytes) -> None:
            with contextlib.suppress(Exception):
                fitfast.parse(data)

        readers.append((f"fitfast {fitfast.__version__} (Rust)", by_fitfast))
    rows = ["| reader | " + " | ".join(p.name for p in fits) + " |"]
    rows.append("| --- |" + " ---: |" * len(fits))
    blobs = [p.read_bytes() for p in fits]
    for name, read in readers:
        times = [cpu(lambda data=data, read=read: read(data)) for data in blobs]  # type: ignore[misc]
        rows.append(f"| {name} | " + " | ".join(f"{t:.3f} s" for t in times) + " |")
    return rows


def error_table() -> list[str]:
    """Table 2: Pacer's figures and the points-only figures against the device summaries."""
    rows = [
        "| file | device distance | device timer | Pacer distance | Pacer moving | "
        "points-only distance | points-only moving |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for path in sorted(DATA.glob("*.*")):
        kind = path.name.removesuffix(".gz").rsplit(".", 1)[-1]
        if kind not in ("fit", "tcx"):
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        try:
            tracks: list[Track] = (read_fit if kind == "fit" else read_tcx)(data)
        except BadInput:
            continue
        for track in tracks:
            summary = track.summary
            if summary is None or not summary.timer_s or not summary.distance_m:
                continue
            try:
                pacer = measure(dataclasses.replace(track, sport="running"), "")
                bare = measure(dataclasses.replace(track, sport="running", summary=None), "")
            except BadInput:
                continue
            device_d, device_t = summary.distance_m, summary.timer_s

            def off(value: float, device: float) -> str:
                return f"{(value - device) / device * 100:+.1f} %"

            rows.append(
                f"| {path.name} ({track.sport}) | {device_d:,.0f} m | {device_t:,.0f} s | "
                f"{off(pacer.distance_m, device_d)} | {off(pacer.moving_s, device_t)} | "
                f"{off(bare.distance_m, device_d)} | {bare.moving_s - device_t:+,.0f} s "
                f"({off(bare.moving_s, device_t)}) |"
            )
    return rows


def main() -> None:
    """Print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fit", type=Path, nargs="*", help="FIT files to time (default: tests/data)"
    )
    parser.add_argument(
        "--readers", action="store_true", help="only time other FIT readers on the files"
    )
    args = parser.parse_args()
    fits = args.fit or sorted(p for p in DATA.glob("*.fit") if p.stat().st_size > 50_000)
    if args.readers:
        print("\n".join(readers_table(fits)))
        return
    print("\n".join(read_table(fits)))
    print()
    print("\n".join(error_table()))


if __name__ == "__main__":
    main()
