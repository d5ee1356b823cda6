"""One pacer per platform, shared by bot replies and scheduled messages.

Every request that sends a message takes a slot first. Limits are kept as the
receiver sees them, where a request started earlier can arrive later:

* overall: starts are counted over a sliding window of one second plus ``slack``,
  and no window holds more than ``per_second`` of them, so no one-second window
  at the receiver does while network jitter stays under the slack. Non-urgent
  starts are evenly spread over the window; while urgent requests (replies to
  someone who just typed) come in, they leave one slot of the window free (the
  slots urgent starts took count against them), so a reply starts at once
  instead of waiting for the next beat. The beats are
  planned against absolute instants: a beat granted late (a busy event loop) is
  caught up by the next one, within the window's limit, instead of being lost;
* per chat: ``per_chat_interval`` from the *end* of the previous request to that
  chat (a request arrives before it ends) to the start of the next;
* per group chat: at most ``per_group_per_minute`` in a rolling 60 s, again
  counted from ends (a request still running counts as arriving now).

Urgent acquirers (a reply to someone who just typed) are served before waiting
non-urgent ones. Time and sleeping are injected, so tests move a fake clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from bot.clock import Clock

Sleep = Callable[[float], Awaitable[None]]

GROUP_WINDOW = timedelta(seconds=60)
# What capacity() reports for a platform without a rate limit.
UNLIMITED_CAPACITY = 1000
# How far into the waiters to look for one whose chat is not cooling down.
_SCAN = 256
# Forget cooled-down chats once this many are remembered.
_PRUNE_AT = 4096
# How soon to look again at a chat that is busy with a request someone else runs.
_BUSY_POLL = timedelta(seconds=0.1)
# A request never released (an acquire without release) stops blocking its chat after this.
STALE_AFTER = timedelta(seconds=60)
# The overall limit's window; its slack lets an arrival be this late and still count right.
RATE_WINDOW = timedelta(seconds=1)
DEFAULT_SLACK = 0.025  # as much as 25 ms of jitter (the old 3 % headroom: about 30 ms)
# Slots of each window that non-urgent starts leave to urgent ones, while urgent
# requests (replies) have come in recently: a reply then starts at once.
URGENT_RESERVE = 1
URGENT_RECENT = timedelta(seconds=60)
# A beat granted this many beats late is caught up; later than that, the plan restarts.
CATCH_UP_BEATS = 3


@dataclass(frozen=True, slots=True)
class RateLimits:
    """A platform's sending limits; ``None`` means no such limit."""

    per_second: int | None = None  # request starts in any one-second window, overall
    per_chat_interval: float | None = None  # seconds from one request's end to the next start
    per_group_per_minute: int | None = None  # messages to one group chat in a rolling minute
    max_in_flight: int = 8  # the outbound queue's concurrency: latency must not cap the rate


def limits_for(platform: str) -> RateLimits:
    """The documented limits of a platform (unlimited for the console and unknown ones)."""
    if platform == "telegram":
        return RateLimits(
            per_second=30, per_chat_interval=1.0, per_group_per_minute=20, max_in_flight=32
        )
    if platform == "discord":
        return RateLimits(per_second=50, max_in_flight=32)
    return RateLimits(max_in_flight=1)


@dataclass(eq=False, slots=True)
class _Held:
    """A slot the current task holds: its further calls to that chat wait, not deadlock."""

    pacer: Pacer
    chat_id: str
    group: bool
    calls: int = 0
    last_end: datetime | None = None
    active: bool = True
    started: datetime | None = None  # the start counted in the overall window


@dataclass(eq=False, slots=True)
class _Waiter:
    chat_id: str
    group: bool
    future: asyncio.Future[None]
    held: _Held | None = None  # set for a further call under a slot this task holds
    urgent: bool = False
    granted: datetime | None = None


_HELD: ContextVar[tuple[_Held, ...]] = ContextVar("pacer_held", default=())


class Pacer:
    """Hands out request slots for one platform within its :class:`RateLimits`."""

    def __init__(
        self,
        limits: RateLimits,
        clock: Clock,
        *,
        sleep: Sleep = asyncio.sleep,
        slack: float = DEFAULT_SLACK,
    ) -> None:
        if not 0 <= slack < 0.5:
            raise ValueError("slack is a small part of a second")
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        rate = limits.per_second
        self._window = RATE_WINDOW + timedelta(seconds=slack)
        self._slack = timedelta(seconds=slack)
        self._limit = rate or 0
        # Non-urgent starts: evenly spread over the window.
        self._spacing = self._window / self._limit if rate else timedelta(0)
        self._starts: deque[datetime] = deque()  # starts in the window, oldest first
        self._last_urgent: datetime | None = None
        self._interval = timedelta(seconds=limits.per_chat_interval or 0)
        self._group_limit = limits.per_group_per_minute
        self._tracks_chats = limits.per_chat_interval is not None or self._group_limit is not None
        self._urgent: deque[_Waiter] = deque()
        self._normal: deque[_Waiter] = deque()
        self._next_start: datetime | None = None
        self._blocked_until: datetime | None = None
        self._busy: dict[str, int] = {}  # requests running per chat
        self._busy_since: dict[str, datetime] = {}  # the latest start among them
        self._free_at: dict[str, datetime] = {}  # last end + per-chat interval
        self._group_ends: dict[str, deque[datetime]] = {}
        self._groups: set[str] = set()
        self._timer: asyncio.Task[None] | None = None
        self._timer_at: datetime | None = None

    @property
    def waiting(self) -> int:
        """Acquirers waiting for a slot."""
        return len(self._urgent) + len(self._normal)

    async def acquire(
        self, chat_id: str, *, group: bool = False, urgent: bool = False, ahead: bool = False
    ) -> None:
        """Wait for a slot to send to ``chat_id``; call :meth:`release` when the request ends.

        ``ahead``: before the others of its kind (a 429 retry that already had its turn).
        """
        future = asyncio.get_running_loop().create_future()
        await self._wait(_Waiter(chat_id, group, future, urgent=urgent), urgent=urgent, ahead=ahead)

    def release(self, chat_id: str) -> None:
        """The request to ``chat_id`` has ended: the per-chat and per-group gaps count from now."""
        if not self._tracks_chats:
            return
        now = self._clock.now()
        running = self._busy.pop(chat_id, 0) - 1
        if running > 0:
            self._busy[chat_id] = running
        else:
            self._busy_since.pop(chat_id, None)
        if self._interval:
            self._free_at[chat_id] = max(self._free_at.get(chat_id, now), now + self._interval)
        if chat_id in self._groups:
            self._group_ends.setdefault(chat_id, deque()).append(now)
        if len(self._free_at) + len(self._group_ends) > _PRUNE_AT:
            self._prune(now)
        self._dispatch()

    @asynccontextmanager
    async def slot(
        self, chat_id: str, *, group: bool = False, urgent: bool = False, ahead: bool = False
    ) -> AsyncIterator[None]:
        """Hold a slot for one request: acquire, run the body, release when it ends.

        A further slot for the same chat inside the body (a reply in several
        parts) waits its turn after the previous part instead of deadlocking.
        """
        held = self._held(chat_id)
        if held is not None:
            async with self._part(held):
                yield
            return
        waiter = _Waiter(chat_id, group, asyncio.get_running_loop().create_future(), urgent=urgent)
        await self._wait(waiter, urgent=urgent, ahead=ahead)
        held = _Held(self, chat_id, group, started=waiter.granted)
        _HELD.set((*_HELD.get(), held))
        try:
            yield
        finally:
            held.active = False
            _HELD.set(tuple(h for h in _HELD.get() if h is not held))
            self.release(chat_id)

    @asynccontextmanager
    async def paced(self, chat_id: str) -> AsyncIterator[None]:
        """A call the caller already took a slot for: the first goes straight, later ones wait."""
        held = self._held(chat_id)
        if held is None:  # paced by other means (acquire/release): trust the caller
            yield
            return
        async with self._part(held):
            yield

    async def starting(self, chat_id: str) -> None:
        """The request holding this task's slot for ``chat_id`` goes on the wire now.

        Its start was counted at its grant. One held up since then by more than
        the window's slack (a busy event loop, a slow database) is counted again
        at the real start, waiting for room in the window if there is none, so
        it cannot bunch up with later grants at the receiver. Nothing else is
        held up: the beats go on as planned.
        """
        held = self._held(chat_id)
        if not self._limit or held is None or held.started is None:
            return
        now = self._clock.now()
        if now - held.started <= self._slack:
            return
        self._forget_start(held.started)
        while True:
            now = self._clock.now()
            room = self._window_room(now, urgent=True)
            if room <= now:
                self._starts.append(now)
                held.started = now
                return
            await self._sleep((room - now).total_seconds())

    def block_for(self, seconds: float) -> None:
        """Start nothing for ``seconds`` (the platform answered 429 with ``retry_after``)."""
        until = self._clock.now() + timedelta(seconds=max(0.0, seconds))
        if self._blocked_until is None or until > self._blocked_until:
            self._blocked_until = until
        self._dispatch()

    def blocked_until(self) -> datetime | None:
        """When a 429 block ends, if one is in force."""
        if self._blocked_until is not None and self._blocked_until > self._clock.now():
            return self._blocked_until
        return None

    def ready_at(
        self, chat_id: str, *, group: bool = False, now: datetime | None = None
    ) -> datetime:
        """When ``chat_id`` may get its next message, ignoring the overall rate.

        Pass the caller's ``now`` to compare with it: a real clock moves between two reads.
        """
        now = now or self._clock.now()
        ready = self._chat_ready(chat_id, group, None, now)
        if self._busy.get(chat_id):  # a request someone else runs: look again soon
            ready = min(ready, now + max(self._interval, _BUSY_POLL))
        blocked = self.blocked_until()
        if blocked is not None and blocked > ready:
            ready = blocked
        return max(ready, now)

    def capacity(self, horizon_seconds: float) -> int:
        """How many more non-urgent messages could start within the horizon."""
        if not self._spacing:
            return max(0, UNLIMITED_CAPACITY - self.waiting)
        now = self._clock.now()
        start = max(now, self._next_start or now, self._blocked_until or now)
        end = now + timedelta(seconds=horizon_seconds)
        starts = math.ceil((end - start) / self._spacing) if end > start else 0
        return max(0, starts - self.waiting)

    def _expire_starts(self, now: datetime) -> None:
        edge = now - self._window
        starts = self._starts
        while starts and starts[0] <= edge:
            starts.popleft()

    def _window_room(self, now: datetime, *, urgent: bool) -> datetime:
        """When the overall window has room for one more start of this kind.

        Urgent starts may fill the window. While urgent requests come in, the others
        leave ``URGENT_RESERVE`` slots free (urgent starts in the window take from
        the others' share), so the next reply need not wait for a slot.
        """
        self._expire_starts(now)
        limit = self._limit
        if not urgent and self._last_urgent is not None and now - self._last_urgent < URGENT_RECENT:
            limit -= URGENT_RESERVE
        over = len(self._starts) - limit  # this many of the oldest must leave first
        if over < 0:
            return now
        return self._starts[over] + self._window

    def _forget_start(self, when: datetime) -> None:
        with contextlib.suppress(ValueError):  # it may have left the window already
            self._starts.remove(when)

    def close(self) -> None:
        """Stop the internal timer (after everything that acquires has stopped)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _held(self, chat_id: str) -> _Held | None:
        for held in reversed(_HELD.get()):
            if held.pacer is self and held.chat_id == chat_id and held.active:
                return held
        return None

    @asynccontextmanager
    async def _part(self, held: _Held) -> AsyncIterator[None]:
        further = held.calls > 0  # the first call is the one the slot was taken for
        if further:
            future = asyncio.get_running_loop().create_future()
            waiter = _Waiter(held.chat_id, held.group, future, held, urgent=True)
            await self._wait(waiter, urgent=True)
            held.started = waiter.granted
        held.calls += 1
        try:
            yield
        finally:
            held.last_end = self._clock.now()
            if further:
                self.release(held.chat_id)
            else:
                self._dispatch()

    async def _wait(self, waiter: _Waiter, *, urgent: bool, ahead: bool = False) -> None:
        line = self._urgent if urgent else self._normal
        if ahead:
            line.appendleft(waiter)
        else:
            line.append(waiter)
        self._dispatch()
        try:
            await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self.release(waiter.chat_id)  # granted just as it was cancelled
            elif waiter in line:
                line.remove(waiter)
            raise

    def _chat_ready(self, chat_id: str, group: bool, held: _Held | None, now: datetime) -> datetime:
        """When this chat allows a start, if no request to it ends first (release looks again)."""
        if not self._tracks_chats:
            return now
        if held is not None:
            ready = held.last_end + self._interval if held.last_end is not None else now
        elif self._busy.get(chat_id):
            ready = self._busy_since[chat_id] + STALE_AFTER
            if ready > now:
                return ready
            ready = max(ready, self._free_at.get(chat_id, now))
        else:
            ready = self._free_at.get(chat_id, now)
        if group and self._group_limit is not None:
            ends = self._group_ends.get(chat_id)
            while ends and ends[0] <= now - GROUP_WINDOW:
                ends.popleft()
            counted = len(ends or ()) + self._busy.get(chat_id, 0)
            if counted >= self._group_limit:
                expiring = counted - self._group_limit  # this end must leave the window first
                if ends is None or expiring >= len(ends):
                    return max(ready, now + GROUP_WINDOW)  # a release looks again sooner
                ready = max(ready, ends[expiring] + GROUP_WINDOW)
        return ready

    def _dispatch(self) -> None:
        """Grant every waiter that may start now; arm the timer for the next one."""
        now = self._clock.now()
        while True:
            blocked = max(now, self._blocked_until or now)
            earliest: datetime | None = None
            chosen: tuple[deque[_Waiter], _Waiter] | None = None
            for line in (self._urgent, self._normal):
                if not line:
                    continue
                if not self._limit:
                    gate = blocked
                elif line is self._urgent:
                    gate = max(blocked, self._window_room(now, urgent=True))
                else:
                    beat = self._next_start or now
                    gate = max(blocked, beat, self._window_room(now, urgent=False))
                for waiter in islice(line, _SCAN):
                    if waiter.future.done():
                        continue
                    ready = self._chat_ready(waiter.chat_id, waiter.group, waiter.held, now)
                    ready = max(ready, gate)
                    if ready <= now:
                        chosen = (line, waiter)
                        break
                    earliest = ready if earliest is None else min(earliest, ready)
                if chosen is not None:
                    break
            if chosen is None:
                break
            chosen[0].remove(chosen[1])
            self._grant(chosen[1], now)
        if earliest is not None:
            self._arm(earliest, now)

    def _grant(self, waiter: _Waiter, now: datetime) -> None:
        if self._limit:
            if waiter.urgent:
                self._last_urgent = now
            else:
                # Beats keep to their planned instants: a late one (a timer waking late,
                # a busy loop) is caught up by the next rather than lost; the window's
                # limit bounds the catching up. Far behind (idle), the plan restarts.
                planned = self._next_start
                on_plan = planned is not None and now - planned < self._spacing * CATCH_UP_BEATS
                self._next_start = (planned if on_plan and planned else now) + self._spacing
            self._starts.append(now)
            waiter.granted = now
        if self._tracks_chats:
            if self._busy.get(waiter.chat_id) and not waiter.held:
                self._busy[waiter.chat_id] = 0  # a stale slot: forget it, or it blocks forever
            self._busy[waiter.chat_id] = self._busy.get(waiter.chat_id, 0) + 1
            self._busy_since[waiter.chat_id] = now
            if waiter.group:
                self._groups.add(waiter.chat_id)
        waiter.future.set_result(None)

    def _arm(self, wake: datetime, now: datetime) -> None:
        timer = self._timer
        if timer is not None and not timer.done():
            if self._timer_at is not None and self._timer_at <= wake:
                return  # it wakes early enough and looks again
            timer.cancel()
        self._timer_at = wake
        delay = (wake - now).total_seconds()
        self._timer = asyncio.get_running_loop().create_task(self._tick(delay))

    async def _tick(self, delay: float) -> None:
        await self._sleep(delay)
        if self._timer is asyncio.current_task():
            self._timer = None
        self._dispatch()

    def _prune(self, now: datetime) -> None:
        self._free_at = {c: t for c, t in self._free_at.items() if t > now}
        self._group_ends = {
            c: ends
            for c, ends in self._group_ends.items()
            if ends and ends[-1] > now - GROUP_WINDOW
        }
        self._groups = {c for c in self._groups if c in self._group_ends or c in self._busy}
