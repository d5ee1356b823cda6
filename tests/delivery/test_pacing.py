"""The pacer: even overall spacing, per-chat gaps from the end, group minutes, urgency, 429s."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from bot.clock import FakeClock
from bot.delivery.pacing import UNLIMITED_CAPACITY, Pacer, RateLimits, limits_for

from . import VirtualTime


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at Thursday 2026-11-26 12:00 UTC."""
    return FakeClock()


@pytest.fixture
def vt(clock: FakeClock) -> VirtualTime:
    """Simulated sleeping on the test's fake clock."""
    return VirtualTime(clock)


def telegram(clock: FakeClock, vt: VirtualTime) -> Pacer:
    return Pacer(limits_for("telegram"), clock, sleep=vt.sleep)


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


def test_documented_limits() -> None:
    assert limits_for("telegram") == RateLimits(30, 1.0, 20, 32)
    assert limits_for("discord").per_second == 50
    assert limits_for("discord").per_chat_interval is None
    assert limits_for("console").per_second is None


async def test_overall_rate_is_even_and_close_to_the_limit(
    clock: FakeClock, vt: VirtualTime
) -> None:
    pacer = telegram(clock, vt)
    starts: list[datetime] = []

    async def one(n: int) -> None:
        await pacer.acquire(f"chat{n}")
        starts.append(clock.now())
        pacer.release(f"chat{n}")

    async def scenario() -> None:
        await asyncio.gather(*(one(n) for n in range(600)))

    await vt.run(scenario())
    assert len(starts) == 600
    assert max_in_window(starts) <= 30
    gaps = [(b - a).total_seconds() for a, b in pairwise(starts)]
    assert min(gaps) >= 1 / 30  # no bursts: every start is spaced
    rate = (len(starts) - 1) / (starts[-1] - starts[0]).total_seconds()
    assert rate >= 0.95 * 30


async def test_per_chat_gap_counts_from_the_end_of_the_previous_request(
    clock: FakeClock, vt: VirtualTime
) -> None:
    pacer = telegram(clock, vt)
    spans: list[tuple[datetime, datetime]] = []

    async def one() -> None:
        async with pacer.slot("42"):
            start = clock.now()
            await vt.sleep(0.4)  # a slow request
            spans.append((start, clock.now()))

    await vt.run(asyncio.gather(*(one() for _ in range(5))))
    assert len(spans) == 5
    for (_, end), (start, _) in pairwise(spans):
        assert (start - end).total_seconds() >= 1.0


async def test_at_most_20_a_minute_to_one_group(clock: FakeClock, vt: VirtualTime) -> None:
    pacer = telegram(clock, vt)
    spans: list[tuple[datetime, datetime]] = []

    async def one() -> None:
        async with pacer.slot("-1001", group=True):
            start = clock.now()
            await vt.sleep(0.2)
            spans.append((start, clock.now()))

    await vt.run(asyncio.gather(*(one() for _ in range(45))))
    assert len(spans) == 45
    # Whatever the receiver's arrival instant inside a request, a window sees at most 20.
    assert max_in_window([s for s, _ in spans], 60) <= 20
    assert max_in_window([e for _, e in spans], 60) <= 20
    for (_, first_end), (start, _) in zip(spans, spans[20:], strict=False):
        assert (start - first_end).total_seconds() >= 60
    # ... and the minute is used: the 21st goes right after the first leaves the window.
    assert (spans[20][0] - spans[0][1]).total_seconds() < 61


async def test_urgent_acquire_overtakes_waiting_bulk(clock: FakeClock, vt: VirtualTime) -> None:
    pacer = telegram(clock, vt)
    order: list[str] = []

    async def bulk(n: int) -> None:
        await pacer.acquire(f"bulk{n}")
        order.append(f"bulk{n}")
        pacer.release(f"bulk{n}")

    async def scenario() -> None:
        tasks = [asyncio.create_task(bulk(n)) for n in range(100)]
        await vt.sleep(0.5)  # about 15 bulk slots in
        before = len(order)
        started = clock.now()
        async with pacer.slot("someone-typing", urgent=True):
            order.append("reply")
            assert (clock.now() - started).total_seconds() <= 0.05  # at most one spacing
        assert order.index("reply") == before  # the next slot, ahead of 85 waiting
        await asyncio.gather(*tasks)

    await vt.run(scenario())
    assert len(order) == 101


async def test_urgent_waiter_for_a_cooling_chat_does_not_hold_up_others(
    clock: FakeClock, vt: VirtualTime
) -> None:
    pacer = telegram(clock, vt)
    got: dict[str, datetime] = {}

    async def take(chat: str, *, urgent: bool) -> None:
        async with pacer.slot(chat, urgent=urgent):
            got.setdefault(chat, clock.now())

    async def scenario() -> None:
        await take("a", urgent=True)
        await asyncio.gather(take("a", urgent=True), take("b", urgent=False))

    start = clock.now()
    await vt.run(scenario())
    assert (got["b"] - start).total_seconds() < 0.1


async def test_block_for_holds_every_start(clock: FakeClock, vt: VirtualTime) -> None:
    pacer = telegram(clock, vt)
    starts: list[datetime] = []

    async def one(n: int) -> None:
        async with pacer.slot(f"c{n}", urgent=n == 0):
            starts.append(clock.now())

    start = clock.now()
    pacer.block_for(7)
    assert pacer.blocked_until() == start + timedelta(seconds=7)
    await vt.run(asyncio.gather(*(one(n) for n in range(10))))
    assert min(starts) >= start + timedelta(seconds=7)
    assert pacer.blocked_until() is None


def test_capacity_follows_the_rate(clock: FakeClock) -> None:
    pacer = Pacer(limits_for("telegram"), clock)
    assert 140 <= pacer.capacity(5) <= 150
    assert 0 < pacer.capacity(1) <= 30
    pacer.block_for(10)
    assert pacer.capacity(5) == 0
    assert 140 <= pacer.capacity(15) <= 150
    assert Pacer(limits_for("console"), clock).capacity(5) == UNLIMITED_CAPACITY


async def test_capacity_counts_what_is_waiting(clock: FakeClock, vt: VirtualTime) -> None:
    pacer = telegram(clock, vt)

    async def scenario() -> None:
        pacer.block_for(1)
        tasks = [asyncio.create_task(pacer.acquire(f"c{n}")) for n in range(100)]
        await asyncio.sleep(0)
        assert pacer.waiting == 100
        assert 140 - 100 - 30 <= pacer.capacity(5) <= 150 - 100 - 29
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert pacer.waiting == 0

    await vt.run(scenario())


async def test_a_cancelled_waiter_takes_no_slot(clock: FakeClock, vt: VirtualTime) -> None:
    pacer = telegram(clock, vt)
    starts: list[datetime] = []

    async def one(chat: str) -> None:
        async with pacer.slot(chat):
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
    assert (starts[1] - start).total_seconds() < 0.04  # the doomed one's slot was not used up


async def test_a_reply_in_parts_waits_between_parts_instead_of_deadlocking(
    clock: FakeClock, vt: VirtualTime
) -> None:
    pacer = telegram(clock, vt)
    parts: list[tuple[datetime, datetime]] = []

    async def call() -> None:
        start = clock.now()
        await vt.sleep(0.3)
        parts.append((start, clock.now()))

    async def queued_send() -> None:
        async with pacer.slot("7"):  # the outbound queue's slot for one message
            for _ in range(3):  # its messenger makes three Bot API calls
                async with pacer.paced("7"):
                    await call()
        async with pacer.slot("7", urgent=True):  # an unpaced reply after it
            await call()

    await vt.run(queued_send())
    assert len(parts) == 4
    assert parts[0][0] == parts[0][0]  # the first call went straight
    for (_, end), (start, _) in pairwise(parts):
        assert (start - end).total_seconds() >= 1.0


async def test_nested_slot_for_the_same_chat_is_a_further_part(
    clock: FakeClock, vt: VirtualTime
) -> None:
    pacer = telegram(clock, vt)
    calls: list[datetime] = []

    async def scenario() -> None:
        async with pacer.slot("7"):
            for _ in range(2):
                async with pacer.slot("7", urgent=True):  # no paced flag: still no deadlock
                    calls.append(clock.now())

    await vt.run(scenario())
    assert (calls[1] - calls[0]).total_seconds() >= 1.0


async def test_paced_without_a_slot_passes_straight(clock: FakeClock, vt: VirtualTime) -> None:
    pacer = telegram(clock, vt)
    pacer.block_for(30)
    start = clock.now()

    async def scenario() -> None:
        async with pacer.paced("7"):
            pass

    await vt.run(scenario())
    assert clock.now() == start


async def test_an_unreleased_slot_stops_blocking_its_chat_in_the_end(
    clock: FakeClock, vt: VirtualTime
) -> None:
    pacer = telegram(clock, vt)
    start = clock.now()

    async def scenario() -> None:
        await pacer.acquire("leaky")  # never released
        async with pacer.slot("leaky"):
            assert 60 <= (clock.now() - start).total_seconds() <= 61
        async with pacer.slot("leaky"):  # the stale slot is forgotten, not waited for again
            pass

    await vt.run(scenario())
    assert 61 <= (clock.now() - start).total_seconds() <= 62


async def test_discord_has_no_per_chat_limit(clock: FakeClock, vt: VirtualTime) -> None:
    pacer = Pacer(limits_for("discord"), clock, sleep=vt.sleep)
    starts: list[datetime] = []

    async def one() -> None:
        await pacer.acquire("same-user")  # no release needed without per-chat limits
        starts.append(clock.now())

    await vt.run(asyncio.gather(*(one() for _ in range(500))))
    assert max_in_window(starts) <= 50
    assert (starts[-1] - starts[0]).total_seconds() <= 499 / (0.95 * 50)


async def test_console_is_unlimited(clock: FakeClock, vt: VirtualTime) -> None:
    pacer = Pacer(limits_for("console"), clock, sleep=vt.sleep)
    start = clock.now()

    async def scenario() -> None:
        for _ in range(100):
            async with pacer.slot("me"):
                pass

    await vt.run(scenario())
    assert clock.now() == start


async def test_a_reply_during_a_full_drain_starts_at_once_within_the_window(
    clock: FakeClock, vt: VirtualTime
) -> None:
    """Bulk leaves a slot of every window free: a reply does not wait for the next beat."""
    pacer = telegram(clock, vt)
    bulk_starts: list[datetime] = []
    reply_waits: list[timedelta] = []
    reply_starts: list[datetime] = []

    async def bulk(n: int) -> None:
        await pacer.acquire(f"bulk{n}")
        bulk_starts.append(clock.now())
        pacer.release(f"bulk{n}")

    async def replies() -> None:
        for n in range(40):  # four replies a second, each to someone who just typed
            await vt.sleep(0.25)
            asked = clock.now()
            async with pacer.slot(f"reply{n}", urgent=True):
                reply_waits.append(clock.now() - asked)
                reply_starts.append(clock.now())

    async def scenario() -> None:
        await asyncio.gather(*(bulk(n) for n in range(600)), replies())

    await vt.run(scenario())
    assert reply_waits == [timedelta(0)] * 40
    assert max_in_window(bulk_starts + reply_starts) <= 30
    assert max_in_window(bulk_starts) <= 29
    # Everything together keeps the budget used: all but the reserved slot of each window
    # (29 of 30 in 1 s plus the 25 ms slack).
    everything = sorted(bulk_starts + reply_starts)
    assert len(everything) / (everything[-1] - everything[0]).total_seconds() >= 0.93 * 30


async def test_beats_granted_late_are_caught_up_not_lost(clock: FakeClock, vt: VirtualTime) -> None:
    """A pacer whose timer always wakes 20 ms late (a busy loop) still drains at the rate."""

    async def late_sleep(seconds: float) -> None:
        await vt.sleep(seconds + 0.02)

    pacer = Pacer(limits_for("telegram"), clock, sleep=late_sleep)
    starts: list[datetime] = []

    async def one(n: int) -> None:
        await pacer.acquire(f"chat{n}")
        starts.append(clock.now())
        pacer.release(f"chat{n}")

    await vt.run(asyncio.gather(*(one(n) for n in range(600))))
    assert max_in_window(starts) <= 30
    rate = (len(starts) - 1) / (starts[-1] - starts[0]).total_seconds()
    assert rate >= 0.95 * 30


async def test_a_request_held_up_after_its_grant_counts_at_its_real_start(
    clock: FakeClock, vt: VirtualTime
) -> None:
    """Every third request starts 0.3 s after its grant: at the receiver no window holds over 30."""
    pacer = telegram(clock, vt)
    sent: list[datetime] = []

    async def one(n: int) -> None:
        async with pacer.slot(f"chat{n}"):
            if n % 3 == 0:
                await vt.sleep(0.3)  # a slow mark in the database
            await pacer.starting(f"chat{n}")
            sent.append(clock.now())

    await vt.run(asyncio.gather(*(one(n) for n in range(600))))
    assert len(sent) == 600
    assert max_in_window(sent) <= 30
