"""A snack counts once per run; without a run, /fuel is a plain check-in."""

from __future__ import annotations

from bot.clock import FakeClock
from tests.fakes import Harness


async def test_fuel_on_a_day_without_a_run_is_a_plain_check_in(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/fuel toast")
    assert "Refuelled early" not in reply.text and "post-run" not in reply.text
    assert "Checked in: snack: toast" in reply.text and "No run today" in reply.text
    again = await chat.say("/fuel apple")
    assert "nothing new was stored" in again.text and "post-run" not in again.text
    assert len(await harness.checkins(chat, "fuel")) == 1


async def test_a_snack_counts_once_per_run(harness: Harness, clock: FakeClock) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    clock.advance(minutes=10)
    first = await chat.say("/fuel banana")
    assert "Refuelled early" in first.text
    for _ in range(2):
        clock.advance(minutes=5)
        more = await chat.say("/fuel")
        assert "One snack per run" in more.text and "nothing new was stored" in more.text
    assert len(await harness.checkins(chat, "fuel")) == 1
    # A second run later that day earns its own snack; a late one is counted but coached.
    clock.advance(hours=4)
    await chat.say("/log 3k 18:00")
    clock.advance(hours=2)
    late = await chat.say("/fuel")
    assert "Snack counted for today's run" in late.text and "straight after the run" in late.text
    assert len(await harness.checkins(chat, "fuel")) == 2


async def test_a_snack_just_before_logging_counts_for_that_run(
    harness: Harness, clock: FakeClock
) -> None:
    chat = harness.chat()
    await chat.say("/fuel")  # ate first, then logged
    clock.advance(minutes=15)
    await chat.say("/log 5k 25:00")
    reply = await chat.say("/fuel")
    assert "already counted" in reply.text
    assert len(await harness.checkins(chat, "fuel")) == 1
