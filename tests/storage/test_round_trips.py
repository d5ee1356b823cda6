"""What a /log costs the database: three statements, at any history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event

from bot.services.stats import week_streak
from bot.storage.database import Database
from tests.fakes import Harness


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    """Record every statement but BEGIN sent while the block runs."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # SQLite's BEGIN is a statement of ours, PostgreSQL's the driver's: not counted.
        if statement.split()[0] != "BEGIN":
            sent.append(statement.split()[0])

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_log_is_three_statements_for_a_new_and_a_five_year_runner(
    harness: Harness,
) -> None:
    new, veteran = harness.chat("new"), harness.chat("veteran")
    await new.say("/log 3k 15:00")  # a runner of one day
    await veteran.say("/help")
    runner = await harness.user(veteran)
    today = date(2026, 11, 26)
    days = [today - timedelta(days=n * 365 * 5 // 1500) for n in range(1, 1501)]
    async with harness.db.uow() as uow:  # five years of running: 1,500 runs, every week
        for day in days:
            await uow.activity.add_run(runner.id, day, 5000, 1500, "", None, harness.clock.now())
        await uow.commit()
    first = await veteran.say("/log 5k 25:00")  # works the streak out once, then caches it
    weeks = week_streak({*days, today}, today)  # counted from every run, as before the cache
    assert weeks > 250 and f"run streak: {weeks} weeks" in first.text, first.text
    for chat in (new, veteran):
        harness.clock.advance(minutes=5)  # their last-seen time is due to be written again
        await harness.core.accounts.flush()  # what each sweep does first, every few seconds
        with counting(harness.db) as sent:
            reply = await chat.say("/log 5k 25:00")
        assert reply.text.startswith("Logged"), reply.text
        # Who wrote; their row taken (challenge tallies: bot/storage/challenge_counts.py),
        # which says they are in no challenge to recount; the run, returning its week's
        # totals (the reply's second line). SQLite's BEGIN IMMEDIATE is no round trip
        # of its own on PostgreSQL.
        assert [s for s in sent if s != "BEGIN"] == ["SELECT", "SELECT", "INSERT"], sent


async def test_last_seen_is_written_behind_and_flushed_before_a_sweep(harness: Harness) -> None:
    chat = harness.chat("ana", platform="telegram")
    await chat.say("/help")
    harness.clock.advance(minutes=5)
    await chat.say("/help")  # seen again: kept in memory for now
    user = await harness.user(chat)
    async with harness.db.reader() as uow:
        [before] = (await uow.runners.identities([user.id]))[user.id]
    await harness.core.sweeper.sweep()
    async with harness.db.reader() as uow:
        [after] = (await uow.runners.identities([user.id]))[user.id]
    assert before.last_seen_at is not None and after.last_seen_at == harness.clock.now()
    assert before.last_seen_at < after.last_seen_at


async def test_the_week_line_counts_every_run_of_the_week_once(harness: Harness) -> None:
    """The totals come back with the INSERT: the new run counted once on both backends,
    runs with no message key (files, imports) counted too, other weeks and runners not."""
    chat, other = harness.chat("ann"), harness.chat("bob")
    runner = await harness.user(chat)  # (creates ann) Thursday 26 Nov 2026
    async with harness.db.uow() as uow:  # a run from a file: no message key
        await uow.activity.add_run(
            runner.id, date(2026, 11, 24), 10_000, 3000, "", None, harness.clock.now()
        )
        await uow.commit()
    await other.say("/log 7k 35:00")
    await chat.say("/log 4k 24:00 last sunday")  # the week before
    first = await chat.say("/log 5k 25:00")
    assert "This week: 15.00 km over 2 runs" in first.text, first.text
    second = await chat.say("/log 3k 15:00 yesterday")
    assert "This week: 18.00 km over 3 runs" in second.text, second.text
    old = await chat.say("/log 6k 30:00 last saturday")
    assert "Week of Mon 16 Nov 2026: 10.00 km over 2 runs" in old.text, old.text
    again = await chat.say("/log 9k 45:00", idempotency_key="same")
    repeated = await chat.say("/log 9k 45:00", idempotency_key="same")  # delivered twice
    assert "This week: 27.00 km over 4 runs" in again.text, again.text
    assert repeated.text.startswith("Already logged"), repeated.text
    assert "This week: 27.00 km over 4 runs" in repeated.text, repeated.text
