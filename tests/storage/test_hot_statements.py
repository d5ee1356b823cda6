"""SQLite's hot statements run from compiled plans: same rows as SQLAlchemy's own path.

Also: the WAL is checkpointed by a task of its own, not by the commits that serve chats.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, InvalidRequestError

from bot.clock import FakeClock
from bot.storage.activity import _WEEK_TOTALS, _add_run, run_values
from bot.storage.checkpoint import FALLBACK_PAGES
from bot.storage.database import Database
from bot.storage.inline import InlineConnection
from bot.storage.plans import plan_of
from bot.storage.runners import _FIND, _TOUCH
from tests.fakes import make_harness


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """An opened database on an SQLite file (the inline lane and its plans need a file)."""
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    await db.open()
    try:
        yield db
    finally:
        await db.close()


async def _both(db: Database, statement: Any, parameters: Any) -> tuple[Any, Any]:
    """The statement's rows through the inline plan, then through SQLAlchemy (aiosqlite)."""
    async with db.reader() as uow:
        conn = uow._conn
        assert isinstance(conn, InlineConnection)
        assert plan_of(statement, parameters, conn._conn.dialect) is not None, "not planned"
        planned = [tuple(r) for r in await conn.execute(statement, parameters)]
        planned_maps = [dict(r._mapping) for r in await conn.execute(statement, parameters)]
    async with db.connection(write=False) as plain:
        result = await plain.execute(statement, parameters)
        rows = result.all()
    return (planned, planned_maps), ([tuple(r) for r in rows], [dict(r._mapping) for r in rows])


async def test_planned_reads_give_what_sqlalchemy_gives(sqlite_db: Database) -> None:
    harness = make_harness(sqlite_db, FakeClock())
    chat = harness.chat()
    await chat.say("/settings timezone Europe/Berlin")
    await chat.say("/bedtime 23:30")
    await chat.say("/log 5k 25:00 tempo")
    await chat.say("/log 3k 16:00 yesterday")
    runner = await harness.user(chat)
    find = {"f_platform": chat.platform, "f_pid": chat.user_id}
    (rows, maps), (expected, expected_maps) = await _both(sqlite_db, _FIND, find)
    assert rows == expected and len(rows) == 1
    assert maps == expected_maps
    assert maps[0]["timezone"] == "Europe/Berlin" and maps[0]["id"] == runner.id
    week = {"w_user": runner.id, "w_from": date(2026, 1, 1), "w_to": date(2026, 12, 31)}
    (rows, _), (expected, _) = await _both(sqlite_db, _WEEK_TOTALS, week)
    assert rows == expected == [(8000.0, 2)]
    missing = {"f_platform": "telegram", "f_pid": "nobody"}
    assert (await _both(sqlite_db, _FIND, missing))[0] == ([], [])


async def test_a_planned_insert_and_update_store_what_sqlalchemy_would(sqlite_db: Database) -> None:
    clock = FakeClock()
    harness = make_harness(sqlite_db, clock)
    chat = harness.chat()
    await chat.say("/help")
    runner = await harness.user(chat)
    now = clock.now()
    async with sqlite_db.uow() as uow:  # a run moves challenge tallies: a transaction
        run, created, _ = await uow.activity.add_run(
            runner.id, date(2026, 11, 25), 5000.0, 1500, "easy", "k-1", now, None
        )
        again, created_again, _ = await uow.activity.add_run(
            runner.id, date(2026, 11, 25), 9999.0, 1500, "", "k-1", now, None
        )
        await uow.commit()
    assert created and not created_again and again.id == run.id
    async with sqlite_db.reader() as uow:
        stored = await uow.activity.run(run.id)
    assert stored is not None
    assert (stored.local_date, stored.distance_m, stored.note) == (
        date(2026, 11, 25),
        5000.0,
        "easy",
    )
    assert stored.created_at == now  # aware UTC, as written by SQLAlchemy's own type
    later = now + timedelta(hours=2)
    async with sqlite_db.single() as uow:
        await uow.runners.touch_many([(chat.platform, chat.user_id, "Ann B", later)])
    async with sqlite_db.reader() as uow:
        account = await uow.runners.find(chat.platform, chat.user_id)
    assert account is not None
    assert account.identity.last_seen_at == later
    assert account.identity.display_name == "Ann B"
    async with sqlite_db.reader() as uow:  # both went through their plans, not SQLAlchemy's path
        conn = uow._conn
        assert isinstance(conn, InlineConnection)
        dialect = conn._conn.dialect
        values = run_values(runner.id, date(2026, 11, 25), 1.0, 1, "", "k", now, None)
        assert plan_of(_add_run("sqlite"), values, dialect) is not None
        seen = [{"b_platform": "", "b_pid": "", "b_name": "", "b_when": later}]
        assert plan_of(_TOUCH, seen, dialect) is not None


async def test_a_missing_parameter_is_an_error_not_a_null(sqlite_db: Database) -> None:
    async with sqlite_db.reader() as uow:
        with pytest.raises(InvalidRequestError, match="w_to"):
            await uow.activity.conn.execute(_WEEK_TOTALS, {"w_user": 1, "w_from": date(2026, 1, 1)})


async def test_the_wal_is_checkpointed_off_the_chat_connections(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db = Database(f"sqlite:///{path}")
    await db.open()
    try:
        checkpointer = db._checkpointer
        assert checkpointer is not None
        async with db.reader() as uow:
            conn = uow._conn
            assert isinstance(conn, InlineConnection)
            raw: Any = conn._conn.connection.dbapi_connection
            pages = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        assert pages == FALLBACK_PAGES  # the chat connections only checkpoint as a last resort
        harness = make_harness(db, FakeClock())
        chat = harness.chat()
        for n in range(30):
            await chat.say(f"/log {3 + n % 5}k 20:00")
        before = checkpointer.checkpoints
        for _ in range(200):  # bounded: the task checkpoints every half second
            if checkpointer.checkpoints > before:
                break
            await asyncio.sleep(0.05)
        assert checkpointer.checkpoints > before
    finally:
        await db.close()
    assert db._checkpointer is None
    with sqlite3.connect(path) as check:  # the runs are in the database file itself
        assert check.execute("SELECT count(*) FROM runs").fetchone()[0] == 30


async def test_a_listener_sees_every_statement_with_its_context(sqlite_db: Database) -> None:
    """With an engine listener set (tracing, a statement counter), hot statements take
    SQLAlchemy's own path: the listener gets the full execution context, as on PostgreSQL."""
    seen: list[str] = []

    def trace(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any) -> None:
        if context.compiled is not None:  # not driver SQL (BEGIN IMMEDIATE)
            seen.append(context.compiled.string.split()[0])  # needs the real context

    harness = make_harness(sqlite_db, FakeClock())
    chat = harness.chat()
    await chat.say("/help")
    for engine in sqlite_db.engines:
        event.listen(engine, "before_cursor_execute", trace)
    reply = await chat.say("/log 5k 25:00")
    assert reply.text.startswith("Logged"), reply.text
    # Who wrote; their row taken (challenge tallies); the run (then the streak).
    assert seen[:3] == ["SELECT", "SELECT", "INSERT"], seen
    traced = len(seen)
    for engine in sqlite_db.engines:
        event.remove(engine, "before_cursor_execute", trace)
    await chat.say("/log 3k 15:00")  # planned again: the listener is gone
    assert len(seen) == traced


async def test_planned_statements_keep_sqlalchemys_ways(sqlite_db: Database) -> None:
    """One parameter set in a list returns its rows; a broken constraint is SQLAlchemy's
    IntegrityError, and nothing is stored."""
    clock = FakeClock()
    harness = make_harness(sqlite_db, clock)
    chat = harness.chat()
    await chat.say("/help")
    runner = await harness.user(chat)
    now = clock.now()
    values = run_values(runner.id, date(2026, 11, 25), 5000.0, 1500, "", "k-1", now, None)
    week = {"w_user": runner.id, "w_from": date.max, "w_to": date.min, "w_key": "k-1"}
    async with sqlite_db.single() as uow:
        conn = uow.activity.conn
        rows = (await conn.execute(_add_run("sqlite"), [values | week])).all()
        assert len(rows) == 1 and rows[0][0] > 0
        bad = values | week | {"source_key": "k-2", "distance_m": 0.0}  # CHECK > 0
        with pytest.raises(IntegrityError):
            await conn.execute(_add_run("sqlite"), bad)
    async with sqlite_db.reader() as uow:  # the first one only
        assert [r.id for r in await uow.activity.recent_runs(runner.id, 10)] == [rows[0][0]]
