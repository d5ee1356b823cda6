"""Benchmark: ``pacer import-strava`` of a generated 1,000-activity Strava export.

Run by hand (not a test)::

    .venv/bin/python bench/import_bench.py [--activities N] [--db URL] [--keep DIR]

The export is generated first (untimed): ``activities.csv`` with Strava's 91 English
columns (two Distance and two Elapsed Time columns), dates in the US format, and
mixed activities: 75 % runs (Run, Trail Run, Virtual Run), the rest rides, walks and
swims. Two in three runs have an activity file, a real-sized recording (one point
every 2 s, 25-75 min) written with gpxpy as ``.gpx`` or, gzipped, ``.gpx.gz``; the
other runs are read from the CSV alone. A fresh database (``--db``, or a temporary
SQLite file) is migrated, then the command itself, ``python -m bot import-strava``,
imports the ZIP twice, each time in a process of its own as an operator runs it: the
first import stores every run, the second finds them all there. Printed: wall and CPU
time of each (CPU: the host may be shared), with the command's start-up alone
(``--help``) for scale, activities per second, files read per second. ``--keep DIR``
keeps the ZIP and reuses it on the next run, so one export can be imported by two
trees in turn (before and after a change; the command runs from the tree that
PYTHONPATH chose)::

    PYTHONPATH=<old tree> .venv/bin/python bench/import_bench.py --keep /tmp/x
    PYTHONPATH=. .venv/bin/python bench/import_bench.py --keep /tmp/x
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import io
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gpxpy.gpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

import bot
from bot.storage.database import Database

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TREE = str(Path(bot.__file__).resolve().parent.parent)  # the tree PYTHONPATH chose
ENGLISH_HEADER = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
    "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
    "Elapsed Time", "Moving Time", "Distance", "Max Speed", "Average Speed", "Elevation Gain",
    "Elevation Loss", "Elevation Low", "Elevation High", "Max Grade", "Average Grade",
    "Average Positive Grade", "Average Negative Grade", "Max Cadence", "Average Cadence",
    "Max Heart Rate", "Average Heart Rate", "Max Watts", "Average Watts", "Calories",
    "Max Temperature", "Average Temperature", "Relative Effort", "Total Work",
    "Number of Runs", "Uphill Time", "Downhill Time", "Other Time", "Perceived Exertion",
    "Type", "Start Time", "Weighted Average Power", "Power Count",
    "Prefer Perceived Exertion", "Perceived Relative Effort", "Commute", "Total Weight Lifted",
    "From Upload", "Grade Adjusted Distance", "Weather Observation Time", "Weather Condition",
    "Weather Temperature", "Apparent Temperature", "Dewpoint", "Humidity", "Weather Pressure",
    "Wind Speed", "Wind Gust", "Wind Bearing", "Precipitation Intensity", "Sunrise Time",
    "Sunset Time", "Moon Phase", "Bike", "Gear", "Precipitation Probability",
    "Precipitation Type", "Cloud Cover", "Weather Visibility", "UV Index", "Weather Ozone",
    "Jump Count", "Total Grit", "Average Flow", "Flagged", "Average Elapsed Speed",
    "Dirt Distance", "Newly Explored Distance", "Newly Explored Dirt Distance",
    "Activity Count", "Total Steps", "Carbon Saved", "Pool Length", "Training Load",
    "Intensity", "Media",
]  # fmt: skip
COL = {name: i for i, name in reversed(list(enumerate(ENGLISH_HEADER)))}
OTHER_TYPES = ("Ride", "Walk", "Swim", "Hike")
RUN_TYPES = ("Run", "Run", "Run", "Trail Run", "Virtual Run")


def track(start: datetime, minutes: int, pace_s_per_km: float, rng: random.Random) -> bytes:
    """A GPX run around a loop: a point every 2 s, gently rolling, a little GPS noise."""
    gpx = gpxpy.gpx.GPX()
    trk = gpxpy.gpx.GPXTrack()
    trk.type = "running"  # type: ignore[assignment]
    seg = gpxpy.gpx.GPXTrackSegment()
    speed = 1000 / pace_s_per_km
    radius_m = 800.0
    for i in range(minutes * 30):
        t = i * 2
        angle = speed * t / radius_m
        lat = 52.5 + (radius_m * math.sin(angle) + rng.gauss(0, 1.5)) / 111_320
        lon = 13.4 + (radius_m * math.cos(angle) + rng.gauss(0, 1.5)) / 67_800
        ele = 40 + 8 * math.sin(angle * 3)
        seg.points.append(
            gpxpy.gpx.GPXTrackPoint(
                round(lat, 6), round(lon, 6), round(ele, 1), start + timedelta(seconds=t)
            )
        )
    trk.segments.append(seg)
    gpx.tracks.append(trk)
    return gpx.to_xml().encode()


def make_export(path: Path, count: int, seed: int = 7) -> tuple[int, int]:
    """Write the ZIP; (runs, activity files) in it."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ENGLISH_HEADER)
    runs = files = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n in range(count):
            start = NOW - timedelta(days=count - n, hours=rng.randint(0, 10))
            is_run = rng.random() < 0.75
            kind = rng.choice(RUN_TYPES) if is_run else rng.choice(OTHER_TYPES)
            minutes = rng.randint(25, 75)
            pace = rng.uniform(270, 390)
            metres = minutes * 60 * 1000 / pace if is_run else minutes * 300.0
            row = [""] * len(ENGLISH_HEADER)
            activity_id = str(9_000_000_000 + n)
            row[COL["Activity ID"]] = activity_id
            row[COL["Activity Date"]] = start.strftime("%b %-d, %Y, %-I:%M:%S %p")
            row[COL["Activity Name"]] = f"{kind} {n}"
            row[COL["Activity Type"]] = kind
            row[COL["Elapsed Time"]] = str(minutes * 60)
            row[COL["Distance"]] = f"{metres / 1000:.2f}"
            row[COL["Moving Time"]] = f"{minutes * 60 - 20:.1f}"
            row[ENGLISH_HEADER.index("Distance", COL["Distance"] + 1)] = f"{metres:.1f}"
            if is_run:
                runs += 1
                if rng.random() < 2 / 3:
                    data = track(start, minutes, pace, rng)
                    name = f"activities/{activity_id}.gpx"
                    if n % 2:
                        name += ".gz"
                        data = gzip.compress(data, mtime=0)
                    z.writestr(name, data)
                    row[COL["Filename"]] = name
                    files += 1
            writer.writerow(row)
        z.writestr("activities.csv", out.getvalue())
    return runs, files


def counts(path: Path) -> tuple[int, int]:
    """(runs, activity files) of an export made before."""
    with zipfile.ZipFile(path) as z:
        rows = list(csv.reader(io.StringIO(z.read("activities.csv").decode())))
    kinds = [row[COL["Activity Type"]] for row in rows[1:]]
    files = [row[COL["Filename"]] for row in rows[1:] if row[COL["Filename"]]]
    return sum(kind in RUN_TYPES for kind in kinds), len(files)


async def fresh(url: str) -> Database:
    """An empty, migrated database (PostgreSQL: its public schema recreated first)."""
    if make_url(url).get_backend_name().startswith("postgresql"):
        wipe = Database(url)
        await wipe.open(migrate=False)
        async with wipe.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await wipe.close()
    db = Database(url)
    await db.open()
    return db


def command(*args: str) -> tuple[float, float, str]:
    """``pacer import-strava ARGS`` run as the operator runs it, in a process of its own:
    (wall seconds, CPU seconds of that process, the first line it printed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import-strava", *args],
        cwd=tempfile.gettempdir(),  # not a checkout: ``-m`` would put its bot/ first
        env={**os.environ, "PYTHONPATH": TREE},
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"pacer import-strava failed ({done.returncode}): {done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return took, cpu, done.stdout.splitlines()[0]


async def run(count: int, url: str | None, keep: Path | None) -> None:
    """Generate, import twice, print the table."""
    with tempfile.TemporaryDirectory() as tmp:
        where = keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        zipped = where / "export.zip"
        began = time.perf_counter()
        if keep is not None and zipped.exists():
            runs, files = counts(zipped)  # made by an earlier run: the same export again
        else:
            runs, files = make_export(zipped, count)
        made = time.perf_counter() - began
        url = url or f"sqlite:///{Path(tmp) / 'import.db'}"
        await (await fresh(url)).close()  # migrated here, so the command only imports
        imports = [command(str(zipped), "--user", "ana", "--db", url) for _ in range(2)]
        imports.append(command("--help"))
    size = zipped.stat().st_size if keep else 0
    print(
        f"export: {count:,} activities, {runs:,} runs, {files:,} GPX files (made in {made:.1f} s)"
    )
    if size:
        print(f"ZIP: {size / 1024 / 1024:.1f} MB at {zipped}")
    print(f"database: {'temporary SQLite file' if 'import.db' in url else url}")
    print("| `pacer import-strava` | wall | CPU | activities/s (wall) | summary |")
    print("| --- | --- | --- | --- | --- |")
    labels = ("first", "second", "start-up alone (`--help`)")
    for label, (took, used, line) in zip(labels, imports, strict=True):
        print(f"| {label} | {took:.2f} s | {used:.2f} s | {count / took:,.0f} | {line} |")
    print(f"files read per second (first import): {files / imports[0][0]:.1f}")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument(
        "--keep", type=Path, help="write the export ZIP here and keep it (reused when there)"
    )
    args = parser.parse_args()
    asyncio.run(run(args.activities, args.db, args.keep))


if __name__ == "__main__":
    main()
