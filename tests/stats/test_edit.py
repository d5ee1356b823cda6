"""/edit <id> <distance|time|date|note> <value>: one's own runs, what changed, nothing on errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.models import Run
from tests.fakes import FakeChat, Harness


async def only_run(harness: Harness, chat: FakeChat) -> Run:
    [run] = await harness.runs(chat)
    return run


async def test_edit_distance_says_before_and_after_and_the_week_follows(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")

    reply = await chat.say("/edit 1 distance 5.5km")

    assert reply.text.startswith("Run #1: distance 5.00 km → 5.50 km.")
    assert "Now: #1 · today · 5.50 km in 25:00 (4:33 /km)" in reply.text
    assert "This week: 5.50 km over 1 run" in reply.text
    assert (await only_run(harness, chat)).distance_m == 5500
    assert "🏃 Runs: 1 · 5.50 km" in (await chat.say("/week")).text


async def test_edit_time_and_note_in_miles(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/settings units mi")
    await chat.say("/log 3 30:00 easy")

    time = await chat.say("/edit 1 time 28:30")
    note = await chat.say("/edit 1 note tempo, windy")
    cleared = await chat.say("/edit 1 note")

    assert time.text.startswith("Run #1: time 30:00 → 28:30.")
    assert "3.00 mi in 28:30 (9:30 /mi)" in time.text
    assert note.text.startswith("Run #1: note 'easy' → 'tempo, windy'.")
    assert cleared.text.startswith("Run #1: note 'tempo, windy' → (no note).")
    run = await only_run(harness, chat)
    assert (run.duration_s, run.note) == (1710, "")


async def test_edit_date_moves_the_run_the_streak_and_the_snack_nudge(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 10k 50:00 2026-11-09")  # two weeks back
    await chat.say("/log 5k 25:00")  # today: snack nudge pending, streak 1 week
    user = await harness.user(chat)
    async with harness.db.reader() as uow:
        assert await uow.nudges.pending_snack(2) is not None

    reply = await chat.say("/edit 2 date 2026-11-17")

    assert reply.text.startswith("Run #2: date Thu 26 Nov 2026 → Tue 17 Nov 2026.")
    assert "Week of Mon 16 Nov 2026: 5.00 km over 1 run · run streak: 2 weeks" in reply.text
    user = await harness.user(chat)
    assert (user.streak_since, user.streak_last) == (date(2026, 11, 9), date(2026, 11, 16))
    async with harness.db.reader() as uow:
        assert await uow.nudges.pending_snack(2) is None  # not a run of today any more

    back = await chat.say("/edit 2 date today")

    assert "This week: 5.00 km over 1 run · run streak: 1 week" in back.text
    user = await harness.user(chat)
    assert (user.streak_since, user.streak_last) == (date(2026, 11, 23), date(2026, 11, 23))
    async with harness.db.reader() as uow:
        # Logged today at 12:00 with a 20-minute delay: still to come, so it comes back.
        assert await uow.nudges.pending_snack(2) == datetime(2026, 11, 26, 12, 20, tzinfo=UTC)


async def test_an_old_snack_nudge_does_not_come_back(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    await chat.say("/edit 1 date yesterday")
    harness.clock.advance(timedelta(hours=2))

    await chat.say("/edit 1 date today")

    async with harness.db.reader() as uow:
        assert await uow.nudges.pending_snack(1) is None


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        ("/edit 1 distance five", "I can't read 'five'"),
        ("/edit 1 distance 900km", "more than 300 km"),
        ("/edit 1 time 1:00", "faster than 2:30 /km"),
        ("/edit 1 time soon", "I can't read 'soon'"),
        ("/edit 1 date 2026-12-01", "2026-12-01 is in the future"),
        ("/edit 1 date 2024-01-01", "more than a year ago"),
        ("/edit 1 note " + "x" * 501, "Notes can be up to 500 characters"),
        ("/edit 1 pace 4:00", "/edit knows distance, time, date, note or climb there"),
        ("/edit 1 distance", "What should the distance be?"),
        ("/edit 7 note hello", "You have no run #7."),
    ],
)
async def test_bad_values_are_refused_and_nothing_changes(
    harness: Harness, line: str, answer: str
) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 2026-11-25 easy")
    before = await only_run(harness, chat)

    reply = await chat.say(line)

    assert answer in reply.text
    assert await only_run(harness, chat) == before


async def test_another_runners_run_cannot_be_edited(harness: Harness) -> None:
    ana, ben = harness.chat("ana"), harness.chat("ben")
    await ana.say("/log 5k 25:00")

    reply = await ben.say("/edit 1 distance 42k")

    assert reply.text.startswith("You have no run #1.")
    assert (await only_run(harness, ana)).distance_m == 5000
