"""Logging a run by sending its file: through the core with a fake chat, and the console."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import gpxpy
import pytest
from sqlalchemy import func, select

from bot.messages import Attachment
from bot.storage.tables import run_efforts, runs
from tests.console.process import run_console
from tests.fakes import FakeChat, Harness

DATA = Path(__file__).resolve().parent.parent / "data" / "runfiles"


def attach(name: str, data: bytes | None = None, size: int | None = None) -> Attachment:
    """A file as an adapter hands it to the core."""
    return Attachment(name, (DATA / name).read_bytes() if data is None else data, size=size)


async def send(
    chat: FakeChat, name: str, data: bytes | None = None, size: int | None = None
) -> str:
    """Say ``/log`` with a file attached; the reply text."""
    reply = await chat.say("/log", attachments=(attach(name, data, size),))
    return reply.text


async def stored(harness: Harness) -> tuple[int, int]:
    """How many runs and efforts are stored."""
    async with harness.db.reader() as uow:
        conn = uow.activity.conn
        return (
            int(await conn.scalar(select(func.count()).select_from(runs)) or 0),
            int(await conn.scalar(select(func.count()).select_from(run_efforts)) or 0),
        )


async def test_a_tcx_file_logs_a_run_with_its_facts(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/settings timezone America/Denver")
    text = await send(chat, "run.tcx")
    assert "Logged #1 · Sat 15 Aug 2015 · 9.01 km in 47:13" in text
    assert "Week of Mon 10 Aug 2015: 9.01 km over 1 run" in text
    assert "From the TCX file's points: climb" in text
    assert "Best efforts in this run: 1 km 4:06 · 5 km 21:44" in text
    assert "Wrong? /undo removes it." in text
    [run] = await harness.runs(chat)
    assert run.local_date == date(2015, 8, 15)  # 08:45 in Denver
    assert run.distance_m == pytest.approx(9007, abs=2)
    async with harness.db.reader() as uow:
        facts = await uow.tracks.facts(run.id)
    assert facts is not None and facts.source_file == "tcx"
    assert facts.elapsed_s == 2832 or facts.elapsed_s == 2833
    assert sorted(facts.efforts) == [1000, 5000]


async def test_a_gpx_run_today_gets_the_usual_post_run_prompts(harness: Harness) -> None:
    # The 2013 recording moved to end an hour ago (as if run today).
    gpx = gpxpy.parse((DATA / "run-pause.gpx").read_text())
    end = gpx.get_time_bounds().end_time
    assert end is not None
    gpx.adjust_time(harness.clock.now() - timedelta(hours=1) - end)
    data = gpx.to_xml().encode()
    chat = harness.chat()
    text = await send(chat, "run-pause.gpx", data=data)
    assert "Logged #1 · today · 4.78 km in 3" in text
    assert "This week: 4.78 km over 1 run · run streak: 1 week" in text
    assert "stopped, not counted (moving time counts while you covered more than" in text
    assert "46:44 start to finish" in text
    assert "Now: a light snack" in text
    assert [b.label for b in chat.replies[-1].all_buttons] == [
        "🍌 Snack eaten",
        "🦵 Post-run mobility done",
    ]


async def test_the_same_file_twice_is_one_run(harness: Harness) -> None:
    chat = harness.chat()
    first = await send(chat, "run-gps.fit")
    again = await send(chat, "run-gps.fit")
    renamed = await chat.say(
        "/log", attachments=(Attachment("copy.fit", (DATA / "run-gps.fit").read_bytes()),)
    )
    assert first.startswith("Logged #1")
    assert again.startswith("Already logged #1")
    assert renamed.text.startswith("Already logged #1")
    assert await stored(harness) == (1, 1)


async def test_a_file_logged_again_offers_no_undo_of_another_run(harness: Harness) -> None:
    """/undo removes the latest run: "Already logged #1" must not offer it when #2 is later."""
    chat = harness.chat()
    assert (await send(chat, "fenix2-run.fit")).startswith("Logged #1")
    assert (await chat.say("/log 5k 25:00")).text.startswith("Logged #2")
    again = await send(chat, "fenix2-run.fit")
    assert again.startswith("Already logged #1")
    assert "/undo" not in again
    assert [r.id for r in await harness.runs(chat)] == [2, 1]


async def test_two_runners_may_send_the_same_file(harness: Harness) -> None:
    await send(harness.chat("ana"), "run-gps.fit")
    text = await send(harness.chat("ben"), "run-gps.fit")
    assert text.startswith("Logged #2")


@pytest.mark.parametrize(
    ("name", "kw", "expected"),
    [
        ("truncated.fit", {}, "This FIT file is cut short (truncated). Nothing was saved."),
        ("corrupt-crc.fit", {}, "This FIT file is damaged (its checksum doesn't match)."),
        ("ride.fit", {}, "This FIT file is a ride (cycling), not a run."),
        ("car.gpx", {}, "speeds only a bike makes, so it looks like a ride"),
        ("run.tcx", {"data": b""}, "run.tcx is empty. Nothing was saved."),
        (
            "run.tcx",
            {"data": b"", "size": 25 * 1024 * 1024},
            "run.tcx is 25.0 MB, over the 20 MB limit for run files",
        ),
    ],
)
async def test_refused_files_store_nothing(
    harness: Harness, name: str, kw: dict[str, Any], expected: str
) -> None:
    chat = harness.chat()
    text = await send(chat, name, **kw)
    assert expected in text
    assert await stored(harness) == (0, 0)
    assert "Sorry" not in text


async def test_a_typed_log_still_needs_distance_and_time(harness: Harness) -> None:
    chat = harness.chat()
    assert "needs a distance" in (await chat.say("/log")).text
    assert "Logged #1" in (await chat.say("/log 5k 25:00")).text


async def test_a_file_with_a_typed_distance_is_refused(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/log 5k 25:00", attachments=(attach("run.tcx"),))
    assert "The file has the run's distance and duration: send it without them" in reply.text
    assert await stored(harness) == (0, 0)


async def test_a_note_goes_with_the_file(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/log", options={"note": "snowy"}, attachments=(attach("run.tcx"),))
    assert "· snowy" in reply.text


async def test_best_efforts_combine_tracks_and_logged_runs(harness: Harness) -> None:
    chat = harness.chat()
    await send(chat, "run.tcx")  # 2015: 1 km 4:06, 5 km 21:44 inside a 9 km run
    await chat.say("/log 5.05k 21:00")  # within 2% of 5 km, faster than the track's 5 km
    await chat.say("/log 1.1k 3:00")  # 10% off 1 km: never a 1 km best
    user = await harness.user(chat)
    async with harness.db.reader() as uow:
        all_time = await uow.tracks.best_efforts(user.id, date(2000, 1, 1), date(2100, 1, 1))
        in_2015 = await uow.tracks.best_efforts(user.id, date(2015, 1, 1), date(2015, 12, 31))
    assert sorted(all_time) == [1000, 5000]
    assert all_time[1000].from_track and all_time[1000].seconds == pytest.approx(246, abs=3)
    assert not all_time[5000].from_track
    assert all_time[5000].seconds == pytest.approx(21 * 60 * 5000 / 5050)  # at its pace
    assert in_2015[5000].from_track and in_2015[5000].seconds == pytest.approx(1304, abs=5)


async def test_deleting_a_file_run_deletes_its_efforts(harness: Harness) -> None:
    chat = harness.chat()
    await send(chat, "run.tcx")
    assert (await stored(harness)) == (1, 2)
    assert "Removed run #1" in (await chat.say("/undo")).text
    assert await stored(harness) == (0, 0)
    assert (await send(chat, "run.tcx")).startswith("Logged #2")  # deleted: may come again


@pytest.mark.slow  # wall-clock time: the console chat in a subprocess
def test_console_log_file(tmp_path: Path) -> None:
    done = run_console(
        tmp_path / "c.db",
        [
            f"/log file {DATA / 'run.tcx'}",
            f"/log file '{DATA / 'run.tcx'}'",  # quoted, as a dragged-in path comes
            f"/log file {DATA / 'truncated.fit'}",
            f"/log file {tmp_path / 'nowhere.gpx'}",
            "/log file",
            "/runs",
        ],
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Logged #1 · Sat 15 Aug 2015 · 9.01 km in 47:13" in out
    assert "Already logged #1" in out
    assert "This FIT file is cut short (truncated). Nothing was saved." in out
    assert "Can't open" in out and "nowhere.gpx: No such file or directory." in out
    assert "Which file? /log file <path" in out
    assert "Your last 1 run:" in out


async def test_an_old_file_s_week_stands_without_today_s_streak(harness: Harness) -> None:
    """Today's streak is named only beside a week that is part of it."""
    chat = harness.chat()
    await chat.say("/log 5k 25:00 2026-11-17")  # last week
    assert (
        "This week: 5.00 km over 1 run · run streak: 2 weeks"
        in (await chat.say("/log 5k 25:00")).text
    )
    lines = (await send(chat, "run.tcx")).splitlines()
    assert lines[1] == "Week of Mon 10 Aug 2015: 9.01 km over 1 run"
    backdated = (await chat.say("/log 5k 25:00 2026-11-10")).text.splitlines()
    assert backdated[1] == "Week of Mon 09 Nov 2026: 5.00 km over 1 run · run streak: 3 weeks"


async def test_the_console_takes_a_note_after_the_path(harness: Harness, tmp_path: Path) -> None:
    """``/log file <path> <note>``: the path ends at its closing quote, or at the first words
    that name a file (so a path with spaces needs no quotes)."""
    import io

    from adapters.console.chat import ConsoleAdapter, ConsoleInputError

    spaced = tmp_path / "my runs" / "Morning run.tcx"
    spaced.parent.mkdir()
    spaced.write_bytes((DATA / "run.tcx").read_bytes())
    console = ConsoleAdapter(harness.core, "ana", lambda: None, io.StringIO(), io.StringIO())

    async def say(line: str) -> str:
        return (await harness.core.handle(console.to_incoming(line))).text

    assert "· snowy hills" in await say(f"/log file {spaced} snowy hills")
    assert "· fast" in await say(f"/log file '{DATA / 'run-gps.fit'}' fast")
    assert "Logged #3" in await say(f'/log file "{DATA / "run-pause-footpod.fit"}"')
    stored_runs = await harness.runs(harness.chat("ana", platform="console"))
    assert sorted((r.id, r.note) for r in stored_runs) == [(1, "snowy hills"), (2, "fast"), (3, "")]
    # No words name a file: all of them are the path the refusal names.
    with pytest.raises(ConsoleInputError, match="x y: No such file or directory"):
        console.to_incoming(f"/log file {tmp_path}/x y")


async def test_a_file_run_edited_shorter_keeps_no_effort_longer_than_itself(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await send(chat, "run-pause-footpod.fit")  # 10.25 km: 1 km, 5 km and 10 km efforts
    [run] = await harness.runs(chat)

    await chat.say(f"/edit {run.id} distance 9.5km")  # the watch over-counted

    user = await harness.user(chat)
    async with harness.db.reader() as uow:
        best = await uow.tracks.best_efforts(user.id, date(2000, 1, 1), date(2100, 1, 1))
        facts = await uow.tracks.facts(run.id)
    assert sorted(best) == [1000, 5000]  # no 10 km inside a 9.5 km run
    assert facts is not None and sorted(facts.efforts) == [1000, 5000]
    assert "10 km:" not in (await chat.say("/stats all")).text


async def test_stats_say_which_best_efforts_come_from_a_track(harness: Harness) -> None:
    chat = harness.chat()
    await send(chat, "run-pause-footpod.fit")
    await chat.say("/log 1k 3:50")

    text = (await chat.say("/stats all")).text

    assert "1 km: 3:50 (3:50 /km) · #2, 26 Nov 2026\n" in text  # a whole run
    # On the watch's timer (its stop left out, its stands counted): 59:34, not the 57:46
    # of Pacer's moving clock, faster than the timer allowed.
    assert "10 km: 59:34 (5:57 /km) · #1, 13 Feb 2012 · inside its track" in text


def test_a_miles_runner_reads_the_moving_speed_in_mph() -> None:
    from pathlib import Path

    from bot.runfiles import read_run_file
    from bot.texts.runfiles import file_lines

    path = Path("tests/data/runfiles/run-pause.gpx")
    run_file = read_run_file(path.name, path.read_bytes()).only

    [facts, *_] = file_lines(run_file, "mi")

    assert "more than 0.7 mph" in facts and "km/h" not in facts


async def test_a_run_from_an_old_file_can_be_edited_within_its_own_dates(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await chat.say("/settings timezone America/Denver")
    assert "Logged #1 · Sat 15 Aug 2015" in await send(chat, "run.tcx")
    moved = await chat.say("/edit 1 date 2015-08-16")
    assert moved.text.startswith("Run #1: date Sat 15 Aug 2015 → Sun 16 Aug 2015.")
    back = await chat.say("/edit 1 date 2015-08-15")
    assert back.text.startswith("Run #1: date Sun 16 Aug 2015 → Sat 15 Aug 2015.")
    for typed, says in (
        ("/edit 1 date 1999-12-31", "1999-12-31 is before 2000-01-01, the earliest date"),
        ("/edit 1 date tomorrow", "Tomorrow is in the future"),
        ("/edit 1 date 2026-12-01", "2026-12-01 is in the future"),
    ):
        assert (await chat.say(typed)).text.startswith(says), typed
    await chat.say("/log 5k 25:00")
    typed_run = await chat.say("/edit 2 date 2015-08-15")
    assert typed_run.text.startswith(
        "2015-08-15 is more than a year ago; a typed run goes back 365 days"
    )
    assert [r.local_date for r in await harness.runs(chat)] == [
        date(2026, 11, 26),
        date(2015, 8, 15),
    ]
