"""``pacer db upgrade`` stopped part-way, as ``docker stop`` does it (SIGTERM to PID 1): it ends
within seconds with one line and exit code 143, and keeps nothing of the unfinished migrations."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage.database import Database, async_url
from bot.storage.migrate import head_revision, upgrade
from tests.databases import postgres_url

pytestmark = pytest.mark.slow  # wall-clock time: pacer db upgrade in a subprocess

WAIT = 30.0  # seconds, at most, for each step the test waits on
STOPPED = (
    "pacer db upgrade: stopped by SIGTERM before it finished; the migrations run in one "
    "transaction, so nothing half-done is kept: run pacer db upgrade again to finish"
)


async def scratch_url() -> str:
    """A database of this run's own (``<its test database>_stop``), made the first time."""
    own = make_url(await postgres_url())
    name = f"{own.database}_stop"
    admin = create_async_engine(
        async_url(str(own.render_as_string(False))), isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as conn:
            found = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not found:
                await conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    finally:
        await admin.dispose()
    return own.set(database=name).render_as_string(hide_password=False)


def pacer_db_upgrade(url: str) -> subprocess.Popen[str]:
    """``pacer db upgrade --db URL`` as its own process, with no chat tokens."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "db", "upgrade", "--db", url],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


async def wait_until_blocked(engine: AsyncEngine, proc: subprocess.Popen[str]) -> None:
    """Until another session of the scratch database waits for a lock (the upgrade's)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate(timeout=WAIT)
        async with engine.connect() as conn:
            waiting = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            )
        if waiting:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"pacer db upgrade never reached the held lock in {WAIT} s")


async def test_sigterm_mid_migration_ends_it_in_seconds_and_keeps_nothing_half_done() -> None:
    url = await scratch_url()
    db = Database(url)
    await db.open(migrate=False)
    try:
        async with db.engine.begin() as conn:  # this run's scratch database only
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(db.engine, "0010")
        async with db.engine.connect() as holder:
            # 0011 drops the tally triggers of runs, checkins and challenge_members, then
            # waits here for challenges: stopped there, it is part-way through its work.
            await holder.execute(text("LOCK TABLE challenges IN ACCESS EXCLUSIVE MODE"))
            proc = pacer_db_upgrade(url)
            try:
                await wait_until_blocked(db.engine, proc)
                proc.send_signal(signal.SIGTERM)
                sent = time.monotonic()
                out, err = proc.communicate(timeout=WAIT)
                took = time.monotonic() - sent
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate(timeout=WAIT)
            await holder.rollback()
        assert (proc.returncode, err.strip(), out) == (128 + signal.SIGTERM, STOPPED, "")
        assert took < 5, f"{took:.1f} s: docker stop gives 10 s before it kills"
        async with db.engine.connect() as conn:
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            triggers = await conn.scalar(
                text("SELECT count(*) FROM pg_trigger WHERE tgname = 'runs_tally'")
            )
        assert (version, triggers) == ("0010", 1)  # 0011's dropped trigger came back
        again = pacer_db_upgrade(url)
        out, err = again.communicate(timeout=WAIT)
        assert again.returncode == 0, err
        assert f"upgraded from 0010 to {head_revision()}" in out
    finally:
        await db.close()
