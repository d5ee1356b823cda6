"""Hostile and odd files: refused with one clear line, in bounded memory, never hanging."""

from __future__ import annotations

import io
import os
import shutil
import struct
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console.chat import ConsoleInputError, read_local_file
from bot.bootstrap import build_core
from bot.clock import FakeClock
from bot.import_strava import main
from bot.runfiles.strava import StravaExport
from bot.services.strava_import import StravaImporter
from bot.storage.database import Database

EXPORT = Path(__file__).resolve().parent.parent / "data" / "strava_export"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MB = 1024 * 1024


def fifo(tmp_path: Path) -> Path:
    """A named pipe nobody writes to: reading it would wait for good."""
    path = tmp_path / "run.gpx"
    os.mkfifo(path)
    return path


def to_dev_zero(tmp_path: Path) -> Path:
    """A symlink to an endless device."""
    path = tmp_path / "zero.fit"
    path.symlink_to("/dev/zero")
    return path


@pytest.mark.parametrize("make", [fifo, to_dev_zero])
def test_log_file_reads_only_regular_files(tmp_path: Path, make: object) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(ConsoleInputError, match="is not a regular file"):
        read_local_file(str(path))


def test_log_file_of_a_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConsoleInputError, match="is a folder"):
        read_local_file(str(tmp_path))


@pytest.mark.parametrize("make", [fifo, to_dev_zero])
def test_import_strava_refuses_devices_and_pipes_with_exit_code_2(
    tmp_path: Path, make: object, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert main([str(path), "--user", "ana", "--db", db]) == 2
    err = capsys.readouterr().err
    assert err.strip().endswith("is not a regular file or folder")
    assert len(err.strip().splitlines()) == 1


def export_zip(path: Path, members: dict[str, bytes]) -> Path:
    """The sample export as a ZIP, with extra members."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for file in EXPORT.rglob("*"):
            if file.is_file() and str(file.relative_to(EXPORT)) not in members:
                z.write(file, str(file.relative_to(EXPORT)))
        for name, data in members.items():
            z.writestr(name, data)
    return path


def lying(path: Path, name: str) -> None:
    """Make a ZIP member declare 100 bytes (local header and central directory)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    local = info.header_offset
    data[local + 22 : local + 26] = struct.pack("<I", 100)
    central = data.rfind(b"PK\x01\x02" + data[local + 4 : local + 6], 0)
    while central >= 0:
        length = struct.unpack("<H", data[central + 28 : central + 30])[0]
        if data[central + 46 : central + 46 + length] == name.encode():
            data[central + 24 : central + 28] = struct.pack("<I", 100)
            break
        central = data.rfind(b"PK\x01\x02", 0, central)
    path.write_bytes(bytes(data))


def csv_naming(name: str) -> bytes:
    """The sample's activities.csv with one run's file renamed."""
    text = (EXPORT / "activities.csv").read_text(encoding="utf-8")
    return text.replace("activities/4000000001.fit.gz", name).encode()


async def test_oversized_and_lying_zip_members_are_read_with_a_cap(
    db: Database, tmp_path: Path
) -> None:
    big = b"<gpx>" + b" " * (25 * MB)
    # The CSV names the huge member in place of one run's file.
    members = {"activities/huge.gpx": big, "activities.csv": csv_naming("activities/huge.gpx")}
    path = export_zip(tmp_path / "export.zip", members)
    lying(path, "activities/huge.gpx")
    clock = FakeClock(NOW)
    ana = (await build_core(db, clock).accounts.identify("console", "ana", "ana")).user
    tracemalloc.start()
    try:
        with StravaExport(path) as export:
            summary = await StravaImporter(db, clock).run(ana, export)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60 * MB  # not the member's 25 MB unpacked at once, twice over
    [note] = [n for n in summary.notes if n.line == 2]
    assert "activities/huge.gpx" in note.reason and "CSV figures kept" in note.reason


def test_an_honest_oversized_member_is_one_note_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    members = {
        "activities/huge.gpx": b" " * (21 * MB),
        "activities.csv": csv_naming("activities/huge.gpx"),
    }
    path = export_zip(tmp_path / "export.zip", members)
    out = io.StringIO()
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert main([str(path), "--user", "ana", "--db", db], FakeClock(NOW), out) == 0
    assert (
        "file not used (activities/huge.gpx is more than 20 MB, over the 20 MB limit for run "
        "files); CSV figures kept" in out.getvalue()
    )


def test_an_oversized_activities_csv_is_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("activities.csv", b"a" * (51 * MB))
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert main([str(path), "--user", "ana", "--db", db]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("pacer import-strava: activities.csv is more than 50 MB, over the 50 MB limit.")


def test_a_folder_export_reads_only_regular_files(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    target = folder / "activities" / "4000000001.fit.gz"
    target.unlink()
    target.symlink_to("/dev/zero")
    with StravaExport(folder) as export, pytest.raises(ValueError, match="not a regular file"):
        export.activity_file("activities/4000000001.fit.gz")
