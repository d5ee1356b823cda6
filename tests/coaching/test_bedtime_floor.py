"""The bedtime plan leaves at least 7 hours before the wake time and never moves later."""

from __future__ import annotations

import re
from datetime import time

from hypothesis import given
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.coaching import is_later, minutes_in_bed, sleep_goal
from tests.fakes import FakeChat, Harness


async def set_up(chat: FakeChat, **settings: str) -> str:
    """Apply settings in order; the last reply."""
    text = ""
    for item, value in settings.items():
        text = (await chat.say(f"/settings {item} {value}")).text
    return text


async def weekly_bedtimes(chat: FakeChat, clock: FakeClock, weeks: int) -> list[str]:
    """This week's bedtime from /bedtime, week after week."""
    seen = []
    for _ in range(weeks):
        text = (await chat.say("/bedtime")).text
        match = re.search(r"This week's bedtime: (\d\d:\d\d)", text)
        assert match, text
        seen.append(match.group(1))
        clock.advance(days=7)
    return seen


async def test_a_target_that_leaves_six_hours_is_flagged_and_the_plan_stops_at_seven(
    harness: Harness, clock: FakeClock
) -> None:
    chat = harness.chat()
    said = await set_up(chat, bedtime="00:30", target_bedtime="23:30", wake_time="05:30")
    assert "Your target 23:30 leaves 6 h before your 05:30 wake-up" in said
    assert "/settings target_bedtime 22:30" in said
    reply = await chat.say("/bedtime")
    assert "Target 22:30" in reply.text
    assert "Make 22:30 my target" in [b.label for b in reply.all_buttons]
    bedtimes = await weekly_bedtimes(chat, clock, 10)
    assert bedtimes == [
        "00:00", "23:45", "23:30", "23:15", "23:00", "22:45", "22:30", "22:30", "22:30", "22:30"
    ]  # fmt: skip
    # Taking the proposal keeps the progress: no jump back.
    await chat.press("Make 22:30 my target")
    assert "This week's bedtime: 22:30" in (await chat.say("/bedtime")).text


async def test_a_later_target_never_moves_bedtime_later(harness: Harness, clock: FakeClock) -> None:
    chat = harness.chat()
    said = await set_up(chat, bedtime="22:00", target_bedtime="23:30", wake_time="05:00")
    assert "Your target 23:30 leaves 5 h 30 min before your 05:00 wake-up" in said
    assert "later than your 22:00 bedtime" in said and "stays at 22:00" in said
    assert await weekly_bedtimes(chat, clock, 6) == ["22:00"] * 6


async def test_a_later_target_with_enough_sleep_is_not_followed_unless_asked(
    harness: Harness, clock: FakeClock
) -> None:
    chat = harness.chat()
    said = await set_up(chat, bedtime="22:00", wake_time="07:00", target_bedtime="23:00")
    assert "only move bedtime earlier" in said and "/settings bedtime 23:00" in said
    assert await weekly_bedtimes(chat, clock, 3) == ["22:00"] * 3
    await chat.say("/settings bedtime 23:00")  # the runner asks for later nights
    assert "This week's bedtime: 23:00" in (await chat.say("/bedtime")).text


async def test_short_nights_without_a_target_plan_towards_seven_hours(
    harness: Harness, clock: FakeClock
) -> None:
    chat = harness.chat()
    said = await set_up(chat, bedtime="01:00", wake_time="06:00")
    assert "Bed at 01:00 and up at 06:00 is 5 h of sleep" in said
    assert "towards 23:00" in said
    reply = await chat.say("/bedtime")
    assert "Towards 23:00 (7 h before your 06:00 wake-up)" in reply.text
    bedtimes = await weekly_bedtimes(chat, clock, 9)
    assert bedtimes == [
        "00:30", "00:15", "00:00", "23:45", "23:30", "23:15", "23:00", "23:00", "23:00"
    ]  # fmt: skip
    reached = await chat.say("/bedtime")
    assert "You're at 23:00, 7 h before your 06:00 wake-up." in reached.text
    assert "your target" not in reached.text


async def test_enough_sleep_and_no_target_holds_and_says_so(harness: Harness) -> None:
    chat = harness.chat()
    said = await set_up(chat, bedtime="22:30", wake_time="06:30")
    assert "under the 7 h" not in said
    reply = await chat.say("/bedtime")
    assert "This week's bedtime: 22:30" in reply.text and "no target bedtime" in reply.text


async def test_without_a_wake_time_the_plan_asks_for_it(harness: Harness) -> None:
    chat = harness.chat()
    said = await set_up(chat, bedtime="23:30", target_bedtime="22:30")
    assert "/settings wake_time" in said
    assert "/settings wake_time" in (await chat.say("/bedtime")).text


async def test_clearing_the_target_keeps_this_weeks_bedtime(
    harness: Harness, clock: FakeClock
) -> None:
    chat = harness.chat()
    await set_up(chat, bedtime="23:45", target_bedtime="22:30", wake_time="07:00")
    assert await weekly_bedtimes(chat, clock, 3) == ["23:15", "23:00", "22:45"]
    await chat.say("/settings target_bedtime off")
    assert await weekly_bedtimes(chat, clock, 2) == ["22:30", "22:30"]


async def test_start_says_it_after_the_wake_time(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/start")
    for answer in ("UTC", "km", "skip", "skip", "00:30", "23:30"):
        await chat.say(answer)
    reply = await chat.say("05:30")
    assert "Your target 23:30 leaves 6 h before your 05:30 wake-up" in reply.text
    assert "(8/9)" in reply.text

    options = harness.chat("ben")
    reply = await options.say(
        "", command="start", options={"bedtime": "01:00", "wake_time": "06:00"}
    )
    assert "Bed at 01:00 and up at 06:00 is 5 h of sleep" in reply.text


_times = st.builds(time, st.integers(0, 23), st.sampled_from((0, 15, 30, 45)))


@given(bedtime=_times, target=st.none() | _times, wake=st.none() | _times)
def test_the_goal_is_never_later_and_leaves_seven_hours(
    bedtime: time, target: time | None, wake: time | None
) -> None:
    goal = sleep_goal(bedtime, target, wake)
    where = goal.goal or bedtime
    if goal.goal is not None and not goal.from_floor:
        assert not is_later(goal.goal, bedtime)  # the runner's target, never later
    if wake is not None:
        assert minutes_in_bed(where, wake) >= 7 * 60
