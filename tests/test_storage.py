"""Storage: migrations, WAL, persistence across restarts, identities."""

from __future__ import annotations

import contextlib
from pathlib import Path

from bot.clock import FakeClock
from tests.fakes import make_harness


async def test_everything_survives_a_restart(tmp_path: Path) -> None:
    clock = FakeClock()
    first = make_harness(tmp_path / "p.db", clock)
    await first.db.open()
    chat = first.chat()
    await chat.say("/settings timezone Europe/Berlin")
    await chat.say("/log 5k 25:00 tempo")
    await chat.say("/slept 7.5")
    await first.db.close()

    second = make_harness(tmp_path / "p.db", clock)
    await second.db.open()
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
    clock = FakeClock()
    h = make_harness(tmp_path / "m.db", clock)
    await h.db.open()
    async with h.db.conn.execute("SELECT version FROM schema_migrations ORDER BY 1") as cur:
        versions = [r[0] for r in await cur.fetchall()]
    async with h.db.conn.execute("PRAGMA journal_mode") as cur:
        row = await cur.fetchone()
        assert row is not None
        mode = row[0]
    await h.db.close()
    assert versions[0] == 1 and versions == sorted(set(versions))
    assert mode == "wal"
    again = make_harness(tmp_path / "m.db", clock)
    await again.db.open()  # would fail on CREATE TABLE if re-applied
    await again.db.close()


async def test_platform_ids_map_to_internal_users(tmp_path: Path) -> None:
    clock = FakeClock()
    h = make_harness(tmp_path / "i.db", clock)
    await h.db.open()
    try:
        tg = h.chat("42", platform="telegram")
        dc = h.chat("42", platform="discord")
        await tg.say("/log 5k 25:00")
        await dc.say("/log 6k 30:00")
        tg_user, dc_user = await h.user(tg), await h.user(dc)
        assert tg_user.id != dc_user.id  # same platform id, different people
        assert len(await h.runs(tg)) == 1 and len(await h.runs(dc)) == 1
    finally:
        await h.db.close()


async def test_concurrent_commands_do_not_interleave_transactions(tmp_path: Path) -> None:
    import asyncio

    clock = FakeClock()
    h = make_harness(tmp_path / "c.db", clock)
    await h.db.open()
    try:
        chats = [h.chat(f"runner{i}") for i in range(20)]
        replies = await asyncio.gather(*(c.say("/log 5k 25:00") for c in chats))
        assert all(r.text.startswith("Logged") for r in replies)
        async with h.db.conn.execute("SELECT COUNT(*) FROM runs") as cur:
            row = await cur.fetchone()
        assert row is not None and row[0] == 20
    finally:
        await h.db.close()


async def test_upgrading_a_database_with_runs_keeps_them_and_never_reuses_ids(
    tmp_path: Path,
) -> None:
    import sqlite3

    from bot.storage.database import _migrations

    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    raw.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)"
    )
    for version, name, sql in _migrations()[:2]:  # the schema as of migration 0002
        raw.executescript(sql)
        raw.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, '2026-11-20T08:00:00+00:00')",
            (version, name),
        )
    raw.execute(
        "INSERT INTO users(id, display_name, created_at)"
        " VALUES (1, 'ana', '2026-11-20T08:00:00+00:00')"
    )
    raw.execute(
        "INSERT INTO identities(platform, platform_user_id, user_id, last_seen_at)"
        " VALUES ('console', 'ana', 1, '2026-11-20T08:00:00+00:00')"
    )
    for run_id in (1, 2, 3, 5):
        raw.execute(
            "INSERT INTO runs(id, user_id, local_date, distance_m, duration_s, created_at)"
            " VALUES (?, 1, '2026-11-20', 5000, 1500, '2026-11-20T08:00:00+00:00')",
            (run_id,),
        )
    # Run 5 got a fuel nudge, then was undone before the upgrade: its id must stay used.
    raw.execute(
        "INSERT INTO nudge_oneoffs(user_id, kind, occurrence, anchor, due_utc, run_id,"
        " created_at) VALUES (1, 'post_run_fuel', 'run:5', '2026-11-20',"
        " '2026-11-20T08:20:00+00:00', 5, '2026-11-20T08:00:00+00:00')"
    )
    raw.execute("DELETE FROM runs WHERE id = 5")
    raw.commit()
    raw.close()

    h = make_harness(path, FakeClock())
    await h.db.open()
    try:
        chat = h.chat()
        assert [r.id for r in await h.runs(chat)] == [3, 2, 1]
        reply = await chat.say("/log 5k 25:00")
        assert reply.text.startswith("Logged #6"), reply.text
    finally:
        await h.db.close()


async def test_a_writer_cancelled_mid_transaction_does_not_wedge_the_database(
    tmp_path: Path,
) -> None:
    import asyncio

    h = make_harness(tmp_path / "x.db", FakeClock())
    await h.db.open()
    try:
        started = asyncio.Event()

        async def slow_writer() -> None:
            async with h.db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO users(display_name, created_at) VALUES ('ghost', 'now')"
                )
                started.set()
                await asyncio.sleep(10)

        task = asyncio.create_task(slow_writer())
        await started.wait()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        chat = h.chat()
        reply = await chat.say("/log 5k 25:00")
        assert reply.text.startswith("Logged"), reply.text
        async with h.db.conn.execute(
            "SELECT count(*) FROM users WHERE display_name = 'ghost'"
        ) as c:
            row = await c.fetchone()
        assert row is not None and row[0] == 0  # the cancelled write was rolled back
    finally:
        await h.db.close()
    again = make_harness(tmp_path / "x.db", FakeClock())
    await again.db.open()
    try:
        assert len(await again.runs(again.chat())) == 1  # and the later one was committed
    finally:
        await again.db.close()


async def test_one_runners_message_key_never_matches_anothers(tmp_path: Path) -> None:
    h = make_harness(tmp_path / "k.db", FakeClock())
    await h.db.open()
    try:
        alice, bob = h.chat("alice", platform="telegram"), h.chat("bob", platform="telegram")
        await alice.say("/log half 1:45:00 half marathon PB", idempotency_key="100")
        reply = await bob.say("/log 5k 25:00", idempotency_key="100")
        assert reply.text.startswith("Logged") and "PB" not in reply.text
        await alice.say("/log 3k 15:00", idempotency_key="101")
        undo = await bob.say("/undo", idempotency_key="101")
        assert "5.00 km" in undo.text
        assert len(await h.runs(alice)) == 2 and await h.runs(bob) == []
    finally:
        await h.db.close()
