"""Bad input, refused at the root: digits, huge numbers, raw free text, huge echoes, far dates."""

from __future__ import annotations

import logging

import pytest

from tests.fakes import Harness

SORRY = "something went wrong"


@pytest.mark.parametrize(
    "typed",
    [
        "/log ٥k 25:00",  # Arabic-Indic five
        "/log 5k ٢٥:٠٠",
        "/log ５k 25:00",  # fullwidth
        "/log ²k 25:00",
        "/log 5k ①:00",
        "/slept ٧",
        "/slept ²",
        "/strength plank ٦٠",
        "/strength deadlift ٣x6",
        "/settings run_time ٧:00",
        "/settings timezone +٢",
        "/settings fuel_delay ²",
        "/runs ١",
        "/bedtime ²",
        "/pause ٢٠٢٧-٠١-٠١",
    ],
)
async def test_digits_other_than_0_to_9_are_refused_with_a_specific_answer(
    harness: Harness, typed: str
) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert "digits 0-9" in reply.text, reply.text
    assert await harness.runs(chat) == [] and await harness.checkins(chat) == []


async def test_a_foreign_digit_never_picks_a_run_to_delete(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    reply = await chat.say("/delete ١")
    assert "digits 0-9" in reply.text
    assert [r.id for r in await harness.runs(chat)] == [1]


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/delete 99999999999999999999", "too large"),
        ("/delete 9999999999999999999", "too large"),  # 19 digits, past a 64-bit id
        ("/log 5k " + "1" * 5000 + "m", "too large"),
        ("/log 5k " + "1" * 5000 + ":00", "too large"),
        ("/log 5k 25:" + "0" * 5000, "too large"),
        ("/settings fuel_delay " + "9" * 5000, "too large"),
        ("/nudge done " + "9" * 30, "too large"),
        ("/nudge snooze 99999999999999999999 20m", "too large"),
        ("/strength plank " + "9" * 40, "too large"),
        ("/runs 99999999999999999999999", "too large"),
    ],
)
async def test_numbers_too_large_are_refused_clearly(
    harness: Harness, typed: str, says: str, caplog: pytest.LogCaptureFixture
) -> None:
    chat = harness.chat()
    with caplog.at_level(logging.ERROR):
        reply = await chat.say(typed)
    assert says in reply.text and SORRY not in reply.text, reply.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(reply.text) < 300


async def test_a_big_run_id_is_refused_or_not_found_never_a_fault(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/delete 999999999999999999")
    assert "Run id can be at most 2147483647" in reply.text
    reply = await chat.say("/delete 2147483647")
    assert "You have no run #2147483647" in reply.text
    reply = await chat.say("/nudge done 2147483648")
    assert "at most" in reply.text


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("hill\x00 reps", "hill reps"),
        ("\x1b[31mred\x1b[0m legs", "red legs"),
        ("\x1b]0;pwned\x07title", "title"),
        ("easy \u202egnol\u202c run", "easy gnol run"),
        ("bell\x07 and\x08 back", "bell and back"),
        ("broken \ud800 utf8", "broken utf8"),
        ("line\nbreak", "line break"),
        ("família 🏃‍♀️ ok", "família 🏃‍♀️ ok"),  # letters and joined emoji are kept
    ],
)
async def test_notes_are_stored_and_echoed_without_control_characters(
    harness: Harness, raw: str, stored: str
) -> None:
    chat = harness.chat()
    reply = await chat.say(f"/log 5k 25:00 {raw}")
    assert reply.text.startswith("Logged"), reply.text
    [run] = await harness.runs(chat)
    assert run.note == stored
    listed = (await chat.say("/runs")).text
    assert stored in listed
    for bad in ("\x00", "\x1b", "\u202e", "\ud800", "\x07"):
        assert bad not in listed and bad not in reply.text


async def test_fuel_notes_and_display_names_are_cleaned_too(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    reply = await chat.say("/fuel banana\x00\u202e \x1b[2Jtoast")
    assert "banana toast" in reply.text
    [fuel] = await harness.checkins(chat, "fuel")
    assert fuel.note == "banana toast"
    hello = await chat.say("/start", display_name="Ana\x1b[31m\u202e\x00")
    assert hello.text.startswith("Hi Ana!")


@pytest.mark.parametrize(
    "typed",
    [
        "/log " + "x" * 3000 + " 25:00",
        "/log 5k " + "9" * 3000,
        "/settings timezone " + "Mars" * 700,
        "/settings units " + "y" * 3000,
        "/mobility " + "z" * 3000,
        "/" + "q" * 3000,
        "/log 5k 25:00 " + "a" * (5 * 1024 * 1024),
    ],
)
async def test_a_huge_input_is_never_echoed_whole(harness: Harness, typed: str) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert len(reply.text) < 400, reply.text[:500]
    assert SORRY not in reply.text
    assert await harness.runs(chat) == []


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/pause 9999-12-31", "more than a year ahead"),
        ("/pause 2028-06-01", "more than a year ahead"),
        ("/race 9999-12-31 Forever Marathon", "more than 2 years ahead"),
        ("/pause 2025-01-01", "in the past"),
    ],
)
async def test_dates_absurdly_far_ahead_are_bounded(
    harness: Harness, typed: str, says: str
) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert says in reply.text, reply.text
    user = await harness.user(chat)
    assert user.prefs.paused_until is None and user.prefs.race_date is None


async def test_a_pause_within_the_year_still_works(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/pause 2027-11-20")
    assert "resume on Sat 20 Nov 2027" in reply.text
    assert (await harness.user(chat)).prefs.paused_until is not None


async def test_linking_with_ones_own_code_is_refused_and_keeps_the_code(
    harness: Harness,
) -> None:
    mine = harness.chat("ana", "telegram")
    code = (await mine.say("/link")).text.split("code: ")[1].split()[0]
    again = await mine.say(f"/link {code}")
    assert "own code" in again.text
    other = harness.chat("ana-d", "discord")
    linked = await other.say(f"/link {code}")
    assert linked.text.startswith("Linked"), linked.text


async def test_a_bad_input_is_never_a_fault(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    chat = harness.chat()
    battery = [
        "/log ²k 25:00",
        "/delete ²",
        "/settings fuel_delay ²",
        "/settings wind_down_lead ①",
        "/nudge done ²",
        "/nudge snooze x 20m",
        "/log 5k 25:00 \ud800",
        "/settings quiet_hours ²-７",
        "/race ² x",
        "/help \x00",
        "²",
        "/start timezone=²",
    ]
    with caplog.at_level(logging.ERROR):
        for line in battery:
            reply = await chat.say(line)
            assert SORRY not in reply.text, (line, reply.text)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
