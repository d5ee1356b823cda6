"""``/import strava`` from the chat: the fake chat, the console, and both adapters' harnesses."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.messages import Attachment, Reply
from bot.services.strava_import import StravaImporter
from bot.storage.database import Database
from tests.console.process import run_console
from tests.fakes import FakeChat, Harness, make_harness

EXPORT = Path(__file__).resolve().parent.parent / "data" / "strava_export"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def export_zip() -> bytes:
    """The sample export as the ZIP Strava emails (under a top folder, as real ones are)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for file in EXPORT.rglob("*"):
            if file.is_file():
                z.write(file, f"export_123/{file.relative_to(EXPORT)}")
    return out.getvalue()


class Note:
    """A progress note that records what it showed."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    async def show(self, text: str) -> None:
        """Record the update."""
        self.shown.append(text)


async def say_import(chat: FakeChat, attachment: Attachment | None, note: Note | None) -> Reply:
    """``/import strava`` with a file, through the core with a progress note."""
    extra = {"attachments": (attachment,)} if attachment is not None else {}
    return await chat.core.handle(chat.incoming("/import strava", **extra), note)


@pytest.fixture
def at_now(harness: Harness) -> Harness:
    """The harness with its clock after the sample's last run."""
    harness.clock.set(NOW)
    return harness


async def test_import_from_the_chat_then_again(at_now: Harness) -> None:
    chat = at_now.chat()
    await chat.say("/settings units mi")
    note = Note()
    reply = await say_import(chat, Attachment("export_123.zip", export_zip()), note)
    assert reply.private
    assert reply.text.startswith(
        "Imported 5 runs (2 from their activity files, 19.60 mi), 06 Feb 2013 to 29 Nov 2026."
    )
    assert "  not a run: 2\n    line 4: 4000000003 'Radfahrt': not a run (Radfahrt)" in reply.text
    assert note.shown[-1] == "Importing your Strava history: 9 of 9 …"
    assert len(await at_now.runs(chat)) == 5
    again = await say_import(chat, Attachment("export_123.zip", export_zip()), Note())
    assert again.text.startswith("Imported 0 runs.\nAlready in your log: 5 (imported before).")
    assert len(await at_now.runs(chat)) == 5


async def test_activities_csv_alone_imports_the_csv_figures(at_now: Harness) -> None:
    chat = at_now.chat()
    data = (EXPORT / "activities.csv").read_bytes()
    reply = await say_import(chat, Attachment("activities.csv", data), None)
    assert reply.text.startswith("Imported 5 runs (0 from their activity files")
    assert "activities/4000000001.fit.gz is not in the export" in reply.text


async def test_import_refusals_say_what_to_do(at_now: Harness) -> None:
    chat = at_now.chat()
    assert (await chat.say("/import strava")).text.startswith("Attach your Strava export")
    big = Attachment("export_9.zip", b"", size=25 * 1024 * 1024)
    text = (await chat.say("/import strava", attachments=(big,))).text
    assert text.startswith("export_9.zip is 25.0 MB, over the 20 MB limit for a file sent here.")
    assert "Send activities.csv from inside the ZIP alone" in text
    notes = Attachment("notes.txt", b"hello")
    assert (
        "is neither a ZIP file nor activities.csv"
        in (await chat.say("/import strava", attachments=(notes,))).text
    )
    group = at_now.chat(private=False)
    assert (
        "works in a private chat" in (await group.say("/import strava", attachments=(notes,))).text
    )
    assert await at_now.runs(chat) == []


def many_rows(count: int, with_files: bool = False, seconds: int | None = None) -> bytes:
    """An English activities.csv of ``count`` runs, one a day back from NOW (each naming its
    activity file, as a real export's rows do, when ``with_files``; each ``seconds`` long,
    else 1790 s, when given: 60 s more per row)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Activity ID", "Activity Date", "Activity Name", "Activity Type",
                     "Elapsed Time", "Distance", "Moving Time", "Filename"])  # fmt: skip
    for n in range(count):
        day = date.fromordinal(NOW.date().toordinal() - 1 - n)
        moving = str(1790 if seconds is None else seconds + 60 * n)
        filename = f"activities/{5000000000 + n}.fit.gz" if with_files else ""
        writer.writerow([str(7000 + n), f"{day.isoformat()} 07:00:00", f"Run {n}", "Run",
                         "1800", "5.00", moving, filename])  # fmt: skip
    return out.getvalue().encode()


async def test_activities_csv_alone_is_summed_up_by_kind_not_one_group_per_file(
    at_now: Harness,
) -> None:
    """The docs' route for an export over 20 MB: every row names a file the upload lacks;
    one count for them all and five examples, not a group per file."""
    chat = at_now.chat()
    reply = await say_import(chat, Attachment("activities.csv", many_rows(40, True)), None)
    lines = reply.text.splitlines()
    assert lines[0].startswith("Imported 40 runs (0 from their activity files")
    assert lines[1:] == [
        "Imported from the CSV alone (40):",
        "  activity file not in the upload: 40",
        *(
            f"    line {n + 2}: {7000 + n} 'Run {n}': activities/{5000000000 + n}.fit.gz "
            "is not in the export"
            for n in range(5)
        ),
        "    … and 35 more",
    ]
    assert len(await at_now.runs(chat)) == 40


async def test_paces_are_counted_as_one_reason(at_now: Harness) -> None:
    chat = at_now.chat()
    # 5 km in 60 s, 120 s, ...: seven paces, each no run's.
    reply = await say_import(chat, Attachment("activities.csv", many_rows(7, seconds=60)), None)
    assert reply.text.splitlines() == [
        "Imported 0 runs.",
        "Skipped 7:",
        "  no running pace: 7",
        "    line 2: 7000 'Run 0': 0.2 min/km is no running pace",
        "    line 3: 7001 'Run 1': 0.4 min/km is no running pace",
        "    line 4: 7002 'Run 2': 0.6 min/km is no running pace",
        "    line 5: 7003 'Run 3': 0.8 min/km is no running pace",
        "    line 6: 7004 'Run 4': 1.0 min/km is no running pace",
        "    … and 2 more",
    ]
    assert await at_now.runs(chat) == []


async def test_a_row_is_told_under_one_heading_only(at_now: Harness) -> None:
    """A row whose file the upload lacks, and whose run is logged already: skipped, and not
    also listed as imported from the CSV alone."""
    chat = at_now.chat()
    assert (await chat.say("/log", attachments=(watch_copy(),))).text.startswith("Logged #1")
    data = (EXPORT / "activities.csv").read_bytes()
    text = (await say_import(chat, Attachment("activities.csv", data), None)).text
    assert text.startswith("Imported 4 runs (0 from their activity files")
    assert text.count("line 3: ") == 1
    assert "    line 3: 4000000002 'Abendlauf': already logged (#1)" in text
    notes = text.split("Imported from the CSV alone (2):\n", 1)[1].split("Skipped", 1)[0]
    assert notes.splitlines() == [
        "  activity file not in the upload: 2",
        "    line 2: 4000000001 'Mittagslauf': activities/4000000001.fit.gz is not in the export",
        "    line 10: 4000000009 'Abgebrochen': activities/4000000009.fit.gz is not in the export",
    ]
    assert len(await at_now.runs(chat)) == 5


class Killed(Exception):
    """The process going away mid-import."""


async def test_a_kill_mid_import_leaves_whole_batches_and_a_rerun_completes(
    db: Database,
) -> None:
    harness = make_harness(db, FakeClock(NOW))
    chat = harness.chat()
    ana = await harness.user(chat)
    from bot.runfiles.strava import StravaExport

    async def kill_at_450(done: int, total: int) -> None:
        if done >= 450:
            raise Killed

    with (
        StravaExport.from_upload("activities.csv", many_rows(500)) as export,
        pytest.raises(Killed),
    ):
        await StravaImporter(db, harness.clock).run(ana, export, kill_at_450)
    stored = len(await harness.runs(chat))
    assert stored == 400  # two whole batches of 200; the third never committed
    reply = await say_import(chat, Attachment("activities.csv", many_rows(500)), None)
    assert reply.text.startswith("Imported 100 runs")
    assert "Already in your log: 400" in reply.text
    assert len(await harness.runs(chat)) == 500


def test_console_import(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    zipped = shutil.make_archive(str(tmp_path / "export"), "zip", folder)
    done = run_console(tmp_path / "c.db", [f"/import strava {zipped}", "/runs 1"])
    assert done.returncode == 0, done.stderr
    assert "Importing your Strava history: 9 of 9 …" in done.stdout
    assert "Imported 5 runs (2 from their activity files" in done.stdout


def watch_copy() -> Attachment:
    """The export's TCX run as the watch's own file: the same outing, other bytes."""
    data = (EXPORT.parent / "runfiles" / "run.tcx").read_bytes()
    return Attachment("run.tcx", data.replace(b"?>\n", b"?>\n<!-- from the watch -->\n", 1))


async def test_a_run_sent_as_a_file_then_imported_from_strava_is_stored_once(
    at_now: Harness,
) -> None:
    chat = at_now.chat()
    assert (await chat.say("/log", attachments=(watch_copy(),))).text.startswith("Logged #1")
    # The parkrun, typed with its start a minute after Strava's 07:30.
    assert (await chat.say("/log 5k 25:00 2026-11-28T07:31")).text.startswith("Logged #2")
    reply = await say_import(chat, Attachment("export_123.zip", export_zip()), None)
    assert reply.text.startswith("Imported 3 runs")
    assert "  already logged: 2\n" in reply.text
    assert "line 3: 4000000002 'Abendlauf': already logged (#1)" in reply.text
    assert "line 5: 4000000004 'Parkrun': already logged (#2)" in reply.text
    assert len(await at_now.runs(chat)) == 5  # the sample's 5 runs, each once


async def test_a_file_of_an_imported_run_is_refused_naming_the_run(at_now: Harness) -> None:
    chat = at_now.chat()
    await say_import(chat, Attachment("export_123.zip", export_zip()), None)
    before = await at_now.runs(chat)
    tcx_run = next(r for r in before if r.local_date == date(2015, 8, 15))
    reply = await chat.say("/log", attachments=(watch_copy(),))
    assert reply.text == (
        f"This file's run is already in your log as #{tcx_run.id} (Sat 15 Aug 2015, 9.01 km "
        "in 47:13): same start and distance. Nothing was saved.\n"
        f"To keep this file's version instead: /delete {tcx_run.id}, then send it again."
    )
    assert await at_now.runs(chat) == before
