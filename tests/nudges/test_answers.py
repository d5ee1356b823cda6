"""Answers to a nudge: a nudge is answered once; snooze, skip, done and "tomorrow"."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.errors import BadInput
from bot.nudges.kinds import Kind
from bot.nudges.status import SnoozeResult
from bot.nudges.texts import snooze_reply
from bot.storage.database import Database

from .conftest import Nudges, RecordingMessenger, add_user, utc

# --- a nudge is answered once -----------------------------------------------------------------


async def first_checkin(nudges: Nudges, db: Database, clock: FakeClock) -> tuple[int, int]:
    """A runner and the id of their first morning check-in, sent."""
    uid = await add_user(db, wake_time="07:00")
    await nudges.reschedule(uid)
    clock.set(utc(2026, 11, 27, 7, 0, 1))
    await nudges.sweep()
    [record] = await nudges.deliveries()
    return uid, record.id


async def test_tapping_snooze_twice_snoozes_once(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid, delivery_id = await first_checkin(nudges, db, clock)
    await nudges.answers.snooze(uid, delivery_id, "20m")
    with pytest.raises(BadInput, match="already answered"):
        await nudges.answers.snooze(uid, delivery_id, "20m")
    with pytest.raises(BadInput, match="already answered"):
        await nudges.answers.snooze(uid, delivery_id, "1h")
    clock.advance(hours=2)
    await nudges.sweep()
    assert len(telegram.sent) == 2  # the nudge, then one snoozed repeat
    assert len(await nudges.pending_oneoffs(uid)) == 0


async def test_two_snooze_taps_at_the_same_moment_make_one_snooze(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid, delivery_id = await first_checkin(nudges, db, clock)
    results = await asyncio.gather(
        nudges.answers.snooze(uid, delivery_id, "20m"),
        nudges.answers.snooze(uid, delivery_id, "20m"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, BadInput) for r in results) == 1
    assert len(await nudges.pending_oneoffs(uid)) == 1
    clock.advance(hours=2)
    await nudges.sweep()
    assert len(telegram.sent) == 2


@pytest.mark.parametrize("answer", ["skip", "done"])
async def test_no_snooze_after_skip_or_done(
    nudges: Nudges,
    db: Database,
    clock: FakeClock,
    telegram: RecordingMessenger,
    answer: str,
) -> None:
    uid, delivery_id = await first_checkin(nudges, db, clock)
    if answer == "skip":
        await nudges.answers.skip_today(uid, delivery_id)
    else:
        await nudges.answers.acknowledge(uid, delivery_id)
    with pytest.raises(BadInput, match=r"You've already answered that one\."):
        await nudges.answers.snooze(uid, delivery_id, "20m")
    clock.advance(hours=2)
    await nudges.sweep()
    assert len(telegram.sent) == 1
    assert await nudges.pending_oneoffs(uid) == []


# --- "Tomorrow" only where it works --------------------------------------------------------------


async def test_tomorrow_on_mobility_never_fires_on_a_rest_day(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, timezone="Europe/Berlin", run_days="fri", run_time="07:00")
    await nudges.reschedule(uid)
    clock.set(utc(2026, 11, 27, 5, 50, 5))  # Friday 06:50 in Berlin
    await nudges.sweep()
    [mobility] = await nudges.deliveries()
    result = await nudges.answers.snooze(uid, mobility.id, "tomorrow")
    berlin = ZoneInfo("Europe/Berlin")
    assert result.due_local is not None
    assert result.due_local.astimezone(berlin).strftime("%a %d %H:%M") == "Fri 04 06:50"
    for day in range(1, 8):  # the whole next week
        clock.set(utc(2026, 11, 27, 5, 50, 5) + timedelta(days=day))
        await nudges.sweep()
    sent = [s.at.astimezone(berlin).strftime("%a %d %H:%M") for s in telegram.sent]
    assert sent == ["Fri 27 06:50", "Fri 04 06:50"]


def test_the_snooze_reply_for_next_run_day_says_nothing_extra_comes() -> None:
    result = SnoozeResult(Kind.PRE_RUN_MOBILITY, utc(2026, 12, 4, 6, 50), "your next run day", True)
    text = snooze_reply(result, date(2026, 11, 27)).text
    assert text == "OK, nothing extra: the next one comes Fri 06:50 (your next run day)."
