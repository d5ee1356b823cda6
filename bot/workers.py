"""Heavy pure work off the event loop's interpreter: a small pool of worker processes.

Work that holds the GIL (Agg drawing a chart in C++, writing an export's CSV and JSON
rows) stalls the event loop even from a thread: the loop's thread waits for the
interpreter lock at every hand-off, so other runners' replies queue behind it. A
worker process runs it on its own interpreter; the loop only waits for the bytes.
The pool starts on first use (``spawn``: no copy of the loop, the database or the
sockets in the child) and shuts down when the app stops. Where no process can be
started (a sandbox without ``fork``/``spawn``, a broken worker), the work runs in a
thread instead: slower for others, never refused.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Workers:
    """Runs a picklable function in a worker process, else in a thread.

    ``processes=0`` runs in a thread only (the tests' default: no process to start for
    each harness).
    """

    def __init__(self, processes: int = 1) -> None:
        self.processes = processes
        self._pool: Executor | None = None
        self._broken = processes <= 0

    @property
    def in_processes(self) -> bool:
        """True while work goes to worker processes."""
        return not self._broken

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """``work(*args)`` off the loop's interpreter; its arguments and result are pickled."""
        pool = self._started()
        if pool is not None:
            try:
                return await asyncio.get_running_loop().run_in_executor(pool, work, *args)
            except (BrokenProcessPool, OSError) as error:
                # A worker died or could not be spawned: this work and the next run in a
                # thread, not refused.
                log.warning("worker process unavailable (%s); working in a thread", error)
                self._give_up()
        return await asyncio.to_thread(work, *args)

    def _started(self) -> Executor | None:
        if self._broken:
            return None
        if self._pool is None:
            try:
                self._pool = ProcessPoolExecutor(
                    self.processes, mp_context=multiprocessing.get_context("spawn")
                )
            except (OSError, NotImplementedError, ValueError) as error:
                log.warning("no worker process (%s); working in a thread", error)
                self._broken = True
                return None
        return self._pool

    def _give_up(self) -> None:
        self._broken = True
        self.close()

    def close(self) -> None:
        """Stop the worker processes (work asked for later runs in a thread)."""
        pool, self._pool = self._pool, None
        self._broken = True
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
