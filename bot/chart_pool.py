"""Where charts are drawn: a small pool of worker processes, so the event loop keeps answering.

Agg draws in C++ holding the GIL, so a chart drawn in a thread still stalls the
event loop for a couple of hundred milliseconds. A worker process draws it on its
own interpreter; the loop only waits for the PNG bytes. The pool is started on
the first chart (``spawn``: no copy of the loop, the database or the sockets in
the child) and shut down when the app stops. Where no process can be started
(a sandbox without ``fork``/``spawn``, a broken worker), charts are drawn in a
thread as before.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import TypeVar

from bot.charts import calendar_png, distance_png
from bot.services.stats import WeekPoint

log = logging.getLogger(__name__)

T = TypeVar("T")


class ChartPainter:
    """Draws the charts as PNG off the event loop: in worker processes, else in a thread.

    ``processes=0`` draws in a thread only (the tests' default: no process to start
    for each harness).
    """

    def __init__(self, processes: int = 1) -> None:
        self.processes = processes
        self._pool: Executor | None = None
        self._broken = processes <= 0

    @property
    def in_processes(self) -> bool:
        """True while charts go to worker processes."""
        return not self._broken

    async def distance(self, weeks: Sequence[WeekPoint], units: str) -> bytes:
        """The weekly distance chart."""
        return await self._draw(distance_png, tuple(weeks), units)

    async def calendar(
        self,
        weeks: Sequence[WeekPoint],
        strength_target: int = 0,
        first: date | None = date.min,
        today: date | None = None,
    ) -> bytes:
        """The habit calendar."""
        return await self._draw(calendar_png, tuple(weeks), strength_target, first, today)

    async def _draw(self, draw: Callable[..., T], *args: object) -> T:
        pool = self._started()
        if pool is not None:
            try:
                return await asyncio.get_running_loop().run_in_executor(pool, draw, *args)
            except (BrokenProcessPool, OSError) as error:
                # A worker died or could not be spawned: this chart and the next ones
                # are drawn in a thread, not refused.
                log.warning("chart worker unavailable (%s); drawing in a thread", error)
                self._give_up()
        return await asyncio.to_thread(draw, *args)

    def _started(self) -> Executor | None:
        if self._broken:
            return None
        if self._pool is None:
            try:
                self._pool = ProcessPoolExecutor(
                    self.processes, mp_context=multiprocessing.get_context("spawn")
                )
            except (OSError, NotImplementedError, ValueError) as error:
                log.warning("no chart worker process (%s); drawing in a thread", error)
                self._broken = True
                return None
        return self._pool

    def _give_up(self) -> None:
        self._broken = True
        self.close()

    def close(self) -> None:
        """Stop the worker processes (charts asked for later are drawn in a thread)."""
        pool, self._pool = self._pool, None
        self._broken = True
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
