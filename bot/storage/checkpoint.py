"""SQLite's WAL checkpoints on a thread of their own, never inside a request.

In WAL mode every commit appends pages to the ``-wal`` file; a *checkpoint*
copies them back into the database file and syncs it to disk. By default the
connection whose commit fills the WAL past 1,000 pages runs the checkpoint then
and there: with ``synchronous=NORMAL`` that is the only fsync SQLite does, and it
took 20-35 ms on the development machine. Pacer's readers and one-statement
writes run on the event loop's thread (``bot/storage/inline.py``), so such a
commit would stall every chat for that long.

Instead, one connection of its own checkpoints (``PASSIVE``: it never blocks a
reader or a writer) every :data:`INTERVAL` seconds on a worker thread, and the
connections that serve requests only checkpoint themselves past
:data:`FALLBACK_PAGES` (a safety net should this task stall; 40 MB of WAL).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3

log = logging.getLogger(__name__)

INTERVAL = 0.5  # seconds between two checkpoints
FALLBACK_PAGES = 10_000  # wal_autocheckpoint of the connections that serve requests
AUTOCHECKPOINT_PRAGMA = f"PRAGMA wal_autocheckpoint={FALLBACK_PAGES}"


class Checkpointer:
    """Checkpoints one SQLite file's WAL every :data:`INTERVAL` seconds, off the loop."""

    def __init__(self, path: str, interval: float = INTERVAL) -> None:
        self.path = path
        self.interval = interval
        self.checkpoints = 0  # how many ran (pages copied or not)
        self._conn: sqlite3.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._failing = False

    def start(self) -> None:
        """Begin checkpointing (from the running event loop)."""
        if self._task is None:
            self._stop = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="wal-checkpoint")

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)
            if self._stop.is_set():
                return
            try:
                await asyncio.to_thread(self.checkpoint)
            except sqlite3.Error:
                # The next round tries again; the request connections' own
                # autocheckpoint still bounds the WAL meanwhile. Said once per spell.
                if not self._failing:
                    log.warning("WAL checkpoints fail; trying again every round", exc_info=True)
                self._failing = True
            else:
                if self._failing:
                    log.info("WAL checkpoints work again")
                self._failing = False

    def checkpoint(self) -> tuple[int, int, int]:
        """One passive checkpoint: (busy, pages in the WAL, pages copied back)."""
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=0)
            self._conn.isolation_level = None
        busy, pages, copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.checkpoints += 1
        return int(busy), int(pages), int(copied)

    async def close(self) -> None:
        """Stop checkpointing; a checkpoint under way finishes first (its thread owns the
        connection until then). Never raises: stopping must not keep the database open."""
        task, self._task = self._task, None
        if task is not None:
            self._stop.set()
            await asyncio.wait({task})
            if not task.cancelled() and task.exception() is not None:
                log.error("the WAL checkpoint task had stopped", exc_info=task.exception())
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()
