"""Delivery tests; ``VirtualTime`` lets several tasks sleep at once on a fake clock.

A plain fake sleep (advance the clock, yield) is enough while only one task
sleeps at a time. Pacing involves several (the pacer's timer, the queue's
worker, a messenger's simulated latency), so ``VirtualTime`` runs a small
discrete-event simulation: each sleeper waits for its wake-up instant, and the
clock jumps to the earliest one whenever every task is blocked.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.clock import FakeClock

T = TypeVar("T")

# Without a way to see the loop's ready queue, yield this often before moving time.
_FALLBACK_YIELDS = 50


class VirtualTime:
    """Simulated sleeping on a :class:`FakeClock`; drive a scenario with :meth:`run`."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def sleep(self, seconds: float) -> None:
        """Wait until the clock has moved ``seconds`` on."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future = asyncio.get_running_loop().create_future()
        wake = self.clock.now() + timedelta(seconds=seconds)
        heapq.heappush(self._sleepers, (wake, next(self._order), future))
        await future

    async def run(self, scenario: Awaitable[T], *, limit: float = 24 * 3600) -> T:
        """Run ``scenario``, moving the clock whenever everything waits; fail past ``limit`` s."""
        task = asyncio.ensure_future(scenario)
        end = self.clock.now() + timedelta(seconds=limit)
        while not task.done():
            await self._settle()
            if task.done():
                break
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # cancelled sleeps
            if not self._sleepers:
                await asyncio.sleep(0.001)  # something waits on the real world (a stop grace)
                continue
            wake = self._sleepers[0][0]
            if wake > end:
                task.cancel()
                raise AssertionError(f"scenario still running after {limit} simulated seconds")
            if wake > self.clock.now():
                self.clock.set(wake)
            while self._sleepers and self._sleepers[0][0] <= wake:
                _, _, future = heapq.heappop(self._sleepers)
                if not future.done():
                    future.set_result(None)
        return task.result()

    async def _settle(self) -> None:
        """Yield until no other task is ready to run."""
        ready: Any = getattr(asyncio.get_running_loop(), "_ready", None)
        for _ in range(100_000 if ready is not None else _FALLBACK_YIELDS):
            await asyncio.sleep(0)
            if ready is not None and not ready:
                return
