"""``pacer import-strava``: the sample export with German headers, ZIPs, English exports."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.bootstrap import build_core
from bot.clock import FakeClock
from bot.import_strava import main
from bot.messages import Attachment
from bot.models import TrackFacts
from bot.runfiles.strava import (
    ExportError,
    StravaExport,
    column_map,
    parse_activities,
    parse_date,
    parse_number,
)
from bot.services.strava_import import StravaImporter
from bot.storage.database import Database
from bot.storage.tracks import ImportedRun
from bot.texts import runfiles as texts
from tests.fakes import make_harness

EXPORT = Path(__file__).resolve().parent.parent / "data" / "strava_export"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # after the sample's last run


@pytest.mark.parametrize(
    "text",
    [
        "Dec 1, 2026, 7:05:03 AM",
        "1 Dec 2026, 07:05:03",
        "1 Dez. 2026, 07:05:03",
        "01.12.2026, 07:05:03",
        "2026-12-01T07:05:03Z",
        "2026-12-01 07:05:03",
    ],
)
def test_strava_dates_in_every_format_are_utc(text: str) -> None:
    assert parse_date(text) == datetime(2026, 12, 1, 7, 5, 3, tzinfo=UTC)


def test_afternoon_and_unreadable_dates() -> None:
    assert parse_date("Mar 3, 2025, 6:15:00 PM") == datetime(2025, 3, 3, 18, 15, tzinfo=UTC)
    with pytest.raises(ValueError, match="unreadable date 'yesterday'"):
        parse_date("yesterday")


def test_numbers_with_either_decimal_mark() -> None:
    assert parse_number("5,01") == 5.01
    assert parse_number("5.01") == 5.01
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("") is None
    assert parse_number("n/a") is None


def test_a_csv_without_the_needed_columns_says_which() -> None:
    with pytest.raises(ExportError, match="no column for Activity Type"):
        column_map(["Activity ID", "Activity Date", "Distance"])


def test_german_header_two_distance_columns_and_skips() -> None:
    text = (EXPORT / "activities.csv").read_text(encoding="utf-8")
    assert len(next(csv.reader(io.StringIO(text)))) >= 80  # as wide as a real export
    runs, skipped = parse_activities(text)
    by_id = {r.activity_id: r for r in runs}
    assert sorted(int(i) - 4000000000 for i in by_id) == [1, 2, 4, 5, 8, 9]
    # The second Distance column (metres) wins over the first (km, with a decimal comma).
    assert by_id["4000000004"].distance_m == 5000.0
    assert by_id["4000000001"].distance_m == 4835.4
    assert by_id["4000000005"].kind == "Traillauf"
    assert by_id["4000000005"].started == datetime(2026, 11, 29, 7, 5, 3, tzinfo=UTC)
    assert by_id["4000000005"].moving_s == 4000.0
    assert by_id["4000000005"].elapsed_s == 4200.0
    assert [(s.line, s.reason) for s in skipped] == [
        (4, "not a run (Radfahrt)"),
        (7, "not a run (Spaziergang)"),
        (8, "unreadable date 'kein Datum'"),
    ]


async def test_import_of_the_sample_then_again_imports_nothing(db: Database) -> None:
    clock = FakeClock(NOW)
    core = build_core(db, clock)
    ana = (await core.accounts.identify("console", "ana", "ana")).user
    with StravaExport(EXPORT) as export:
        first = await StravaImporter(db, clock).run(ana, export)
        second = await StravaImporter(db, clock).run(ana, export)
    assert (first.imported, first.from_files, first.already) == (5, 2, 0)
    reasons = sorted(s.reason for s in first.skipped)
    assert reasons == [
        "no distance",
        "not a run (Radfahrt)",
        "not a run (Spaziergang)",
        "unreadable date 'kein Datum'",
    ]
    assert [n.line for n in first.notes] == [10]
    assert "cut short" in first.notes[0].reason
    assert (second.imported, second.already) == (0, 5)
    async with db.reader() as uow:
        stored = await uow.activity.runs_between(ana.id, date(2000, 1, 1), date(2100, 1, 1))
        best = await uow.tracks.best_efforts(ana.id, date(2000, 1, 1), date(2100, 1, 1))
        november = await uow.tracks.best_efforts(ana.id, date(2026, 11, 1), date(2026, 11, 30))
    assert len(stored) == 5
    assert [r.local_date for r in stored][-1] == date(2026, 11, 29)
    tcx_run = next(r for r in stored if r.local_date == date(2015, 8, 15))
    assert tcx_run.distance_m == pytest.approx(9007, abs=2)  # from the file, not the CSV
    assert best[5000].from_track and best[5000].run_id == tcx_run.id  # 21:44 inside 9 km
    assert november[5000].seconds == 1495 and not november[5000].from_track  # the parkrun
    assert best[1000].from_track


async def test_an_imported_file_sent_again_in_the_chat_is_one_run(db: Database) -> None:
    harness = make_harness(db, FakeClock(NOW))
    chat = harness.chat("ana")
    ana = await harness.user(chat)
    with StravaExport(EXPORT) as export:
        await StravaImporter(db, harness.clock).run(ana, export)
    data = (EXPORT.parent / "runfiles" / "run.tcx").read_bytes()
    reply = await chat.say("/log", attachments=(Attachment("run.tcx", data),))
    assert reply.text.startswith("Already logged")


async def test_a_zip_with_english_headers(db: Database, tmp_path: Path) -> None:
    header = ["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Elapsed Time",
              "Distance", "Filename", "Elapsed Time", "Moving Time", "Distance",
              "Elevation Gain"]  # fmt: skip
    rows = [
        ["11", "Nov 20, 2026, 6:30:00 AM", "Easy", "Run", "1800", "5.00", "", "1800.0",
         "1790.0", "5000.0", "20"],
        ["12", "Nov 21, 2026, 6:30:00 AM", "Track", "Run", "300", "1.00", "", "300.0",
         "290.0", "", ""],
        ["13", "Nov 22, 2026, 6:30:00 AM", "Zwift", "Virtual Run", "3000", "10.00",
         "activities/13.fit.gz", "3000.0", "2990.0", "10000.0", "0"],
        ["14", "Nov 23, 2026, 6:30:00 AM", "Too fast", "Run", "100", "5.00", "", "", "",
         "5000", ""],
    ]  # fmt: skip
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    path = tmp_path / "export_123.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("export_123/activities.csv", out.getvalue())
    clock = FakeClock(NOW)
    ana = (await build_core(db, clock).accounts.identify("console", "ana", "ana")).user
    with StravaExport(path) as export:
        summary = await StravaImporter(db, clock).run(ana, export)
    assert summary.imported == 3
    assert [s.reason for s in summary.skipped] == ["0.3 min/km is no running pace"]
    assert [n.reason for n in summary.notes] == ["activities/13.fit.gz is not in the export"]
    async with db.reader() as uow:
        runs = await uow.activity.runs_between(ana.id, date(2026, 11, 1), date(2026, 11, 30))
    assert [(r.distance_m, r.duration_s) for r in runs] == [
        (5000.0, 1790),
        (1000.0, 290),  # no metres column value: the km column
        (10000.0, 2990),
    ]


def _short_gpx() -> str:
    """A GPX run of about 50 m (a watch started by mistake): refused as a run file."""
    points = "".join(
        f'<trkpt lat="{57.3846 + n * 0.00015:.5f}" lon="-4.4299">'
        f"<time>2026-11-24T06:30:{n * 10:02d}Z</time></trkpt>"
        for n in range(4)
    )
    return (
        '<?xml version="1.0"?><gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1">'
        f"<trk><type>running</type><trkseg>{points}</trkseg></trk></gpx>"
    )


async def test_a_row_under_100_m_is_skipped_not_imported(db: Database, tmp_path: Path) -> None:
    header = ["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Elapsed Time",
              "Distance", "Moving Time", "Filename"]  # fmt: skip
    rows = [
        ["21", "2026-11-23 06:30:00", "Oops", "Run", "20", "0.05", "20", ""],
        ["22", "2026-11-24 06:30:00", "Oops again", "Run", "30", "0.05", "30",
         "activities/22.gpx"],
        ["23", "2026-11-25 06:30:00", "Easy", "Run", "1800", "5.00", "1790", ""],
    ]  # fmt: skip
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    path = tmp_path / "export_123.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("export_123/activities.csv", out.getvalue())
        z.writestr("export_123/activities/22.gpx", _short_gpx())
    clock = FakeClock(NOW)
    ana = (await build_core(db, clock).accounts.identify("console", "ana", "ana")).user
    with StravaExport(path) as export:
        summary = await StravaImporter(db, clock).run(ana, export)
    assert summary.imported == 1
    text = texts.summary_text(summary)
    assert text.splitlines()[1:] == [
        "Skipped 2:",
        "  shorter than 100 m: 2",
        "    line 2: 21 'Oops': 50 m is shorter than 100 m",
        "    line 3: 22 'Oops again': 50 m is shorter than 100 m",
    ]
    async with db.reader() as uow:
        runs = await uow.activity.runs_between(ana.id, date(2026, 11, 1), date(2026, 11, 30))
    assert [r.distance_m for r in runs] == [5000.0]


def test_the_command_line_prints_what_was_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    zipped = shutil.make_archive(str(tmp_path / "export"), "zip", folder)
    db = f"sqlite:///{tmp_path / 'p.db'}"
    out = io.StringIO()
    assert main([zipped, "--user", "ana", "--db", db], FakeClock(NOW), out) == 0
    text = out.getvalue()
    assert (
        "Imported 5 runs for ana (2 from their activity files, 31.54 km), 06 Feb 2013 to "
        "29 Nov 2026." in text
    )
    assert "line 4: 4000000003 'Radfahrt': not a run (Radfahrt)" in text
    assert "line 9: 4000000008 'Laufband': no distance" in text
    assert "line 10: 4000000009 'Abgebrochen': file not used (This FIT file is cut short" in text
    again = io.StringIO()
    assert main([str(folder), "--user", "ana", "--db", db], FakeClock(NOW), again) == 0
    assert again.getvalue().startswith("Imported 0 runs for ana.\nAlready in your log: 5")


def test_the_command_line_refuses_what_is_not_an_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert main([str(tmp_path / "notes.txt"), "--user", "ana", "--db", db]) == 2
    assert "is neither a ZIP file nor a folder" in capsys.readouterr().err
    assert main([str(tmp_path), "--user", "ana", "--db", db]) == 2
    assert "has no activities.csv" in capsys.readouterr().err


async def test_an_import_batch_leaves_out_runs_stored_meanwhile(db: Database) -> None:
    """A batch is one statement: a run a racing copy stored first is left out, not doubled,
    and the efforts go with the runs that were stored."""
    clock = FakeClock()
    user = (await build_core(db, clock).accounts.identify("console", "ana", "Ana")).user

    def imported(strava_id: str, efforts: dict[int, float]) -> ImportedRun:
        facts = TrackFacts("gpx", clock.now(), 1500, 12.0, efforts, strava_id=strava_id)
        return ImportedRun(date(2026, 11, 20), 5000.0, 1500, "", facts)

    async with db.uow() as uow:
        assert await uow.tracks.add_imported_runs(user.id, [imported("1", {})], clock.now()) == {
            "1"
        }
        await uow.commit()
    async with db.uow() as uow:
        batch = [imported("1", {1000: 290.0}), imported("2", {1000: 280.0, 5000: 1490.0})]
        assert await uow.tracks.add_imported_runs(user.id, batch, clock.now()) == {"2"}
        await uow.commit()
    async with db.reader() as uow:
        runs = await uow.activity.recent_runs(user.id, 10)
        assert len(runs) == 2
        facts = [await uow.tracks.facts(run.id) for run in runs]
    assert sorted((f.strava_id, sorted(f.efforts)) for f in facts if f) == [
        ("1", []),
        ("2", [1000, 5000]),
    ]


def test_the_command_line_counts_missing_files_as_one_reason(tmp_path: Path) -> None:
    """An unpacked export whose activity files are gone (activities.csv kept): one count,
    five examples, whatever the files are called."""
    folder = tmp_path / "export"
    folder.mkdir()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Activity ID", "Activity Date", "Activity Name", "Activity Type",
                     "Elapsed Time", "Distance", "Moving Time", "Filename"])  # fmt: skip
    for n in range(40):
        day = date.fromordinal(NOW.date().toordinal() - 1 - n)
        writer.writerow([str(7000 + n), f"{day} 07:00:00", f"Run {n}", "Run", "1800", "5.00",
                         "1790", f"activities/{5000000000 + n}.fit.gz"])  # fmt: skip
    (folder / "activities.csv").write_text(out.getvalue())
    printed = io.StringIO()
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert main([str(folder), "--user", "ana", "--db", db], FakeClock(NOW), printed) == 0
    lines = printed.getvalue().splitlines()
    assert lines[0].startswith("Imported 40 runs for ana (0 from their activity files")
    assert lines[1:4] == [
        "Imported from the CSV alone (40):",
        "  activity file not in the export: 40",
        "    line 2: 7000 'Run 0': activities/5000000000.fit.gz is not in the export",
    ]
    assert lines[8:] == ["    … and 35 more"]
