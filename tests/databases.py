"""The test databases: a copy of a migrated SQLite file, and PostgreSQL when it can be reached.

SQLite: the migrations run once per test process into a template file; each
test gets a copy of it (a file copy, not a migration).

PostgreSQL: ``PACER_TEST_DATABASE_URL`` names the server and a base name (the
Makefile sets ``postgresql://postgres@127.0.0.1:5432/test``). Each test process
takes its own database, ``<base>_gw0``, ``<base>_gw1``... (one per pytest-xdist
worker, ``<base>_solo`` without xdist), makes it the first time and migrates it;
it holds an advisory lock on it while the run lasts, so a second run (two
developers, two CI jobs) takes ``<base>_gw0_2`` and nobody empties another's
data. The databases stay for the next run. The configured database itself is
only connected to. Between tests the rows are deleted and the id sequences
restarted. Unreachable or unset: skipped with one line saying how to run it,
except in CI (``CI=true``), where the PostgreSQL half must run and a missing
server fails the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import threading
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage.database import Database, async_url
from bot.storage.migrate import upgrade
from bot.storage.tables import metadata

ENV = "PACER_TEST_DATABASE_URL"
HOW = (
    f"PostgreSQL tests skipped: set {ENV}=postgresql://postgres@127.0.0.1:5432/test "
    "(make test does) with a server running"
)
BACKENDS = ("sqlite", "postgresql")
T = TypeVar("T")
RUN_LOCK = 0x74657374  # "test": held on a worker database by the run using it
log = logging.getLogger(__name__)
TEMPLATE_NAME = "template.db"

_ready: dict[str, tuple[str, str | None]] = {}  # configured URL -> (worker URL, problem)
_held: list[_Lease] = []  # this process's databases, locked until the session ends
_template: list[Path] = []  # the migrated SQLite file of this process


def in_ci() -> bool:
    """True on CI, where the PostgreSQL half must run."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def worker_url(url: str) -> str:
    """This test process's own database on the configured server: ``<base>_<worker>``."""
    parsed = make_url(url)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "solo")
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


async def postgres_url() -> str:
    """This process's PostgreSQL test database, made and migrated once; skips (fails in CI)."""
    url = os.environ.get(ENV, "")
    if not url:
        if in_ci():
            pytest.fail(f"CI must run the PostgreSQL tests: {ENV} is not set")
        pytest.skip(HOW)
    if url not in _ready:
        _ready[url] = await _prepare(url)
    own, problem = _ready[url]
    if problem is not None:
        if in_ci():
            pytest.fail(f"CI must run the PostgreSQL tests, but {problem}")
        pytest.skip(f"{HOW} ({problem})")
    return own


def _server(url: str) -> AsyncEngine:
    """An engine outside transactions (CREATE and DROP DATABASE need that)."""
    return create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")


async def _reachable(url: str) -> AsyncEngine:
    """An AUTOCOMMIT engine on ``url``, once a connection to it worked."""
    engine = _server(url)
    try:
        async with engine.connect():
            return engine
    except BaseException:
        await engine.dispose()
        raise


async def _admin(url: str) -> AsyncEngine:
    """An engine on the configured database, or on ``postgres`` when that one is missing."""
    try:
        return await _reachable(url)
    except Exception:
        return await _reachable(make_url(url).set(database="postgres").render_as_string(False))


class _Lease:
    """A connection held on this process's database for the whole session, from a thread
    of its own (each test has its own event loop), holding an advisory lock: while it is
    held, no other run takes the database."""

    def __init__(self, url: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._engine = _server(url)
        try:
            self._conn = self._call(self._engine.connect().start())
        except BaseException:
            self._stop()
            raise

    def _call(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=60)

    def lock(self) -> bool:
        """Take the run's lock on this database; False when another run holds it."""
        held = self._call(self._conn.scalar(text(f"SELECT pg_try_advisory_lock({RUN_LOCK})")))
        return bool(held)

    def release(self) -> None:
        """Close the connection (which lets the lock go) and stop the thread."""
        try:
            self._call(self._conn.close())
        finally:
            self._stop()

    def _stop(self) -> None:
        try:
            self._call(self._engine.dispose())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()


async def _prepare(url: str) -> tuple[str, str | None]:
    """Take this process's database (made the first time) and migrate it; its URL and why
    it cannot be used."""
    own = worker_url(url)
    try:
        engine = await _admin(url)
    except Exception as exc:
        return own, f"cannot use {url}: {type(exc).__name__}: {exc}"
    try:
        own = await _take(engine, own)
        await _migrate(own)
    except Exception as exc:  # any failure means "cannot be used": say why
        return own, f"cannot use {url}: {type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()
    return own, None


async def _take(engine: AsyncEngine, own: str) -> str:
    """Lock ``own`` (or ``own_2``, ``own_3``... while other runs hold those), making it
    first if it does not exist; the URL taken."""
    base = make_url(own)
    for n in range(1, 10):
        name = f"{base.database}" if n == 1 else f"{base.database}_{n}"
        url = base.set(database=name).render_as_string(hide_password=False)
        try:
            lease = _Lease(url)
        except Exception:  # not there yet: make it (or another run just did)
            async with engine.connect() as conn:
                with contextlib.suppress(DBAPIError):
                    # template0: several workers may create at once (template1 may be busy).
                    await conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
                    # A test database need not survive a server crash: no flush per commit.
                    await conn.execute(
                        text(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
                    )
            lease = _Lease(url)
        if lease.lock():
            _held.append(lease)
            return url
        lease.release()
    raise RuntimeError(f"{base.database} and eight more names are in use by other runs")


async def _migrate(url: str) -> None:
    """Bring the database to this tree's schema; one left by another branch starts over."""
    db = Database(url)
    try:
        await db.open()  # migrates
    except Exception:
        log.warning("test database %s has a schema this tree cannot migrate: reset", url)
        await db.close()
        db = Database(url)
        await db.open(migrate=False)
        async with db.engine.begin() as conn:
            # This process's own database (locked above), never the configured one.
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(db.engine)
    finally:
        await db.close()


def release_databases() -> None:
    """Let go of this process's databases at the end of the session; they stay on the
    server for the next run (dropping a database waits for a server checkpoint)."""
    while _held:
        _held.pop().release()


def _emptying() -> str:
    """One statement (one round trip) that deletes every row and restarts every sequence."""
    deletes = " ".join(f'DELETE FROM "{table.name}";' for table in reversed(metadata.sorted_tables))
    return (
        f"DO $$ BEGIN {deletes} "
        "PERFORM setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
        " FROM pg_sequences WHERE schemaname = 'public'; END $$"
    )


async def empty_postgres(url: str) -> Database:
    """An opened database with every row deleted and the id sequences restarted."""
    db = Database(url)
    await db.open(migrate=False)
    async with db.engine.begin() as conn:
        # DELETE, not TRUNCATE: on tables this small it is far cheaper (no new files);
        # children before parents, in one statement.
        await conn.execute(text(_emptying()))
    return db


async def sqlite_template(tmp_root: Path) -> Path:
    """The migrated SQLite file every SQLite test starts from (made once per process)."""
    if not _template:
        path = tmp_root / TEMPLATE_NAME
        db = Database(f"sqlite:///{path}")
        await db.open()  # migrates
        await db.close()  # checkpoints the WAL into the file: one file to copy
        _template.append(path)
    return _template[0]


async def open_database(
    backend: str, tmp_path: Path, template_root: Path
) -> AsyncIterator[Database]:
    """Yield an opened, empty, migrated database of one backend; closed afterwards."""
    if backend == "sqlite":
        path = tmp_path / "pacer.db"
        shutil.copyfile(await sqlite_template(template_root), path)
        db = Database(f"sqlite:///{path}")
        await db.open(migrate=False)
    else:
        db = await empty_postgres(await postgres_url())
    try:
        yield db
    finally:
        await db.close()
