"""The plank ladder follows what was held; the deadlift starts at 3 x 6 and grows a little."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.coaching import strength_session
from tests.fakes import Harness, fire
from tests.nudges.conftest import RecordingMessenger


def test_short_holds_never_climb_the_ladder() -> None:
    assert strength_session([("plank", 10)] * 60).seconds == 30
    assert strength_session([("plank", 45)]).seconds == 50  # the first step above the hold
    assert strength_session([("plank", 30), ("plank", 35)]).seconds == 40


def test_the_variations_start_once_the_plain_plank_is_mastered() -> None:
    assert strength_session([("plank", 85)]).exercise == "plank"
    after = strength_session([("plank", 90)])
    assert (after.exercise, after.seconds) == ("side-plank", 30)
    # A variation logged before the plank is mastered does not count for the ladder.
    assert strength_session([("side-plank", 60)]).exercise == "plank"


async def test_check_in_replies_say_the_next_target(harness: Harness, clock: FakeClock) -> None:
    chat = harness.chat()
    short = await chat.say("/strength plank 10")
    assert "Your target is 30 s" in short.text and "Next time: plank 30 s." in short.text
    for _ in range(5):
        clock.advance(days=1)
        again = await chat.say("/strength plank 10")
    assert "Next time: plank 30 s." in again.text  # a week of 10 s holds: still 30 s
    clock.advance(days=1)
    reached = await chat.say("/strength plank 45")
    assert "Target reached. Next time: plank 50 s." in reached.text
    clock.advance(days=1)
    mastered = await chat.say("/strength plank 1:30")
    assert "Plain plank mastered" in mastered.text
    assert "Next time: side plank 30 s each side." in mastered.text


async def test_the_strength_nudge_records_the_deadlift_too(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    harness.core.messengers["console"] = messenger
    chat = harness.chat()
    await chat.say("/settings strength_days fri")
    await chat.say("/settings strength_time 18:00")
    clock.set(datetime(2026, 11, 27, 18, 0, 5, tzinfo=UTC))
    await fire(harness)
    [nudge] = messenger.sent
    assert "Deadlifts start today: 3 sets of 6 with a hex bar" in nudge.reply.text
    chat.replies.append(nudge.reply)
    hold = await chat.press("Done: plank 30 s")
    assert "Next time: plank 40 s." in hold.text
    chat.replies.append(nudge.reply)
    lift = await chat.press("Done: deadlift 3 x 6")
    assert "Checked in: deadlift 3 x 6" in lift.text and "Add the load you lift" in lift.text
    kinds = [c.kind for c in await harness.checkins(chat, "strength")]
    assert kinds == ["plank", "deadlift"]

    await chat.say("/strength deadlift 3x6 40kg")  # a full session at a load
    clock.set(datetime(2026, 12, 4, 18, 0, 5, tzinfo=UTC))
    await fire(harness)
    second = messenger.sent[-1].reply
    assert "Deadlifts start today" not in second.text
    assert "plank 40 s" in second.text and "3 x 6 at 42.5 kg" in second.text
    chat.replies.append(second)
    lift = await chat.press("Done: deadlift 3 x 6 at 42.5 kg")
    assert "a little more next time, deadlift 3 x 6 at 45 kg" in lift.text
    partial = await chat.say("/strength deadlift 2x6 45kg")
    assert "the same load" in partial.text and "3 x 6 at 45 kg" in partial.text
