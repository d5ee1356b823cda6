"""Storage: migrations, WAL, persistence across restarts, identities."""

from __future__ import annotations

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
