"""/week counts mobility per run day; /race says what the last two weeks mean for sleep."""

from __future__ import annotations

from bot.clock import FakeClock
from tests.fakes import Harness


async def test_todays_mobility_does_not_count_for_yesterdays_run(
    harness: Harness, clock: FakeClock
) -> None:
    chat = harness.chat()
    clock.advance(days=-1)  # Wednesday: a run, no mobility
    await chat.say("/log 5k 25:00")
    clock.advance(days=1)  # Thursday: no run, both sessions
    await chat.say("/mobility pre")
    await chat.say("/mobility post")
    week = await chat.say("/week")
    shown = "🦵 Mobility: 0 of 2 sessions on run days (pre 0, post 0) (+2 on other days)"
    assert shown in week.text
    await chat.say("/log 6k 30:00")  # now today is a run day too
    week = await chat.say("/week")
    assert "🦵 Mobility: 2 of 4 sessions on run days (pre 1, post 1)" in week.text
    assert "other days" not in week.text


async def test_race_without_sleep_settings_asks_for_the_bedtime(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/race 2027-03-01 Barcelona")
    assert "Sleep nudges will say so" not in reply.text
    assert "/settings bedtime 23:00" in reply.text and "/settings wake_time" in reply.text
    await chat.say("/settings wake_time 06:30")
    reply = await chat.say("/race")
    assert "Tell me your bedtime" in reply.text and "wake time" not in reply.text
    await chat.say("/settings bedtime 23:00")
    reply = await chat.say("/race")
    assert "Sleep nudges will say so from two weeks out." in reply.text
    assert "Tell me" not in reply.text


async def test_race_within_two_weeks_says_what_it_means_for_sleep(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/settings bedtime 23:30")
    await chat.say("/settings target_bedtime 22:30")
    await chat.say("/settings wake_time 06:30")
    reply = await chat.say("/race 2026-12-05 Valencia")  # 9 days from Thu 26 Nov
    assert "9 days to go." in reply.text
    assert "last two weeks are when sleep counts most" in reply.text
    assert "7 h or more" in reply.text and "This week's bedtime: 23:00." in reply.text
    assert "Tell me" not in reply.text
    bare = harness.chat("ben")
    reply = await bare.say("/race 2026-12-05")
    assert "sleep counts most" in reply.text and "Tell me your bedtime and wake time" in reply.text


async def test_race_takes_a_weekday_or_tomorrow(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/race sat parkrun")  # Thursday 26 Nov: the coming Saturday
    assert "parkrun: 2026-11-28, 2 days to go" in reply.text
    assert "2026-11-27" in (await chat.say("/race tomorrow 10k")).text


async def test_race_off_without_a_race_says_there_was_none(harness: Harness) -> None:
    chat = harness.chat()

    text = (await chat.say("/race off")).text

    assert text.startswith("No goal race was set")


async def test_race_today_is_race_day_not_a_missing_date(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/race today parkrun")
    assert "Which day" not in reply.text
    assert "parkrun" in reply.text
