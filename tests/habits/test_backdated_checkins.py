"""Check-ins for an earlier day: a forgotten night or session, up to a week back."""

from __future__ import annotations

from datetime import date

import pytest

from tests.clubs.conftest import club_chat
from tests.fakes import Harness

TODAY = date(2026, 11, 26)  # the fake clock's Thursday
YESTERDAY = date(2026, 11, 25)


async def test_a_forgotten_night_is_checked_in_for_yesterday(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/slept 7.5 yesterday")
    assert reply.text.startswith("Checked in: sleep: 7 h 30 min (Wed 25 Nov).")
    await chat.say("/slept 6 23:40 mon")
    nights = await harness.checkins(chat, "sleep")
    assert sorted((c.local_date, c.hours, c.bedtime) for c in nights) == [
        (date(2026, 11, 23), 6.0, "23:40"),
        (YESTERDAY, 7.5, None),
    ]
    # A second check-in for the same morning replaces the first, as today's does.
    again = await chat.say("/slept 8 yesterday")
    assert again.text.startswith("Updated: sleep: 8 h (Wed 25 Nov).")


async def test_mobility_strength_and_fuel_take_a_day_too(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 yesterday")
    pre = await chat.say("/mobility pre yesterday")
    assert pre.text.startswith("Checked in: pre-run hip mobility (Wed 25 Nov).")
    post = await chat.say("/mobility yesterday")  # a run that day: after it
    assert post.text.startswith("Checked in: post-run hip mobility (Wed 25 Nov).")
    plank = await chat.say("/strength plank 60 yesterday")
    assert plank.text.startswith("Checked in: plank 60 s (Wed 25 Nov).")
    lift = await chat.say("/strength deadlift 3x6 62.5 2026-11-20")
    assert lift.text.startswith("Checked in: deadlift 3 x 6 at 62.5 kg (Fri 20 Nov).")
    snack = await chat.say("/fuel yesterday")
    assert snack.text.startswith("Checked in: post-run snack (Wed 25 Nov).")
    assert "Snack counted for that day's run." in snack.text
    [fuel] = await harness.checkins(chat, "fuel")
    assert (fuel.local_date, fuel.note) == (YESTERDAY, "")  # never today, never "yesterday"
    banana = await chat.say("/fuel yesterday banana")
    assert "already counted" in banana.text
    days = sorted((c.habit, c.kind, c.local_date) for c in await harness.checkins(chat))
    assert days == [
        ("fuel", "", YESTERDAY),
        ("mobility", "post", YESTERDAY),
        ("mobility", "pre", YESTERDAY),
        ("strength", "deadlift", date(2026, 11, 20)),
        ("strength", "plank", YESTERDAY),
    ]


async def test_a_snack_for_a_day_without_a_run_says_so(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/fuel sun oat bar")
    assert reply.text.startswith("Checked in: snack: oat bar (Sun 22 Nov).")
    assert "No run that day" in reply.text


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/slept 7 2026-11-18", "'2026-11-18' is more than a week ago; check-ins go back 7 days"),
        ("/mobility pre 2026-10-01", "more than a week ago"),
        ("/strength plank 60 tomorrow", "Tomorrow is in the future; check in what you have done"),
        ("/fuel 2026-11-27 banana", "2026-11-27 is in the future"),
        ("/fuel 26/11 banana", "I can't read '26/11' as a date"),
        ("/slept 7 2025-01-01", "more than a week ago"),
    ],
)
async def test_days_out_of_reach_are_refused_and_nothing_is_stored(
    harness: Harness, typed: str, says: str
) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert says in reply.text
    assert await harness.checkins(chat) == []


async def test_a_week_back_is_the_limit(harness: Harness) -> None:
    chat = harness.chat()
    assert "(Thu 19 Nov)" in (await chat.say("/slept 7 2026-11-19")).text
    refused = await chat.say("/slept 7 2026-11-18")
    assert "The earliest is Thu 19 Nov." in refused.text


async def test_the_day_as_a_discord_option(harness: Harness) -> None:
    chat = harness.chat(platform="discord")
    reply = await chat.say("", command="slept", options={"hours": "7", "day": "yesterday"})
    assert reply.text.startswith("Checked in: sleep: 7 h (Wed 25 Nov).")
    snack = await chat.say("", command="fuel", options={"what": "toast", "day": "tue"})
    assert snack.text.startswith("Checked in: snack: toast (Tue 24 Nov).")


async def test_a_sleep_challenge_counts_a_backdated_night(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Sleep Week sleep 2026-11-23 7d")
    await admin.say("/challenge join Sleep Week")
    await harness.chat("ann", "telegram").say("/slept 8 yesterday")
    await harness.chat("ann", "telegram").say("/slept 7.5 mon")
    assert "1. Ann (you) 2 nights" in (await admin.say("/challenge board")).text
