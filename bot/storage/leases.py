"""Who is active: one holder per platform budget and per once-only job, across processes.

PostgreSQL: session advisory locks taken on one dedicated connection. The
server drops a session's locks when its socket closes, so a process killed
with ``kill -9`` gives its locks up at once, and a standby trying every few
seconds takes over. SQLite: one process owns the file (an OS lock on a file
beside it), and that process holds every lock; a second process may only chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import Database

log = logging.getLogger(__name__)

# Seconds one round of the election may take. A partition leaves the session's socket
# open with nobody answering: without a bound the check would wait for TCP to give up
# (minutes), and a process cut off from the database would go on acting as the holder.
# Generous, so a busy event loop does not give a role up; well below the time PostgreSQL
# takes to end a silent session (keepalive), so the holder stops before a standby starts.
CHECK_SECONDS = 10.0


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (PostgreSQL's advisory lock space)."""
    digest = hashlib.sha256(f"pacer:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@dataclass(slots=True)
class Changes:
    """What one :meth:`Election.poll` changed."""

    gained: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


class Election:
    """Named locks this process holds, or stands by for."""

    def __init__(self, db: Database, names: Iterable[str]) -> None:
        self._db = db
        self.names = tuple(dict.fromkeys(names))
        self.held: set[str] = set()
        self._conn: AsyncConnection | None = None

    def holds(self, name: str) -> bool:
        """Whether this process is the active holder of ``name``."""
        return name in self.held

    async def poll(self) -> Changes:
        """Check the locks held are still ours, try to take the others; what changed."""
        changes = Changes()
        if self._db.is_sqlite:
            # The file's owner holds everything (see SqliteOwner); nothing to elect.
            changes.gained = [n for n in self.names if n not in self.held]
            self.held.update(changes.gained)
            return changes
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                await self._try(changes)
        except Exception as exc:
            # The session is gone, unusable or unreachable: whatever it held, PostgreSQL
            # has let go or will (once it notices); another process may hold it by now.
            timed_out = isinstance(exc, TimeoutError)
            reason = f"no answer within {CHECK_SECONDS:g} s" if timed_out else exc
            log.warning("lost the database session of the role locks: %s", reason)
            changes.lost = sorted(self.held)  # with any taken in this round: not taken after all
            changes.gained = []
            self.held.clear()
            await self._drop()
        return changes

    async def _try(self, changes: Changes) -> None:
        conn = await self._connection()
        if self.held:
            await conn.scalar(select(literal(1)))  # the session, and its locks, live on
        for name in self.names:
            if name in self.held:
                continue
            if await conn.scalar(select(func.pg_try_advisory_lock(lock_key(name)))):
                self.held.add(name)
                changes.gained.append(name)

    async def _connection(self) -> AsyncConnection:
        if self._conn is None or self._conn.closed:
            conn = await self._db.engine.connect()
            # No transaction: advisory locks at session level outlive statements.
            self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CHECK_SECONDS):  # an unreachable server too
                    await conn.invalidate()
                    await conn.close()

    async def release(self, name: str) -> None:
        """Give one lock up (its job could not be done here)."""
        if name not in self.held:
            return
        self.held.discard(name)
        if self._conn is not None and not self._db.is_sqlite:
            with contextlib.suppress(Exception):
                await self._conn.scalar(select(func.pg_advisory_unlock(lock_key(name))))

    async def close(self) -> None:
        """Give every lock up (closing the session releases them all)."""
        self.held.clear()
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.execute(select(func.pg_advisory_unlock_all()))
            with contextlib.suppress(Exception):
                await conn.close()


class SqliteOwner:
    """The one process that sweeps and connects platforms on a SQLite file.

    An exclusive ``flock`` on ``<file>.owner`` beside the database: the kernel
    lets go of it when the process ends, however it ends.
    """

    def __init__(self, path: str) -> None:
        self.path = Path(f"{path}.owner")
        self._file: IO[str] | None = None

    def take(self) -> bool:
        """Become the owner; False when another live process is."""
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        """Let another process own the file."""
        handle, self._file = self._file, None
        if handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()
