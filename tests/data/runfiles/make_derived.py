"""Build the derived test files from the real FIT recordings next to this script.

    /work/main/.venv/bin/python tests/data/runfiles/make_derived.py

- ``run-pause.gpx``: ``run-gps.fit`` (a real 4.8 km run) written out with gpxpy's
  own GPX writer; every point after the 2 km mark is moved 3 minutes later, so
  the track stands still for 3 minutes there (a pause the watch did not record).
- ``run.tcx``: ``fenix2-run.fit`` (the real 9 km run from fitdecode's tests,
  ``activity-small-fenix2-run.fit``; not kept here, it is 120 KB) with every 4th
  record, written with ElementTree as TCX (schema v2).
- ``strava_export/``: a small Strava bulk export with German headers (see README.md).

Parsing is always left to the libraries; this script only writes.
"""

from __future__ import annotations

import csv
import gzip
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import fitdecode
import gpxpy.gpx

HERE = Path(__file__).parent
SEMI = 180 / 2**31
PAUSE_AT_M = 2000.0
PAUSE = timedelta(minutes=3)


def records(path: Path) -> list[dict[str, object]]:
    """The record messages of a FIT file."""
    out = []
    with fitdecode.FitReader(path) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                out.append({f.name: f.value for f in frame.fields})
    return out


def make_gpx() -> None:
    """run-gps.fit as GPX, with a 3-minute stop after 2 km."""
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "Pacer tests (from fitdecode's 2013-02-06-12-11-14.fit)"
    track = gpxpy.gpx.GPXTrack(name="Morning run")
    track.type = "running"
    segment = gpxpy.gpx.GPXTrackSegment()
    paused = False
    for rec in records(HERE / "run-gps.fit"):
        if rec.get("position_lat") is None:
            continue
        when = rec["timestamp"]
        assert isinstance(when, datetime)
        if float(rec.get("distance") or 0) >= PAUSE_AT_M:
            if not paused:
                paused = True
                # The runner stands: the last point again, three minutes later.
                last = segment.points[-1]
                segment.points.append(
                    gpxpy.gpx.GPXTrackPoint(
                        last.latitude, last.longitude, last.elevation, last.time + PAUSE
                    )
                )
            when = when + PAUSE
        segment.points.append(
            gpxpy.gpx.GPXTrackPoint(
                round(float(rec["position_lat"]) * SEMI, 6),  # type: ignore[arg-type]
                round(float(rec["position_long"]) * SEMI, 6),  # type: ignore[arg-type]
                elevation=round(float(rec.get("altitude") or 0), 1),  # type: ignore[arg-type]
                time=when,
            )
        )
    track.segments.append(segment)
    gpx.tracks.append(track)
    (HERE / "run-pause.gpx").write_text(gpx.to_xml())


def make_tcx(source: Path) -> None:
    """Every 4th record of a FIT run as a TCX activity."""
    ns = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
    ET.register_namespace("", ns)

    def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ns}}}{tag}")
        if text is not None:
            el.text = text
        return el

    recs = [r for r in records(source) if r.get("position_lat") is not None][::4]
    root = ET.Element(f"{{{ns}}}TrainingCenterDatabase")
    activity = sub(sub(root, "Activities"), "Activity")
    activity.set("Sport", "Running")
    start = recs[0]["timestamp"]
    assert isinstance(start, datetime)
    sub(activity, "Id", start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    lap = sub(activity, "Lap")
    lap.set("StartTime", start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    sub(lap, "DistanceMeters", f"{float(recs[-1]['distance']):.1f}")  # type: ignore[arg-type]
    track = sub(lap, "Track")
    for rec in recs:
        point = sub(track, "Trackpoint")
        when = rec["timestamp"]
        assert isinstance(when, datetime)
        sub(point, "Time", when.strftime("%Y-%m-%dT%H:%M:%SZ"))
        pos = sub(point, "Position")
        sub(pos, "LatitudeDegrees", f"{float(rec['position_lat']) * SEMI:.6f}")  # type: ignore[arg-type]
        sub(pos, "LongitudeDegrees", f"{float(rec['position_long']) * SEMI:.6f}")  # type: ignore[arg-type]
        altitude = rec.get("enhanced_altitude") or rec.get("altitude")
        if altitude is not None:
            sub(point, "AltitudeMeters", f"{float(altitude):.1f}")  # type: ignore[arg-type]
        sub(point, "DistanceMeters", f"{float(rec['distance']):.1f}")  # type: ignore[arg-type]
    ET.ElementTree(root).write(HERE / "run.tcx", xml_declaration=True, encoding="UTF-8")


# A real export has about 90 columns; these are Strava's German names, in its order.
GERMAN_HEADER = [
    "Aktivitäts-ID", "Aktivitätsdatum", "Name der Aktivität", "Aktivitätstyp",
    "Aktivitätsbeschreibung", "Verstrichene Zeit", "Distanz", "Max. Herzfrequenz",
    "Relative Leistung", "Pendeln", "Private Notiz zur Aktivität", "Aktivitätsausrüstung",
    "Dateiname", "Sportlergewicht", "Fahrradgewicht", "Verstrichene Zeit", "Bewegungszeit",
    "Distanz", "Max. Geschwindigkeit", "Durchschnittliche Geschwindigkeit", "Höhenzuwachs",
    "Höhenverlust", "Niedrigster Höhenmeter", "Höchster Höhenmeter", "Max. Steigung",
    "Durchschnittliche Steigung", "Durchschnittliche positive Steigung",
    "Durchschnittliche negative Steigung", "Max. Trittfrequenz",
    "Durchschnittliche Trittfrequenz", "Max. Herzfrequenz", "Durchschnittliche Herzfrequenz",
    "Max. Watt", "Durchschnittliche Watt", "Kalorien", "Max. Temperatur",
    "Durchschnittstemperatur", "Relative Leistung", "Gesamtarbeit", "Anzahl der Läufe",
    "Bergauf-Zeit", "Bergab-Zeit", "Andere Zeit", "Gefühlte Anstrengung", "Typ", "Startzeit",
    "Gewichtete durchschnittliche Leistung", "Leistungsanzahl",
    "Gefühlte Anstrengung bevorzugen", "Gefühlte relative Leistung", "Pendeln",
    "Gesamtgewicht gehoben", "Vom Upload", "Distanz angepasst an Steigung",
    "Wetterbeobachtungszeit", "Wetterlage", "Wettertemperatur", "Gefühlte Temperatur",
    "Taupunkt", "Luftfeuchtigkeit", "Luftdruck", "Windgeschwindigkeit", "Windböe",
    "Windrichtung", "Niederschlagsintensität", "Sonnenaufgangszeit", "Sonnenuntergangszeit",
    "Mondphase", "Fahrrad", "Ausrüstung", "Niederschlagswahrscheinlichkeit",
    "Niederschlagsart", "Bewölkung", "Wettersicht", "UV-Index", "Wetter-Ozon",
    "Sprunganzahl", "Gesamt-Grit", "Durchschnittlicher Flow", "Markiert",
    "Durchschnittliche verstrichene Geschwindigkeit", "Schotterdistanz",
    "Neu erkundete Distanz", "Neu erkundete Schotterdistanz", "Aktivitätsanzahl",
    "Schritte gesamt", "Eingespartes CO2", "Beckenlänge", "Trainingsbelastung", "Intensität",
    "Durchschnittliche angepasste Pace", "Timer-Zeit", "Zyklen gesamt", "Medien",
]  # fmt: skip

# (id, date as Strava writes it, name, type, elapsed s, km, file, moving s, metres)
ACTIVITIES = [
    ("4000000001", "6 Feb 2013, 12:11:14", "Mittagslauf", "Lauf", "2624", "4,84",
     "activities/4000000001.fit.gz", "2560", "4835.4"),
    ("4000000002", "15 Aug 2015, 14:45:08", "Abendlauf", "Lauf", "2833", "9,01",
     "activities/4000000002.tcx.gz", "2813", "9007.1"),
    ("4000000003", "12 Jun 2017, 16:09:22", "Radfahrt", "Radfahrt", "61", "0,46",
     "activities/4000000003.fit.gz", "60", "459.5"),
    ("4000000004", "2026-11-28T07:30:00Z", "Parkrun", "Lauf", "1500", "5,00", "",
     "1495", "5000.0"),
    ("4000000005", "Nov 29, 2026, 7:05:03 AM", "Traillauf am Berg", "Traillauf", "4200",
     "10,20", "", "4000", "10200.0"),
    ("4000000006", "30 Nov 2026, 18:00:00", "Spaziergang", "Spaziergang", "1800", "2,00",
     "", "1700", "2000.0"),
    ("4000000007", "kein Datum", "Kaputt", "Lauf", "1800", "5,00", "", "1800", "5000.0"),
    ("4000000008", "27 Nov 2026, 06:00:00", "Laufband", "Virtueller Lauf", "1800", "0",
     "", "1800", "0"),
    ("4000000009", "26 Nov 2026, 06:00:00", "Abgebrochen", "Lauf", "900", "2,50",
     "activities/4000000009.fit.gz", "880", "2500.0"),
]  # fmt: skip


def make_strava() -> None:
    """activities.csv with German headers, and a few activity files (gzipped like Strava's)."""
    root = HERE.parent / "strava_export"
    (root / "activities").mkdir(parents=True, exist_ok=True)
    with (root / "activities.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(GERMAN_HEADER)
        for a in ACTIVITIES:
            row = [""] * len(GERMAN_HEADER)
            row[0], row[1], row[2], row[3] = a[0], a[1], a[2], a[3]
            row[5], row[6], row[12] = a[4], a[5], a[6]
            row[15], row[16], row[17] = a[4] + ".0", a[7] + ".0", a[8]
            writer.writerow(row)
    pack = {
        "4000000001.fit.gz": (HERE / "run-gps.fit").read_bytes(),
        "4000000002.tcx.gz": (HERE / "run.tcx").read_bytes(),
        "4000000003.fit.gz": (HERE / "ride.fit").read_bytes(),
        "4000000009.fit.gz": (HERE / "truncated.fit").read_bytes(),
    }
    for name, data in pack.items():
        (root / "activities" / name).write_bytes(gzip.compress(data, mtime=0))


if __name__ == "__main__":
    make_gpx()
    make_tcx(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "fenix2-run.fit")
    make_strava()
    print("written:", *sorted(p.name for p in HERE.parent.rglob("*") if p.is_file()))

