"""The send budget, as the receiver counts: late requests, chats, groups, replies first, 429s."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from bot.budget import UNLIMITED_CAPACITY, RateLimits, SendBudget, limits_for
from bot.clock import FakeClock

from . import VirtualTime


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at Thursday 2026-11-26 12:00 UTC."""
    return FakeClock()


@pytest.fixture
def vt(clock: FakeClock) -> VirtualTime:
    """Simulated sleeping on the test's fake clock."""
    return VirtualTime(clock)


def telegram(clock: FakeClock, vt: VirtualTime) -> SendBudget:
    return SendBudget(limits_for("telegram"), clock, sleep=vt.sleep)


def max_in_window(times: list[datetime], window: float = 1.0) -> int:
    """The most instants in any half-open window [t, t + window)."""
    times = sorted(times)
    span = timedelta(seconds=window)
    best, j = 0, 0
    for i, t in enumerate(times):
        while j < len(times) and times[j] < t + span:
            j += 1
        best = max(best, j - i)
    return best


class Receiver:
    """A platform whose clock sees each request when it arrives, however late it left."""

    def __init__(self, clock: FakeClock, vt: VirtualTime, seed: int = 5) -> None:
        self.clock = clock
        self.vt = vt
        self.rng = random.Random(seed)
        self.arrivals: list[tuple[str, datetime]] = []

    async def request(self, chat: str, *, late: float, latency: float) -> None:
        """Leave ``late`` s after the grant (a busy loop), arrive, answer ``latency`` s later."""
        await self.vt.sleep(late)
        self.arrivals.append((chat, self.clock.now()))
        await self.vt.sleep(latency)

    def times(self, chat: str | None = None) -> list[datetime]:
        """Arrival instants, of one chat or of all."""
        return [at for c, at in self.arrivals if chat is None or c == chat]


def test_documented_limits() -> None:
    assert limits_for("telegram") == RateLimits(30, 1.0, 20, max_in_flight=64, reserve=1)
    assert limits_for("discord").per_second == 50
    assert limits_for("discord").per_chat_interval is None
    assert limits_for("console").per_second is None


async def test_late_requests_never_bunch_up_at_the_receiver(
    clock: FakeClock, vt: VirtualTime
) -> None:
    """Requests leave up to 0.6 s after their grant, replies among them: no second holds 31."""
    budget = telegram(clock, vt)
    receiver = Receiver(clock, vt)

    async def scheduled(n: int) -> None:
        async with budget.place(f"chat{n % 400}"):
            late = receiver.rng.choice([0.0, 0.0, 0.0, 0.05, 0.3, 0.6])
            await receiver.request(f"chat{n % 400}", late=late, latency=0.02)

    async def replies() -> None:
        for n in range(60):
            await vt.sleep(0.3)
            async with budget.place(f"typing{n}", urgent=True):
                await receiver.request(f"typing{n}", late=receiver.rng.random() * 0.4, latency=0)

    await vt.run(asyncio.gather(*(scheduled(n) for n in range(1200)), replies()))
    assert len(receiver.arrivals) == 1260
    assert max_in_window(receiver.times()) <= 30
    for chat in {c for c, _ in receiver.arrivals}:
        assert all(
            (b - a).total_seconds() >= 1.0 for a, b in pairwise(sorted(receiver.times(chat)))
        )


async def test_overall_rate_is_even_and_close_to_the_limit(
    clock: FakeClock, vt: VirtualTime
) -> None:
    budget = telegram(clock, vt)
    starts: list[datetime] = []

    async def one(n: int) -> None:
        async with budget.place(f"chat{n}"):
            starts.append(clock.now())

    await vt.run(asyncio.gather(*(one(n) for n in range(600))))
    assert len(starts) == 600
    assert max_in_window(starts) <= 30
    gaps = [(b - a).total_seconds() for a, b in pairwise(starts)]
    assert min(gaps) >= 1 / 30 - 2e-6  # no bursts: scheduled sends are spaced (to the µs)
    rate = (len(starts) - 1) / (starts[-1] - starts[0]).total_seconds()
    assert rate >= 0.95 * 30


async def test_per_chat_gap_counts_from_the_response(clock: FakeClock, vt: VirtualTime) -> None:
    budget = telegram(clock, vt)
    spans: list[tuple[datetime, datetime]] = []

    async def one() -> None:
        async with budget.place("42"):
            start = clock.now()
            await vt.sleep(0.4)  # a slow request
            spans.append((start, clock.now()))

    await vt.run(asyncio.gather(*(one() for _ in range(5))))
    assert len(spans) == 5
    for (_, end), (start, _) in pairwise(spans):
        assert (start - end).total_seconds() >= 1.0


async def test_at_most_20_a_minute_to_one_group(clock: FakeClock, vt: VirtualTime) -> None:
    budget = telegram(clock, vt)
    receiver = Receiver(clock, vt)
    spans: list[tuple[datetime, datetime]] = []

    async def one(n: int) -> None:
        async with budget.place("-1001", group=True, urgent=n % 3 == 0):
            start = clock.now()
            await receiver.request("-1001", late=receiver.rng.random(), latency=0.2)
            spans.append((start, clock.now()))

    await vt.run(asyncio.gather(*(one(n) for n in range(45))))
    assert len(spans) == 45
    assert max_in_window(receiver.times(), 60) <= 20
    assert max_in_window([s for s, _ in spans], 60) <= 20
    for (_, first_end), (start, _) in zip(spans, spans[20:], strict=False):
        assert (start - first_end).total_seconds() >= 60
    # ... and the minute is used: the 21st goes right after the first leaves the window.
    assert (spans[20][0] - spans[0][1]).total_seconds() < 61


async def test_a_reply_goes_before_waiting_scheduled_messages(
    clock: FakeClock, vt: VirtualTime
) -> None:
    budget = telegram(clock, vt)
    order: list[str] = []

    async def scheduled(n: int) -> None:
        async with budget.place(f"bulk{n}"):
            order.append(f"bulk{n}")

    async def scenario() -> None:
        tasks = [asyncio.create_task(scheduled(n)) for n in range(100)]
        await vt.sleep(0.5)  # about 15 scheduled sends in
        before = len(order)
        asked = clock.now()
        async with budget.place("someone-typing", urgent=True):
            order.append("reply")
            assert (clock.now() - asked).total_seconds() <= 0.05  # at most one beat
        assert order.index("reply") == before  # the next place, ahead of 85 waiting
        await asyncio.gather(*tasks)

    await vt.run(scenario())
    assert len(order) == 101


async def test_a_reply_for_a_cooling_chat_does_not_hold_up_others(
    clock: FakeClock, vt: VirtualTime
) -> None:
    budget = telegram(clock, vt)
    got: dict[str, datetime] = {}

    async def take(chat: str, *, urgent: bool) -> None:
        async with budget.place(chat, urgent=urgent):
            got.setdefault(chat, clock.now())

    async def scenario() -> None:
        await take("a", urgent=True)
        await asyncio.gather(take("a", urgent=True), take("b", urgent=False))

    start = clock.now()
    await vt.run(scenario())
    assert (got["b"] - start).total_seconds() < 0.1


async def test_retry_after_holds_every_send(clock: FakeClock, vt: VirtualTime) -> None:
    budget = telegram(clock, vt)
    starts: list[datetime] = []

    async def one(n: int) -> None:
        async with budget.place(f"c{n}", urgent=n == 0):
            starts.append(clock.now())

    start = clock.now()
    budget.block_for(7)
    assert budget.blocked and budget.capacity(5) == 0
    await vt.run(asyncio.gather(*(one(n) for n in range(10))))
    assert min(starts) >= start + timedelta(seconds=7)
    assert not budget.blocked


def test_capacity_follows_the_rate(clock: FakeClock) -> None:
    budget = SendBudget(limits_for("telegram"), clock)
    assert 140 <= budget.capacity(5) <= 150
    assert 0 < budget.capacity(1) <= 30
    budget.block_for(10)
    assert budget.capacity(5) == 0
    assert 140 <= budget.capacity(15) <= 150
    assert SendBudget(limits_for("console"), clock).capacity(5) == UNLIMITED_CAPACITY


async def test_capacity_counts_what_is_waiting(clock: FakeClock, vt: VirtualTime) -> None:
    budget = telegram(clock, vt)

    async def wait_for_place(n: int) -> None:
        async with budget.place(f"c{n}"):
            pass

    async def scenario() -> None:
        budget.block_for(1)
        tasks = [asyncio.create_task(wait_for_place(n)) for n in range(100)]
        await asyncio.sleep(0)
        assert budget.waiting == 100
        assert 140 - 100 - 29 <= budget.capacity(5) <= 150 - 100 - 29
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert budget.waiting == 0

    await vt.run(scenario())


async def test_a_cancelled_waiter_takes_no_place(clock: FakeClock, vt: VirtualTime) -> None:
    budget = telegram(clock, vt)
    starts: list[datetime] = []

    async def one(chat: str) -> None:
        async with budget.place(chat):
            starts.append(clock.now())

    async def scenario() -> None:
        await one("first")
        doomed = asyncio.create_task(one("doomed"))
        await asyncio.sleep(0)
        doomed.cancel()
        await asyncio.gather(doomed, return_exceptions=True)
        await one("next")

    start = clock.now()
    await vt.run(scenario())
    assert len(starts) == 2
    assert (starts[1] - start).total_seconds() < 0.04  # the doomed one's place was not used up


async def test_a_message_in_parts_waits_between_parts(clock: FakeClock, vt: VirtualTime) -> None:
    budget = telegram(clock, vt)
    parts: list[tuple[datetime, datetime]] = []

    async def call() -> None:
        start = clock.now()
        await vt.sleep(0.3)
        parts.append((start, clock.now()))

    async def queued_send() -> None:
        async with budget.place("7") as place:  # the outbound queue's place for one message
            for _ in range(3):  # its messenger makes three platform requests
                async with place.request():
                    await call()
        async with budget.place("7", urgent=True):  # a reply after it
            await call()

    start = clock.now()
    await vt.run(queued_send())
    assert len(parts) == 4
    assert parts[0][0] == start  # the first request goes at the grant
    for (_, end), (begin, _) in pairwise(parts):
        assert (begin - end).total_seconds() >= 1.0


async def test_every_part_to_a_group_counts_in_its_minute(
    clock: FakeClock, vt: VirtualTime
) -> None:
    budget = telegram(clock, vt)
    starts: list[datetime] = []

    async def post() -> None:
        async with budget.place("-100", group=True) as place:
            for _ in range(3):
                async with place.request():
                    starts.append(clock.now())

    await vt.run(asyncio.gather(*(post() for _ in range(10))))
    assert len(starts) == 30
    assert max_in_window(starts, 60) <= 20


async def test_discord_has_no_per_chat_limit(clock: FakeClock, vt: VirtualTime) -> None:
    budget = SendBudget(limits_for("discord"), clock, sleep=vt.sleep)
    starts: list[datetime] = []

    async def one() -> None:
        async with budget.place("same-user"):
            starts.append(clock.now())

    await vt.run(asyncio.gather(*(one() for _ in range(500))))
    assert max_in_window(starts) <= 50
    assert (starts[-1] - starts[0]).total_seconds() <= 499 / (0.95 * 50)


async def test_console_is_unlimited(clock: FakeClock, vt: VirtualTime) -> None:
    budget = SendBudget(limits_for("console"), clock, sleep=vt.sleep)
    start = clock.now()

    async def scenario() -> None:
        for _ in range(100):
            async with budget.place("me"):
                pass

    await vt.run(scenario())
    assert clock.now() == start


async def test_a_reply_during_a_full_drain_starts_at_once(
    clock: FakeClock, vt: VirtualTime
) -> None:
    """Scheduled sends leave a place free: a reply does not wait for one to come free."""
    budget = telegram(clock, vt)
    bulk_starts: list[datetime] = []
    reply_waits: list[timedelta] = []
    reply_starts: list[datetime] = []

    async def bulk(n: int) -> None:
        async with budget.place(f"bulk{n}"):
            bulk_starts.append(clock.now())

    async def replies() -> None:
        for n in range(40):  # four replies a second, each to someone who just typed
            await vt.sleep(0.25)
            asked = clock.now()
            async with budget.place(f"reply{n}", urgent=True):
                reply_waits.append(clock.now() - asked)
                reply_starts.append(clock.now())

    await vt.run(asyncio.gather(*(bulk(n) for n in range(600)), replies()))
    assert reply_waits == [timedelta(0)] * 40
    assert max_in_window(bulk_starts + reply_starts) <= 30
    assert max_in_window(bulk_starts) <= 29
    everything = sorted(bulk_starts + reply_starts)
    assert len(everything) / (everything[-1] - everything[0]).total_seconds() >= 0.93 * 30


async def test_beats_granted_late_are_caught_up_not_lost(clock: FakeClock, vt: VirtualTime) -> None:
    """A budget whose timer always wakes 20 ms late (a busy loop) still drains at the rate."""

    async def late_sleep(seconds: float) -> None:
        await vt.sleep(seconds + 0.02)

    budget = SendBudget(limits_for("telegram"), clock, sleep=late_sleep)
    starts: list[datetime] = []

    async def one(n: int) -> None:
        async with budget.place(f"chat{n}"):
            starts.append(clock.now())

    await vt.run(asyncio.gather(*(one(n) for n in range(600))))
    assert max_in_window(starts) <= 30
    rate = (len(starts) - 1) / (starts[-1] - starts[0]).total_seconds()
    assert rate >= 0.9 * 30


class SetWallClock:
    """A fake clock whose wall time can be set apart from its passing seconds (NTP)."""

    def __init__(self, base: FakeClock) -> None:
        self.base = base
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return self.base.now() + self.offset

    def monotonic(self) -> float:
        return self.base.monotonic()


async def test_a_wall_clock_set_ahead_frees_no_place(clock: FakeClock, vt: VirtualTime) -> None:
    wall = SetWallClock(clock)
    budget = SendBudget(limits_for("telegram"), wall, sleep=vt.sleep)
    sent: list[datetime] = []

    async def scenario() -> None:
        async with budget.place("42"):
            sent.append(clock.now())
        wall.offset = timedelta(hours=1)  # the host's clock is set an hour ahead
        async with budget.place("42"):
            sent.append(clock.now())

    await vt.run(scenario())
    assert (sent[1] - sent[0]).total_seconds() >= 1.0


async def test_a_wall_clock_set_back_holds_up_no_send(clock: FakeClock, vt: VirtualTime) -> None:
    wall = SetWallClock(clock)
    budget = SendBudget(limits_for("telegram"), wall, sleep=vt.sleep)
    sent: list[datetime] = []

    async def scenario() -> None:
        async with budget.place("7"):
            sent.append(clock.now())
        wall.offset = -timedelta(hours=1)  # the host's clock is set an hour back
        async with budget.place("8"):  # a scheduled message to another chat
            sent.append(clock.now())

    await vt.run(scenario())
    assert (sent[1] - sent[0]).total_seconds() < 1.0
