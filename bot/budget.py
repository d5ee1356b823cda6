"""The send budget of one platform: places a send takes, held until the platform has counted it.

A send waits for three kinds of place, nested like python-telegram-bot's
``AIORateLimiter`` (chat, then group, then overall), and gives each back when its
response has arrived; a place given back stays taken for a while longer:

* its chat's one place: ``per_chat_interval`` (1 s) after the response;
* one of its group's ``per_group_per_minute`` places: sixty seconds after;
* one of the ``per_second`` overall places: one second after.

A request reaches the platform somewhere between its grant and its response. So
every request the platform receives within one second held an overall place at
the instant the last of them arrived, and no second at the receiver holds more
than ``per_second`` of them, however late a request left after its grant (a
busy event loop, a slow database). The same argument holds per chat and per group.

Replies to someone who just typed (urgent) are served first; scheduled sends
leave ``reserve`` overall places to them and are spread evenly over the second,
so the place a reply needs is seldom far. A 429 stops every grant for its
``retry_after``. Sleeping is injected, so tests move a fake clock.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.clock import Clock

Sleep = Callable[[float], Awaitable[None]]

GROUP_WINDOW = 60.0  # seconds a group's place stays taken after the response
# What capacity() reports for a platform without a rate limit.
UNLIMITED_CAPACITY = 1000
# Beats a scheduled grant may be behind its plan and still be caught up.
CATCH_UP_BEATS = 3
# Chats and groups remembered before the idle ones are forgotten.
PRUNE_AT = 4096
# Clocks and sleeps round to the microsecond: a beat this close counts as come.
EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class RateLimits:
    """A platform's sending limits; ``None`` means no such limit."""

    per_second: int | None = None  # requests the platform receives in any second, overall
    per_chat_interval: float | None = None  # seconds from one response to the next request
    per_group_per_minute: int | None = None  # messages one group chat receives in any minute
    max_in_flight: int = 8  # the outbound queue's concurrency: latency must not cap the rate
    reserve: int = 0  # overall places scheduled sends leave to replies


def limits_for(platform: str) -> RateLimits:
    """The documented limits of a platform (unlimited for the console and unknown ones)."""
    if platform == "telegram":
        return RateLimits(30, 1.0, 20, max_in_flight=64, reserve=1)
    if platform == "discord":
        return RateLimits(50, max_in_flight=64, reserve=1)
    return RateLimits(max_in_flight=1)


class _Places:
    """``capacity`` places, each taken at its grant and free ``hold`` s after it is given back."""

    def __init__(
        self,
        budget: SendBudget,
        capacity: int,
        hold: float,
        *,
        reserve: int = 0,
        spacing: float = 0.0,
    ) -> None:
        self._budget = budget
        self.capacity = capacity
        self._hold = hold
        self._reserve = reserve  # left free by non-urgent grants
        self._spacing = spacing  # between non-urgent grants, in clock seconds
        self._taken = 0  # by sends still running
        self._cooling: list[float] = []  # when places given back are free again (a heap)
        self._next_beat = 0.0
        self.blocked_until = 0.0  # a 429's end
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()
        self._timer: asyncio.Task[None] | None = None
        self._timer_at = 0.0

    def free(self, now: float) -> int:
        """Places a send could take at ``now``."""
        cooling = self._cooling
        while cooling and cooling[0] <= now:  # exact: the guarantee rests on it
            heapq.heappop(cooling)
        return self.capacity - self._taken - len(cooling)

    def idle(self, now: float) -> bool:
        """Every place free and nobody waiting: the chat or group can be forgotten."""
        return self.free(now) == self.capacity and not self._urgent and not self._normal

    @property
    def waiting(self) -> int:
        """Non-urgent sends waiting for a place."""
        return len(self._normal)

    @asynccontextmanager
    async def held(self, *, urgent: bool, ahead: bool = False) -> AsyncIterator[None]:
        """Take a place for the body; it is free again ``hold`` s after the body ends.

        ``ahead``: before the others of its kind (a 429 retry that already had its turn).
        """
        await self._take(urgent, ahead)
        try:
            yield
        finally:
            self._give_back()

    async def _take(self, urgent: bool, ahead: bool) -> None:
        line = self._urgent if urgent else self._normal
        first = urgent or ahead or not self._normal
        if not self._urgent and first and self._may_grant(urgent, self._budget.seconds()):
            self._grant(urgent)
            return
        future = asyncio.get_running_loop().create_future()
        if ahead:
            line.appendleft(future)
        else:
            line.append(future)
        self._dispatch()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._give_back()  # granted as it was cancelled
            elif future in line:
                line.remove(future)
            raise

    def _give_back(self) -> None:
        self._taken -= 1
        heapq.heappush(self._cooling, self._budget.seconds() + self._hold)
        self._dispatch()  # a waiter may need a timer for this place now

    def _may_grant(self, urgent: bool, now: float) -> bool:
        if now < self.blocked_until:
            return False
        free = self.free(now)
        if urgent:
            return free > 0
        return free > self._reserve and now + EPSILON >= self._next_beat

    def _grant(self, urgent: bool) -> None:
        self._taken += 1
        if not urgent and self._spacing:
            # Beats keep to their plan: one granted late (a busy loop) is caught up by the
            # next rather than lost; after a pause the plan starts again from now.
            now = self._budget.seconds()
            behind = now - self._next_beat > self._spacing * CATCH_UP_BEATS
            self._next_beat = (now if behind else self._next_beat) + self._spacing

    def _dispatch(self) -> None:
        """Grant every waiter that may go now; arm the timer for when the next one may."""
        now = self._budget.seconds()
        while True:
            while self._urgent and self._urgent[0].done():
                self._urgent.popleft()  # cancelled
            while self._normal and self._normal[0].done():
                self._normal.popleft()
            if self._urgent and self._may_grant(True, now):
                self._grant(True)
                self._urgent.popleft().set_result(None)
            elif not self._urgent and self._normal and self._may_grant(False, now):
                self._grant(False)
                self._normal.popleft().set_result(None)
            else:
                break
        if not self._urgent and not self._normal:
            return
        self.free(now)  # forget places already free again
        # Timers wake a little after a place is free: sleeps round to the microsecond.
        wakes = [t + 2 * EPSILON for t in (self.blocked_until,) if t > now]
        wakes += [t for t in (self._next_beat,) if t > now + EPSILON]
        if self._cooling:
            wakes.append(self._cooling[0] + 2 * EPSILON)
        if self._spacing and wakes:
            # Look again every beat, not only when the next place is free: a wait on
            # another thread (the database) then moves a simulated clock by a beat at most.
            wakes.append(now + self._spacing)
        if wakes:
            self._arm(min(wakes), now)

    def _arm(self, wake: float, now: float) -> None:
        timer = self._timer
        # The timer calling this (it is ending) cannot wake anyone again.
        if timer is not None and not timer.done() and timer is not asyncio.current_task():
            if self._timer_at <= wake:
                return  # it wakes early enough and looks again
            timer.cancel()
        self._timer_at = wake
        self._timer = self._budget.later(wake - now, self._dispatch)


class Place:
    """What one message holds while it is sent: its chat's place, its first request's others.

    A platform request made for the message goes inside :meth:`request`. The
    first one uses the places taken at the grant; a further one (a reply in
    several parts) waits the chat's interval after the previous response and
    takes group and overall places of its own.
    """

    def __init__(self, budget: SendBudget, group: _Places | None, *, urgent: bool) -> None:
        self._budget = budget
        self._group = group
        self._urgent = urgent
        self._requests = 0
        self._last_end: float | None = None

    @asynccontextmanager
    async def request(self) -> AsyncIterator[None]:
        """One request of this message to the platform (one at a time)."""
        self._requests += 1
        if self._requests == 1:
            try:
                yield
            finally:
                self._last_end = self._budget.seconds()
            return
        interval = self._budget.limits.per_chat_interval
        if interval and self._last_end is not None:
            await self._budget.sleep_until(self._last_end + interval)
        async with self._budget.places(self._group, urgent=self._urgent):
            try:
                yield
            finally:
                self._last_end = self._budget.seconds()


@asynccontextmanager
async def _held(places: _Places | None, urgent: bool, ahead: bool) -> AsyncIterator[None]:
    """A place of ``places`` for the body (nothing to take where there is no such limit)."""
    if places is None:
        yield
        return
    async with places.held(urgent=urgent, ahead=ahead):
        yield


class SendBudget:
    """One platform's send budget, shared by its replies and its scheduled messages."""

    def __init__(self, limits: RateLimits, clock: Clock, *, sleep: Sleep = asyncio.sleep) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        rate = limits.per_second
        self._overall = (
            _Places(self, rate, 1.0, reserve=limits.reserve, spacing=1.0 / rate) if rate else None
        )
        self._chats: dict[str, _Places] = {}
        self._groups: dict[str, _Places] = {}
        self._prune_at = PRUNE_AT
        self._timers: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def place(
        self, chat_id: str, *, group: bool = False, urgent: bool = False, ahead: bool = False
    ) -> AsyncIterator[Place]:
        """Hold ``chat_id``'s places while the body sends one message there.

        ``urgent``: a reply to someone who just typed; ``ahead``: a 429 retry, first
        among the scheduled sends.
        """
        chat = self._places(self._chats, chat_id, 1, self.limits.per_chat_interval)
        in_group = (
            self._places(self._groups, chat_id, self.limits.per_group_per_minute, GROUP_WINDOW)
            if group
            else None
        )
        async with (
            _held(chat, urgent, ahead),
            self.places(in_group, urgent=urgent, ahead=ahead),
        ):
            yield Place(self, in_group, urgent=urgent)

    @asynccontextmanager
    async def places(
        self, group: _Places | None, *, urgent: bool, ahead: bool = False
    ) -> AsyncIterator[None]:
        """A group place (if a group), then an overall place."""
        async with _held(group, urgent, ahead), _held(self._overall, urgent, ahead):
            yield

    def _places(
        self, pool: dict[str, _Places], key: str, capacity: int | None, hold: float | None
    ) -> _Places | None:
        if not capacity or not hold:
            return None
        places = pool.get(key)
        if places is None:
            if len(pool) >= self._prune_at:
                # Forget chats with every place free again (they are made anew when needed).
                now = self.seconds()
                for idle in [k for k, p in pool.items() if p.idle(now)]:
                    del pool[idle]
                self._prune_at = max(PRUNE_AT, 2 * len(pool))
            places = pool[key] = _Places(self, capacity, hold)
        return places

    def block_for(self, seconds: float) -> None:
        """Grant nothing for ``seconds`` (the platform answered 429 with ``retry_after``)."""
        overall = self._overall
        if overall is None or seconds <= 0:
            return
        overall.blocked_until = max(overall.blocked_until, self.seconds() + seconds)

    @property
    def blocked(self) -> bool:
        """Whether a 429 block is in force."""
        return self._overall is not None and self._overall.blocked_until > self.seconds()

    @property
    def waiting(self) -> int:
        """Scheduled sends waiting for an overall place."""
        return self._overall.waiting if self._overall is not None else 0

    def capacity(self, horizon_seconds: float) -> int:
        """About how many more scheduled messages could be granted within the horizon."""
        overall = self._overall
        if overall is None:
            return max(0, UNLIMITED_CAPACITY - self.waiting)
        start = max(0.0, overall.blocked_until - self.seconds())
        rate = overall.capacity - self.limits.reserve
        return max(0, int(rate * (horizon_seconds - start)) - self.waiting)

    def seconds(self) -> float:
        """The clock's monotonic seconds: a wall clock set forward or back moves no place."""
        return self._clock.monotonic()

    async def sleep_until(self, when: float) -> None:
        """Sleep (the injected sleep) until the clock reads ``when``."""
        delay = when - self.seconds()
        if delay > 0:
            await self._sleep(delay)

    def later(self, delay: float, then: Callable[[], None]) -> asyncio.Task[None]:
        """Call ``then`` after ``delay`` seconds of the injected sleep."""

        async def timer() -> None:
            await self._sleep(delay)
            then()

        task = asyncio.get_running_loop().create_task(timer())
        self._timers.add(task)
        task.add_done_callback(self._timers.discard)
        return task

    def close(self) -> None:
        """Stop the timers (after everything that sends has stopped)."""
        for task in list(self._timers):
            task.cancel()
