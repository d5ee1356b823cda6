"""The platform's ceiling: a day planning more nudges than a token can send is reported."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.delivery.ceiling import check_ceiling, per_window
from bot.storage.database import Database
from bot.storage.nudges import ScheduleRow

GRACE = timedelta(minutes=1)  # one minute: 1,800 Telegram messages per window


async def _plan(db: Database, clock: FakeClock, runners: int, at: timedelta) -> None:
    """``runners`` Telegram runners whose sleep check-in falls due ``at`` from now."""
    now = clock.now()
    async with db.uow() as uow:
        rows = []
        for n in range(runners):
            chat = str(7_000_000 + n)
            await uow.runners.create("telegram", chat, f"runner {n}", now)
            found = await uow.runners.find("telegram", chat)
            assert found is not None
            rows.append(ScheduleRow(found.user.id, "sleep_checkin", next_due=now + at))
        await uow.nudges.upsert_schedules(rows, now)
        await uow.commit()


async def test_a_window_planned_past_the_tokens_budget_is_reported(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    cap = per_window("telegram", GRACE)
    assert cap == 1800
    await _plan(db, clock, cap + 50, timedelta(hours=3))
    shortfalls = await check_ceiling(db, clock.now(), ["telegram", "console"], GRACE)
    assert [(s.platform, s.per_window, s.busiest, s.beyond) for s in shortfalls] == [
        ("telegram", 1800, 1850, 50)
    ]
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("50 nudges planned for the next day cannot be sent" in w for w in warned)


async def test_a_day_within_the_budget_is_quiet(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    await _plan(db, clock, 30, timedelta(hours=3))
    shortfalls = await check_ceiling(db, clock.now(), ["telegram"], GRACE)
    assert [(s.busiest, s.beyond) for s in shortfalls] == [(30, 0)]
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
