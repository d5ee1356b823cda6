"""``/pause <date> injured|ill|rest``: nudges pause as before, and every streak is frozen."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.fakes import Harness


def _at(day: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, 12, 0, tzinfo=UTC)


async def _three_weeks_and_a_good_night(harness: Harness, name: str) -> None:
    dm = harness.chat(name, "telegram")
    for when in ("2026-11-12", "2026-11-19", "today"):
        assert "Logged" in (await dm.say(f"/log 5k 25:00 {when}")).text
    await dm.say("/slept 8")


async def test_an_injury_pause_freezes_streaks_and_week_and_stats_say_so(
    harness: Harness,
) -> None:
    await _three_weeks_and_a_good_night(harness, "ann")
    await _three_weeks_and_a_good_night(harness, "bob")
    ann, bob = harness.chat("ann", "telegram"), harness.chat("bob", "telegram")
    paused = await ann.say("/pause 2026-12-10 injured")
    assert "resume on Thu 10 Dec 2026" in paused.text
    assert "Your streaks are frozen (injured) until then" in paused.text
    await bob.say("/pause 2026-12-10")  # a holiday: nudges pause, streaks run on
    harness.clock.set(_at(9))
    week = (await ann.say("/week")).text
    assert "runs 3 weeks" in week and "sleep 1 night" in week
    assert "⏸ Streaks paused (injured) until Thu 10 Dec" in week
    assert "Streaks paused" in (await ann.say("/stats")).text
    held = (await bob.say("/week")).text
    assert "runs 0 weeks" in held and "sleep 0 nights" in held
    assert "Streaks paused" not in held
    # Back on the resume day: the next run carries the streak on.
    harness.clock.set(_at(10))
    logged = (await ann.say("/log 6k 30:00")).text
    assert "run streak: 4 weeks" in logged
    assert "Streaks paused" not in (await ann.say("/week")).text
    assert "run streak: 1 week" in (await bob.say("/log 6k 30:00")).text


async def test_ill_resumed_early_keeps_the_days_rested_and_counts_again_after(
    harness: Harness,
) -> None:
    await _three_weeks_and_a_good_night(harness, "ann")
    ann = harness.chat("ann", "telegram")
    await ann.say("/pause 2026-12-20 ill")
    harness.clock.set(_at(3))
    assert "Nudges are back on." in (await ann.say("/pause off")).text
    assert "Streaks paused" not in (await ann.say("/week")).text
    # The rest window ended on 3 Dec: 27 Nov - 2 Dec stay frozen, and the weeks after count.
    assert "runs 3 weeks" in (await ann.say("/week")).text
    harness.clock.set(_at(15))
    assert "runs 0 weeks" in (await ann.say("/week")).text  # nothing logged since: broken


async def test_a_reason_without_a_date_is_refused(harness: Harness) -> None:
    ann = harness.chat("ann", "telegram")
    reply = await ann.say("/pause off injured")
    assert reply.text.startswith("/pause off resumes now; 'injured' needs a date.")
    reply = await ann.say("/pause 2026-12-10 broken")
    assert "/pause knows injured, ill or rest there; not 'broken'." in reply.text
