"""Habit check-ins: sleep, mobility, strength, fuel; and the week view."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.clock import FakeClock
from tests.fakes import Harness


async def test_slept_stores_hours_and_bedtime_with_local_date(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/slept 7h20 23:10")
    assert "sleep: 7 h 20 min, in bed at 23:10" in reply.text
    [c] = await harness.checkins(chat, "sleep")
    assert (c.hours, c.bedtime, c.local_date) == (7.33, "23:10", date(2026, 11, 26))


async def test_slept_twice_the_same_morning_updates(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/slept 6")
    reply = await chat.say("/slept 7.5")
    assert reply.text.startswith("Updated: sleep: 7 h 30 min")
    assert [c.hours for c in await harness.checkins(chat, "sleep")] == [7.5]


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/slept 30", "doesn't look like one night's sleep"),
        ("/slept 0", "doesn't look like one night's sleep"),
        ("/slept lots", "can't read 'lots' as hours"),
        ("/slept 7 25:00", "'25:00' isn't a time of day"),
        ("/slept", "needs hours"),
        ("/mobility sideways", "/mobility knows pre or post there"),
        ("/strength plank", "How long did you hold the plank"),
        ("/strength plank 2", "outside 5 s to 30 min"),
        ("/strength deadlift lots", "can't read 'lots' as sets and reps"),
        ("/strength deadlift 3x6 900kg", "outside what I can record"),
        ("/strength burpees 10", "/strength knows"),
        ("/fuel " + "a" * 300, "up to 200 characters"),
    ],
)
async def test_bad_checkins_store_nothing(harness: Harness, typed: str, says: str) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert says in reply.text
    assert await harness.checkins(chat) == []


async def test_mobility_defaults_to_pre_before_a_run_and_post_after(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/mobility")
    await chat.say("/log 5k 25:00")
    await chat.say("/mobility")
    assert [c.kind for c in await harness.checkins(chat, "mobility")] == ["pre", "post"]


@pytest.mark.parametrize(
    ("typed", "kind", "seconds"),
    [
        ("/strength plank 60", "plank", 60),
        ("/strength plank 1:30", "plank", 90),
        ("/strength side plank 45", "side-plank", 45),
        ("/strength reverse plank 40s", "reverse-plank", 40),
        ("/strength plank with movement 30", "plank-with-movement", 30),
    ],
)
async def test_plank_variations(harness: Harness, typed: str, kind: str, seconds: int) -> None:
    chat = harness.chat()
    await chat.say(typed)
    [c] = await harness.checkins(chat, "strength")
    assert (c.kind, c.seconds) == (kind, seconds)


async def test_deadlift_sets_reps_and_load(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/strength deadlift 3x6 60kg")
    assert "deadlift 3 x 6 at 60 kg" in reply.text
    await chat.say("/strength deadlift 3 x 6 @ 135 lb")
    await chat.say("/strength deadlift 3x6")
    got = [(c.sets, c.reps, c.load, c.load_unit) for c in await harness.checkins(chat)]
    assert got == [(3, 6, 60.0, "kg"), (3, 6, 135.0, "lb"), (3, 6, None, None)]


async def test_fuel_with_and_without_what(harness: Harness, clock: FakeClock) -> None:
    chat = harness.chat()
    await chat.say("/fuel")
    clock.advance(days=1)  # one snack a day counts when there is no run
    await chat.say("/fuel banana and yoghurt")
    assert [c.note for c in await harness.checkins(chat, "fuel")] == ["", "banana and yoghurt"]


async def test_week_counts_every_habit_and_streaks(harness: Harness, clock: FakeClock) -> None:
    chat = harness.chat()
    # Thursday 26 Nov: runs Mon and today, sleep three mornings, one strength session.
    for day, hours in ((date(2026, 11, 24), 7.5), (date(2026, 11, 25), 6.0)):
        clock.set(clock.now().replace(day=day.day))
        await chat.say(f"/slept {hours}")
    clock.set(clock.now().replace(day=26))
    await chat.say("/slept 8")
    await chat.say("/log 5k 25:00 mon")
    await chat.say("/log 8k 40:00")
    await chat.say("/fuel")
    await chat.say("/mobility post")
    await chat.say("/strength plank 60")
    reply = await chat.say("/week")
    text = reply.text
    assert "Mon 23 Nov - Sun 29 Nov" in text
    assert "Runs: 2 · 13.00 km" in text
    assert "Sleep: 2 of 3 logged nights at 7 h or more" in text
    assert "🦵 Mobility: 1 of 4 sessions on run days (pre 0, post 1)" in text
    assert "Strength: 1 session" in text
    assert "Fuel: a snack on 1 of 2 run days" in text
    assert "sleep 1 night ·" in text  # 8 h last night, 6 h the night before
    assert "fuel 1 run day" in text and "runs 1 week" in text


async def test_week_in_a_group_is_private(harness: Harness) -> None:
    chat = harness.chat(private=False)
    await chat.say("/slept 5")
    reply = await chat.say("/week")
    assert reply.private


async def test_sleep_streak_counts_consecutive_good_nights(
    harness: Harness, clock: FakeClock
) -> None:
    chat = harness.chat()
    start = clock.now()
    for offset, hours in enumerate((6, 7, 7.5, 8, 7.2)):
        clock.set(start + timedelta(days=offset))
        await chat.say(f"/slept {hours}")
    reply = await chat.say("/week")
    assert "sleep 4 nights" in reply.text


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
    assert "🦵 Mobility: 1 of 2 sessions on run days (pre 1, post 0)" in week.text


async def test_a_redelivered_sleep_check_in_is_not_an_update(harness: Harness) -> None:
    chat = harness.chat(platform="telegram")
    await chat.say("/slept 7", idempotency_key="s1")
    again = await chat.say("/slept 7", idempotency_key="s1")
    assert again.text.startswith("Already checked in")


async def test_fuel_note_stays_out_of_the_group(harness: Harness) -> None:
    chat = harness.chat(private=False)
    reply = await chat.say("/fuel chocolate milk")
    assert "chocolate" not in reply.text and reply.text.startswith("Ana checked in: snack (")


@pytest.mark.parametrize(
    ("line", "coached"),
    [
        ("/strength plank 60", "Target reached. Next time: plank 70 s."),
        ("/strength deadlift 3x6", "Next time: 3 x 6. Add the load you lift"),
        ("/fuel banana", "No run today, so nothing to refuel after"),
    ],
)
async def test_the_coachs_word_after_a_check_in_in_a_group_is_the_runners_alone(
    harness: Harness, line: str, coached: str
) -> None:
    """The group reads whose check-in it is; the coaching under it goes to the runner alone
    (ephemeral on Discord, their private chat on Telegram), in the words a private chat reads."""
    checked = await harness.chat(private=False).say(line)
    assert checked.text.startswith("Ana checked in: ") and "\n" not in checked.text
    assert not checked.private
    alone = await harness.chat("bob").say(line)  # the same check-in in a private chat
    head, advice = alone.text.split("\n", 1)
    assert head.startswith("Checked in: ") and advice.startswith(coached)
    assert checked.private_note == advice


async def test_a_mobility_check_in_in_a_group_has_nothing_private_under_it(
    harness: Harness,
) -> None:
    checked = await harness.chat(private=False).say("/mobility pre")
    assert checked.text.startswith("Ana checked in: pre-run hip mobility (")
    assert (checked.private_note, checked.private) == ("", False)


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


async def test_a_snack_with_a_note_has_one_pair_of_brackets(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")

    text = (await chat.say("/fuel banana")).text

    assert text.startswith("Checked in: post-run snack: banana (Thu 26 Nov).")
