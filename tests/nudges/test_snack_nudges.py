"""Post-run snack ("fuel") nudges: one per burst of runs, none for a deleted run.

Changed with the rebuilt engine: the snack nudge is no longer a one-off row.
/log sets ``runs.fuel_due_at`` (``planner.snack_due``) and the sweep writes it
out; a run's pending nudge is read with ``uow.nudges.pending_snack``, and what
was written with the delivery records. Snoozes of a snack nudge are still
one-offs (``run:<id>~z1``).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import FakeClock
from bot.errors import NotFound
from bot.models import Run
from bot.nudges.kinds import Kind
from bot.storage.database import Database

from .conftest import Nudges, RecordingMessenger, add_user, utc


def fuel_texts(telegram: RecordingMessenger) -> list[str]:
    """The snack nudges the runner received."""
    return [s.reply.text for s in telegram.sent if s.reply.meta["nudge_kind"] == "post_run_fuel"]


async def pending_snack(db: Database, run_id: int) -> datetime | None:
    """When a run's snack nudge is due, if it is still to come."""
    async with db.reader() as uow:
        return await uow.nudges.pending_snack(run_id)


async def undo(nudges: Nudges, user_id: int, run_id: int) -> Run:
    """/delete <id> through the run service, so the nudge listener hears of it."""
    async with nudges.db.reader() as uow:
        user = await uow.runners.get(user_id)
    assert user is not None
    return await nudges.core.services.runs.delete(user, run_id)


# --- a deleted run gets no snack nudge ----------------------------------------------------


async def test_a_run_deleted_before_its_fuel_nudge_gets_none(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db)
    kept = await nudges.log_run(uid, "2026-11-25")  # yesterday's: no nudge anyway
    run_id = await nudges.log_run(uid, "2026-11-26")
    assert await pending_snack(db, kept) is None
    assert await pending_snack(db, run_id) == utc(2026, 11, 26, 12, 20)
    clock.advance(minutes=2)
    await undo(nudges, uid, run_id)  # /undo
    with pytest.raises(NotFound):
        await undo(nudges, uid, run_id)  # twice is harmless: nothing left to delete
    assert await nudges.delete_run(uid + 99, 12345) is None  # unknown runner and run: nothing
    clock.advance(minutes=30)
    await nudges.sweep()
    assert telegram.sent == []
    assert await nudges.deliveries() == []
    # Was: oneoff_states == {"run:<id>": "cancelled"}; the pending nudge went with the run row.
    assert await pending_snack(db, run_id) is None
    assert await nudges.oneoff_states(uid) == {}


async def test_deleting_a_run_after_its_fuel_nudge_went_out_changes_nothing(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db)
    run_id = await nudges.log_run(uid, "2026-11-26")
    clock.advance(minutes=21)
    await nudges.sweep()
    await undo(nudges, uid, run_id)
    assert len(fuel_texts(telegram)) == 1
    assert [(d.status, d.occurrence) for d in await nudges.deliveries()] == [
        ("sent", f"run:{run_id}")
    ]


async def test_deleting_a_run_drops_the_snooze_of_its_fuel_nudge(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    # New with the rebuilt engine: snoozes of a snack nudge are the only one-offs it leaves.
    uid = await add_user(db)
    run_id = await nudges.log_run(uid, "2026-11-26")
    clock.advance(minutes=21)
    await nudges.sweep()
    [record] = await nudges.deliveries()
    await nudges.answers.snooze(uid, record.id, "20m")
    assert await nudges.oneoff_states(uid) == {f"run:{run_id}~z1": "pending"}
    await undo(nudges, uid, run_id)
    assert await nudges.oneoff_states(uid) == {f"run:{run_id}~z1": "cancelled"}
    clock.advance(hours=1)
    await nudges.sweep()
    assert len(fuel_texts(telegram)) == 1


# --- one snack nudge per burst ------------------------------------------------------------


async def test_two_runs_logged_in_a_row_send_one_fuel_nudge_for_the_later_run(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db)
    first = await nudges.log_run(uid, "2026-11-26")
    clock.advance(minutes=1)
    second = await nudges.log_run(uid, "2026-11-26")
    clock.advance(hours=1)
    await nudges.sweep()
    assert len(fuel_texts(telegram)) == 1
    [record] = await nudges.deliveries()
    assert (record.occurrence, record.status) == (f"run:{second}", "sent")
    assert record.due_at == utc(2026, 11, 26, 12, 21)  # 20 min after the later run
    # Was: oneoff_states == {first: "cancelled", second: "claimed"}; now both are settled.
    assert await pending_snack(db, first) is None
    assert await pending_snack(db, second) is None
    await nudges.sweep()
    assert len(fuel_texts(telegram)) == 1


async def test_runs_on_different_local_days_each_get_their_fuel_nudge(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, timezone="Europe/Berlin")
    clock.set(utc(2026, 11, 26, 22, 50))  # 23:50 in Berlin
    await nudges.log_run(uid, "2026-11-26")
    clock.set(utc(2026, 11, 26, 23, 5))  # 00:05 the next local day
    await nudges.log_run(uid, "2026-11-27")
    clock.set(utc(2026, 11, 26, 23, 30))
    await nudges.sweep()
    assert len(fuel_texts(telegram)) == 2


async def test_undoing_the_later_run_brings_back_the_earlier_runs_fuel_nudge(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db)
    first = await nudges.log_run(uid, "2026-11-26")  # 12:00
    clock.advance(minutes=5)
    second = await nudges.log_run(uid, "2026-11-26")  # logged twice by mistake
    clock.advance(minutes=1)
    await undo(nudges, uid, second)
    clock.set(utc(2026, 11, 26, 12, 19, 50))
    await nudges.sweep()
    assert telegram.sent == []
    clock.set(utc(2026, 11, 26, 12, 20, 5))
    await nudges.sweep()
    assert len(fuel_texts(telegram)) == 1
    [record] = await nudges.deliveries()
    assert (record.occurrence, record.due_at) == (f"run:{first}", utc(2026, 11, 26, 12, 20))


async def test_undoing_the_later_run_after_a_sweep_sends_the_earlier_one_next_sweep(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    # New with the rebuilt engine: a run whose later run still waits stays pending at
    # the sweep, so deleting the later run brings it back at the next sweep.
    uid = await add_user(db)
    first = await nudges.log_run(uid, "2026-11-26")  # 12:00, due 12:20
    clock.advance(minutes=5)
    second = await nudges.log_run(uid, "2026-11-26")  # 12:05, due 12:25
    clock.set(utc(2026, 11, 26, 12, 21))
    await nudges.sweep()
    assert telegram.sent == [] and await nudges.deliveries() == []
    assert await pending_snack(db, first) == utc(2026, 11, 26, 12, 20)
    await undo(nudges, uid, second)
    clock.set(utc(2026, 11, 26, 12, 22))
    await nudges.sweep()
    assert len(fuel_texts(telegram)) == 1
    [record] = await nudges.deliveries()
    assert (record.occurrence, record.status) == (f"run:{first}", "sent")
    assert await pending_snack(db, first) is None


async def test_deleting_a_replaced_run_keeps_the_chain_to_the_one_before(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db)
    first = await nudges.log_run(uid, "2026-11-26")
    clock.advance(minutes=1)
    middle = await nudges.log_run(uid, "2026-11-26")
    clock.advance(minutes=1)
    last = await nudges.log_run(uid, "2026-11-26")
    await undo(nudges, uid, middle)  # already replaced: nothing comes back
    await undo(nudges, uid, last)  # the first run's nudge comes back
    clock.advance(hours=1)
    await nudges.sweep()
    assert [d.occurrence for d in await nudges.deliveries(Kind.POST_RUN_FUEL)] == [f"run:{first}"]
    assert len(fuel_texts(telegram)) == 1
