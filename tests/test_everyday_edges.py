"""Cases a daily runner hit in review: duplicates, stale buttons, odd input."""

from __future__ import annotations

import pytest

from bot.parsing import parse_timezone
from tests.fakes import Harness


async def test_the_same_undo_delivered_twice_removes_one_run(harness: Harness) -> None:
    chat = harness.chat(platform="telegram")
    await chat.say("/log 10k 50:00 yesterday")
    await chat.say("/log 5k 25:00")
    first = await chat.say("/undo", idempotency_key="u1")
    again = await chat.say("/undo", idempotency_key="u1")
    assert "Removed run #2" in first.text and again.text == first.text
    assert [r.id for r in await harness.runs(chat)] == [1]


async def test_run_ids_are_never_reused(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    await chat.say("/log 6k 30:00")
    await chat.say("/undo")
    reply = await chat.say("/log 7k 35:00")
    assert reply.text.startswith("Logged #3")


async def test_start_with_options_is_all_or_nothing_and_takes_wake_time(
    harness: Harness,
) -> None:
    chat = harness.chat(platform="discord")
    bad = await chat.say(
        "", command="start", options={"timezone": "Europe/Berlin", "run_time": "25:99"}
    )
    assert "isn't a time of day" in bad.text
    assert (await harness.user(chat)).timezone == "UTC"
    good = await chat.say(
        "", command="start", options={"timezone": "Europe/Berlin", "wake_time": "06:15"}
    )
    assert "Wake time set to 06:15." in good.text
    assert (await harness.user(chat)).wake_time == "06:15"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/log 5k 25:00 tomorrow", "in the future"),
        ("/log 5k 25:00 26/11", "can't read '26/11' as a date"),
        ("/log 5k 25:00 2026-2-3", "can't read '2026-2-3' as a date"),
    ],
)
async def test_date_like_words_are_dates_not_notes(harness: Harness, typed: str, says: str) -> None:
    chat = harness.chat()
    assert says in (await chat.say(typed)).text
    assert await harness.runs(chat) == []


async def test_a_date_followed_by_a_colon_is_still_the_date(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 Yesterday: legs heavy")
    [run] = await harness.runs(chat)
    assert (run.local_date.isoformat(), run.note) == ("2026-11-25", "legs heavy")


async def test_an_old_onboarding_button_does_not_answer_the_open_question(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await chat.say("/start")
    await chat.press("Europe/Berlin")
    units_question = chat.replies[-1]
    await chat.press("miles")
    chat.replies.append(units_question)  # tap "km" on the earlier message
    reply = await chat.press("km")
    assert "belongs to an earlier question" in reply.text and "(3/9)" in reply.text
    assert (await harness.user(chat)).units == "mi"


async def test_a_run_logged_for_another_week_says_which_week(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/log 5k 25:00 2026-11-18")
    assert "Week of Mon 16 Nov 2026: 5.00 km over 1 run" in reply.text
    last_year = await chat.say("/log 5k 25:00 2025-12-01")
    assert "Mon 01 Dec 2025" in last_year.text


async def test_a_bare_evening_hour_for_bedtime_means_the_evening(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/settings bedtime 11")
    assert "Bedtime set to 23:00." in reply.text
    await chat.say("/settings target_bedtime 10:30")
    user = await harness.user(chat)
    assert (user.bedtime, user.target_bedtime) == ("23:00", "22:30")
    morning = await chat.say("/settings wake_time 6:30")
    assert "Wake time set to 06:30." in morning.text


async def test_week_counts_sessions_not_check_ins(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    await chat.say("/strength plank 60")
    await chat.say("/strength deadlift 3x6 60kg")
    await chat.say("/mobility pre")
    again = await chat.say("/mobility pre")
    assert again.text.startswith("Already checked in")
    week = await chat.say("/week")
    assert "Strength: 1 session" in week.text
    assert "Mobility on run days: pre 1 of 1, post 0 of 1" in week.text


async def test_a_redelivered_sleep_check_in_is_not_an_update(harness: Harness) -> None:
    chat = harness.chat(platform="telegram")
    await chat.say("/slept 7", idempotency_key="s1")
    again = await chat.say("/slept 7", idempotency_key="s1")
    assert again.text.startswith("Already checked in")


async def test_fuel_note_stays_out_of_the_group(harness: Harness) -> None:
    chat = harness.chat(private=False)
    reply = await chat.say("/fuel chocolate milk")
    assert "chocolate" not in reply.text and "Checked in: snack (" in reply.text


@pytest.mark.parametrize(
    ("typed", "zone", "warns"),
    [
        ("buenos aires", "America/Argentina/Buenos_Aires", False),
        ("EST", "America/New_York", True),
        ("pst", "America/Los_Angeles", True),
        ("mumbai", "Asia/Kolkata", False),
        ("Etc/GMT+2", "Etc/GMT+2", True),
    ],
)
def test_time_zone_aliases(typed: str, zone: str, warns: bool) -> None:
    got, warning = parse_timezone(typed)
    assert got == zone and bool(warning) == warns


def test_offsets_beyond_minus_twelve_are_refused() -> None:
    from bot.errors import BadInput

    with pytest.raises(BadInput):
        parse_timezone("-13")


async def test_small_conveniences(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/strength plank 2 min")
    [hold] = await harness.checkins(chat, "strength")
    assert hold.seconds == 120
    assert "Run time set to 07:30." in (await chat.say("/settings run_time 0730")).text
    nudges = await chat.say("/settings nudges telegram")
    assert "No telegram account is linked to you yet" in nudges.text


@pytest.mark.parametrize(
    ("typed", "stored", "explained"),
    [("11", "23:00", True), ("10:30", "22:30", True), ("1030", "22:30", True),
     ("07:30", "07:30", False), ("23:15", "23:15", False), ("6:30am", "06:30", False)],
)  # fmt: skip
async def test_slept_bedtimes_read_like_settings(
    harness: Harness, typed: str, stored: str, explained: bool
) -> None:
    chat = harness.chat()
    reply = await chat.say(f"/slept 7 {typed}")
    [night] = await harness.checkins(chat, "sleep")
    assert night.bedtime == stored
    assert ("I took" in reply.text) == explained


async def test_race_takes_a_weekday_or_tomorrow(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/race sat parkrun")  # Thursday 26 Nov: the coming Saturday
    assert "parkrun: 2026-11-28, 2 days to go" in reply.text
    assert "2026-11-27" in (await chat.say("/race tomorrow 10k")).text
