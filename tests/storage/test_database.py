"""Storage on both backends: persistence, migrations, identities, transactions, locking."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.clock import FakeClock
from bot.storage.database import Database, WriteTurns
from bot.storage.migrate import head_revision, upgrade
from bot.storage.tables import runs, users
from bot.storage.uow import WriteTurn
from tests.fakes import Harness, make_harness

DATA = Path(__file__).parent.parent / "data"


async def _sqlite(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    await db.open()
    return db


async def test_everything_survives_a_restart(tmp_path: Path) -> None:
    clock = FakeClock()
    first = make_harness(await _sqlite(tmp_path / "p.db"), clock)
    chat = first.chat()
    await chat.say("/settings timezone Europe/Berlin")
    await chat.say("/log 5k 25:00 tempo")
    await chat.say("/slept 7.5")
    await first.db.close()

    second = make_harness(await _sqlite(tmp_path / "p.db"), clock)
    try:
        chat = second.chat()
        listing = await chat.say("/runs")
        assert "5.00 km in 25:00 (5:00 /km) · tempo" in listing.text
        assert "timezone: Europe/Berlin" in (await chat.say("/settings")).text
        assert [c.hours for c in await second.checkins(chat, "sleep")] == [7.5]
        reply = await chat.say("/log 3k 15:00")
        assert "#2" in reply.text
    finally:
        await second.db.close()


async def test_migrations_are_recorded_and_not_reapplied(tmp_path: Path) -> None:
    db = await _sqlite(tmp_path / "m.db")
    async with db.reader() as uow:
        version = await uow.runners.conn.scalar(text("SELECT version_num FROM alembic_version"))
        mode = await uow.runners.conn.scalar(text("PRAGMA journal_mode"))
    await db.close()
    assert version == head_revision()
    assert mode == "wal"
    again = await _sqlite(tmp_path / "m.db")  # would fail on CREATE TABLE if re-applied
    before, after = await upgrade(again.engine)
    assert before == after == head_revision()
    await again.close()


async def test_platform_ids_map_to_internal_users(harness: Harness) -> None:
    tg = harness.chat("42", platform="telegram")
    dc = harness.chat("42", platform="discord")
    await tg.say("/log 5k 25:00")
    await dc.say("/log 6k 30:00")
    tg_user, dc_user = await harness.user(tg), await harness.user(dc)
    assert tg_user.id != dc_user.id  # same platform id, different people
    assert len(await harness.runs(tg)) == 1 and len(await harness.runs(dc)) == 1


async def test_concurrent_commands_do_not_interleave_transactions(harness: Harness) -> None:
    chats = [harness.chat(f"runner{i}") for i in range(20)]
    replies = await asyncio.gather(*(c.say("/log 5k 25:00") for c in chats))
    assert all(r.text.startswith("Logged") for r in replies)
    async with harness.db.reader() as uow:
        count = await uow.runners.conn.scalar(select(func.count()).select_from(runs))
    assert count == 20


async def test_a_cancelled_writer_rolls_back_and_does_not_wedge_the_database(
    harness: Harness,
) -> None:
    started = asyncio.Event()

    async def slow_writer() -> None:
        async with harness.db.uow() as uow:
            await uow.runners.create("console", "ghost", "ghost", harness.clock.now())
            started.set()
            await asyncio.sleep(10)
            await uow.commit()

    task = asyncio.create_task(slow_writer())
    await started.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    chat = harness.chat()
    reply = await chat.say("/log 5k 25:00")
    assert reply.text.startswith("Logged"), reply.text
    async with harness.db.reader() as uow:
        ghosts = await uow.runners.conn.scalar(
            select(func.count()).select_from(users).where(users.c.display_name == "ghost")
        )
    assert ghosts == 0  # the cancelled write was rolled back
    assert len(await harness.runs(chat)) == 1  # and the later one was committed


async def test_one_runners_message_key_never_matches_anothers(harness: Harness) -> None:
    alice = harness.chat("alice", platform="telegram")
    bob = harness.chat("bob", platform="telegram")
    await alice.say("/log half 1:45:00 half marathon PB", idempotency_key="100")
    reply = await bob.say("/log 5k 25:00", idempotency_key="100")
    assert reply.text.startswith("Logged") and "PB" not in reply.text
    await alice.say("/log 3k 15:00", idempotency_key="101")
    undo = await bob.say("/undo", idempotency_key="101")
    assert "5.00 km" in undo.text
    assert len(await harness.runs(alice)) == 2 and await harness.runs(bob) == []


async def test_writes_wait_for_another_process_holding_the_write_lock(tmp_path: Path) -> None:
    """Another connection holds SQLite's write lock for a moment: commands wait, none fail."""
    path = tmp_path / "locked.db"
    h = make_harness(await _sqlite(path), FakeClock())
    try:
        chats = [h.chat(f"r{i}") for i in range(40)]
        await asyncio.gather(*(c.say("/log 5k 25:00") for c in chats))  # accounts exist
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # the other process takes the write lock
        slept = [c.say("/slept 7.5") for c in chats]
        loop = asyncio.get_running_loop()
        loop.call_later(0.7, other.execute, "COMMIT")
        replies = await asyncio.gather(*slept)
        other.close()
        failed = [r.text for r in replies if not r.text.startswith(("Checked in", "Updated"))]
        assert failed == []
        for chat in chats:
            assert [c.hours for c in await h.checkins(chat, "sleep")] == [7.5]
    finally:
        await h.db.close()


async def test_a_runners_write_goes_before_the_sweeps_queued_ones(tmp_path: Path) -> None:
    """SQLite: a runner's write goes first, then a send's mark, then the sweep's queued batches."""
    db = await _sqlite(tmp_path / "turns.db")
    created = FakeClock().now()

    async def write(name: str, turn: WriteTurn) -> None:
        async with db.uow(turn=turn) as uow:
            await uow.runners.conn.execute(
                users.insert().values(display_name=name, created_at=created)
            )
            await uow.commit()

    try:
        release = asyncio.Event()

        async def holder() -> None:  # a batch of the sweep, writing now
            async with db.uow(turn="sweep"):
                await release.wait()

        holding = asyncio.create_task(holder())
        await asyncio.sleep(0)
        queued = [asyncio.create_task(write(f"sweep {n}", "sweep")) for n in range(2)]
        await asyncio.sleep(0)
        send = asyncio.create_task(write("send", "send"))
        await asyncio.sleep(0)
        runner = asyncio.create_task(write("runner", "runner"))
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(holding, *queued, send, runner)
        async with db.reader() as uow:
            names = (
                await uow.runners.conn.scalars(select(users.c.display_name).order_by(users.c.id))
            ).all()
        assert names == ["runner", "send", "sweep 0", "sweep 1"]
    finally:
        await db.close()


async def test_slept_replaces_last_night_in_one_transaction(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/slept 6")
    reply = await chat.say("/slept 7.5")
    assert reply.text.startswith("Updated")
    assert [c.hours for c in await harness.checkins(chat, "sleep")] == [7.5]


async def test_a_database_from_the_release_before_alembic_upgrades_with_every_row(
    tmp_path: Path,
) -> None:
    """tests/data/pacer-0005.db was made by that release (see tests/data/README.md)."""
    path = tmp_path / "old.db"
    shutil.copy(DATA / "pacer-0005.db", path)
    raw = sqlite3.connect(path)
    counts = {
        t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in (
            "users",
            "identities",
            "runs",
            "checkins",
            "nudge_prefs",
            "nudge_schedules",
            "handled_messages",
            "link_codes",
        )
    }
    old_deliveries = raw.execute("SELECT count(*) FROM nudge_deliveries").fetchone()[0]
    # Snack nudges still to come (pending, or replaced by a later run) move onto their runs.
    snacks = raw.execute(
        "SELECT count(*) FROM nudge_oneoffs WHERE kind = 'post_run_fuel'"
        " AND occurrence = 'run:' || run_id AND state != 'claimed'"
    ).fetchone()[0]
    oneoffs = raw.execute("SELECT count(*) FROM nudge_oneoffs").fetchone()[0]
    raw.close()

    h = make_harness(await _sqlite(path), FakeClock())
    try:
        async with h.db.reader() as uow:
            conn = uow.runners.conn
            for table, count in counts.items():
                assert await conn.scalar(text(f"SELECT count(*) FROM {table}")) == count, table
            assert await conn.scalar(text("SELECT count(*) FROM deliveries")) == old_deliveries
            assert await conn.scalar(text("SELECT count(*) FROM nudge_oneoffs")) == (
                oneoffs - snacks
            )
            # Run 11's snack nudge, pending at 12:05 in that database, is still to come.
            due = await uow.nudges.pending_snack(11)
            assert due is not None and due.isoformat() == "2026-11-26T12:05:00+00:00"
            ana = await uow.runners.get(1)
            assert ana is not None and ana.timezone == "Europe/Berlin"
            assert ana.run_days == (0, 2, 5) and ana.prefs.strength_days == (1, 4)
            assert ana.prefs.race_name == "Berlin Half"
            history = await uow.deliveries.listing(1)
            assert history and all(d.target == "user:1" for d in history)
            # Boards need no triggers: the unit of work keeps the tallies (0011 dropped them).
            triggers = await conn.execute(
                text("SELECT name FROM sqlite_master WHERE type='trigger'")
            )
            assert [row[0] for row in triggers] == []
        chat = h.chat("48151623", platform="telegram")
        listing = await chat.say("/runs 20")
        assert "Läufchen im Regen ☔" in listing.text
        reply = await chat.say("/log 5k 25:00")
        assert reply.text.startswith("Logged #13"), reply.text  # run 12 was undone: never reused
    finally:
        await h.db.close()


@pytest.mark.parametrize("url", ["mysql://x@y/z", "oracle://a"])
def test_unknown_database_urls_are_refused_with_the_forms_that_work(url: str) -> None:
    with pytest.raises(ValueError, match=re.escape("sqlite:///pacer.db")):
        Database(url)


async def test_a_logged_run_is_committed_at_once_for_other_connections(tmp_path: Path) -> None:
    """/log is one autocommit statement: another process sees it straight away."""
    path = tmp_path / "seen.db"
    h = make_harness(await _sqlite(path), FakeClock())
    try:
        chat = h.chat()
        for k in range(3):  # connections go back to the pool between commands
            await chat.say("/week")
            await chat.say(f"/log {5 + k}k 25:00")
        other = sqlite3.connect(path)
        try:
            assert other.execute("SELECT count(*) FROM runs").fetchone()[0] == 3
        finally:
            other.close()
    finally:
        await h.db.close()


async def test_writes_wait_and_reads_do_not_while_another_process_holds_the_lock(
    tmp_path: Path,
) -> None:
    """With the write lock taken elsewhere, /log waits its turn, /week does not wait."""
    path = tmp_path / "locked.db"
    h = make_harness(await _sqlite(path), FakeClock())
    try:
        chats = [h.chat(f"r{i}") for i in range(10)]
        for chat in chats:
            await chat.say("/log 5k 25:00")  # accounts exist, last-seen times written
        await h.core.accounts.flush()
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # the other process takes the write lock
        week = await chats[0].say("/week")  # reads never wait for it
        assert "5.00 km" in week.text, week.text
        logs = asyncio.gather(*(c.say("/log 6k 30:00") for c in chats))
        await asyncio.sleep(0.3)
        assert not logs.done()  # waiting (SQLite's busy timeout), not failed
        other.execute("COMMIT")
        replies = await logs
        other.close()
        assert all(r.text.startswith("Logged #") for r in replies), replies
        for chat in chats:
            assert sorted(r.distance_m for r in await h.runs(chat)) == [5000, 6000]
    finally:
        await h.db.close()


async def test_upgrading_to_0010_counts_the_members_who_joined_before(tmp_path: Path) -> None:
    """Members and runs stored at 0009 (boards aggregated on read) get their tallies."""
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    await db.open(migrate=False)
    try:
        await upgrade(db.engine, "0009")
        async with db.engine.begin() as conn:
            for statement in (
                "INSERT INTO users (id, display_name, created_at) VALUES"
                " (1, 'Ana', '2026-11-26T12:00:00+00:00'), (2, 'Ben', '2026-11-26T12:00:00+00:00')",
                "INSERT INTO clubs (id, platform, chat_id, created_at)"
                " VALUES (1, 'console', 'c', '2026-11-26T12:00:00+00:00')",
                "INSERT INTO challenges (id, club_id, name, metric, start_date, end_date, channel,"
                " created_at) VALUES (1, 1, 'Days', 'days', '2026-11-26', '2026-12-02', 'c',"
                " '2026-11-26T12:00:00+00:00')",
                "INSERT INTO challenge_members (challenge_id, user_id, joined_at) VALUES"
                " (1, 1, '2026-11-26T12:00:00+00:00'), (1, 2, '2026-11-26T12:00:00+00:00')",
                "INSERT INTO runs (user_id, local_date, distance_m, duration_s, created_at) VALUES"
                " (2, '2026-11-27', 5000, 1500, '2026-11-27T08:00:00+00:00'),"
                " (2, '2026-11-27', 3000, 900, '2026-11-27T18:00:00+00:00'),"
                " (2, '2026-11-28', 3000, 900, '2026-11-28T18:00:00+00:00'),"
                " (1, '2026-11-20', 3000, 900, '2026-11-20T18:00:00+00:00')",
            ):
                await conn.execute(text(statement))
        await upgrade(db.engine)
        async with db.reader() as uow:
            challenge = await uow.clubs.challenge(1)
            assert challenge is not None
            board = await uow.clubs.board(challenge, None)
        assert [(s.name, s.rank, s.value) for s in board.rows] == [("Ben", 1, 2.0), ("Ana", 2, 0.0)]
    finally:
        await db.close()


async def test_a_writer_cancelled_as_the_turn_passes_it_by_gets_its_cancel_and_frees_the_turn() -> (
    None
):
    turns = WriteTurns()
    entered: list[str] = []

    async def write(kind: WriteTurn) -> None:
        async with turns.turn(kind):
            entered.append(kind)

    holder = turns.turn("runner")
    await holder.__aenter__()
    waiter = asyncio.create_task(write("sweep"))
    await asyncio.sleep(0)  # the sweep's writer waits in its line
    waiter.cancel()  # cancelled, and before it runs again the turn is released past it
    await holder.__aexit__(None, None, None)
    with pytest.raises(asyncio.CancelledError):
        await waiter
    async with asyncio.timeout(1):  # the turn is free again, not wedged
        await write("runner")
    assert entered == ["runner"]
