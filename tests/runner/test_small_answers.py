"""Answers read every day: sleep limits, pace typos in miles, streaks, the race, the export."""

from __future__ import annotations

import io
import zipfile

from tests.fakes import Harness


async def test_zero_hours_of_sleep_is_not_told_to_log_between_zero_and_sixteen(
    harness: Harness,
) -> None:
    chat = harness.chat()

    zero = (await chat.say("/slept 0")).text
    long = (await chat.say("/slept 17h20")).text

    assert "between 0 and 16" not in zero
    assert "up to 16" in zero
    assert "hours hours" not in long and "17h20 hours" not in long
    assert await harness.checkins(chat) == []


async def test_a_pace_typo_is_told_in_the_runners_miles(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/settings units mi")

    text = (await chat.say("/log 3mi 1:00")).text

    # Miles first, the limit in miles too: the runner thinks in /mi.
    assert text.startswith("That's 0:20 /mi (0:12 /km): faster than 4:01 /mi")
    assert await harness.runs(chat) == []


async def test_an_old_run_does_not_say_run_streak_zero_weeks(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 2026-01-05")

    reply = await chat.say("/log 5k 25:00 2026-06-01")

    assert "Logged #2" in reply.text
    assert "run streak: 0 weeks" not in reply.text


async def test_race_off_without_a_race_says_there_was_none(harness: Harness) -> None:
    chat = harness.chat()

    text = (await chat.say("/race off")).text

    assert text.startswith("No goal race was set")


async def test_every_exported_table_is_described_in_the_readme(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    await chat.say("/settings digest sun 19:00")

    [archive] = (await chat.say("/export")).attachments
    readme = zipfile.ZipFile(io.BytesIO(archive.data)).read("README.txt").decode()

    assert "your rows of" not in readme
    assert "digests.csv" in readme and "run_efforts.csv" in readme
    assert "elevation_gain_m" in readme  # the columns a run file fills


async def test_a_snack_with_a_note_has_one_pair_of_brackets(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")

    text = (await chat.say("/fuel banana")).text

    assert text.startswith("Checked in: post-run snack: banana (Thu 26 Nov).")


async def test_last_monday_is_the_day_of_the_run_not_its_note(harness: Harness) -> None:
    chat = harness.chat()  # today is Thursday 26 Nov 2026

    logged = (await chat.say("/log 5k 25:00 last monday easy")).text
    edited = (await chat.say("/edit 1 date last thu")).text

    assert logged.startswith("Logged #1 · Mon 23 Nov · 5.00 km in 25:00 (5:00 /km) · easy")
    # "last thursday" on a Thursday is a week ago, not today.
    assert "→ Thu 19 Nov 2026" in edited
    [run] = await harness.runs(chat)
    assert (str(run.local_date), run.note) == ("2026-11-19", "easy")


def test_a_miles_runner_reads_the_moving_speed_in_mph() -> None:
    from pathlib import Path

    from bot.core.runfile_handlers import file_lines
    from bot.runfiles import read_run_file

    path = Path("tests/data/runfiles/run-pause.gpx")
    run_file = read_run_file(path.name, path.read_bytes()).only

    [facts, *_] = file_lines(run_file, "mi")

    assert "more than 0.7 mph" in facts and "km/h" not in facts


async def test_best_efforts_from_a_long_run_are_not_called_runs_within_two_percent(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")

    text = (await chat.say("/stats")).text

    assert "Best efforts:" in text and "within 2%" not in text


async def test_race_today_is_race_day_not_a_missing_date(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/race today parkrun")
    assert "Which day" not in reply.text
    assert "parkrun" in reply.text


async def test_a_wrong_choice_is_named_by_its_command_not_the_option(harness: Harness) -> None:
    chat = harness.chat()
    text = (await chat.say("/chart pie")).text
    assert "/chart knows distance or habits there; not 'pie'." in text
    assert "Which" not in text
