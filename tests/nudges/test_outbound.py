"""The paced outbound queue: platform limits, 429s, transient errors, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from bot.clock import FakeClock
from bot.core.messages import Reply
from bot.nudges.outbound import OutboundQueue, Outcome, Outgoing, RateLimits
from bot.ports import RateLimited, TransientDeliveryError

from .conftest import RecordingMessenger, fake_sleep


def make_queue(
    messenger: RecordingMessenger, clock: FakeClock, limits: RateLimits | None = None
) -> tuple[OutboundQueue, list[Outcome]]:
    outcomes: list[Outcome] = []

    async def record(outcome: Outcome) -> None:
        outcomes.append(outcome)

    queue = OutboundQueue(messenger, clock, record, limits=limits, sleep=fake_sleep(clock))  # type: ignore[arg-type]
    return queue, outcomes


def put(queue: OutboundQueue, delivery_id: int, chat: str) -> None:
    queue.put(Outgoing(delivery_id, chat, Reply(f"m{delivery_id}"), f"nudge-{delivery_id}"))


def max_in_window(times: list[datetime], window: timedelta = timedelta(seconds=1)) -> int:
    """The most sends in any half-open window [t, t + 1 s)."""
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while j < len(times) and times[j] < t + window:
            j += 1
        best = max(best, j - i)
    return best


async def test_telegram_30_per_second_overall_and_1_per_second_per_chat(clock: FakeClock) -> None:
    messenger = RecordingMessenger("telegram", clock)
    queue, outcomes = make_queue(messenger, clock)
    start = clock.now()
    for n in range(300, 305):
        put(queue, n, "busy")  # five in a row to one chat: the others overtake them
    for n in range(300):
        put(queue, n, f"chat{n % 100}")  # 3 messages to each of 100 chats
    await queue.drain()
    assert len(messenger.sent) == 305 and all(o.status == "sent" for o in outcomes)
    assert max_in_window([s.at for s in messenger.sent]) <= 30
    by_chat: dict[str, list[datetime]] = {}
    for s in messenger.sent:
        by_chat.setdefault(s.platform_user_id, []).append(s.at)
    assert all(max_in_window(times) <= 1 for times in by_chat.values())
    elapsed = (messenger.sent[-1].at - start).total_seconds()
    assert elapsed <= 305 / 30 + 1  # paced, but not slower than the limit
    assert sorted(s.dedupe_key or "" for s in messenger.sent) == sorted(
        f"nudge-{n}" for n in range(305)
    )


async def test_discord_45_per_second(clock: FakeClock) -> None:
    messenger = RecordingMessenger("discord", clock)
    queue, _ = make_queue(messenger, clock)
    for n in range(450):
        put(queue, n, "same-user")  # no per-chat limit on Discord
    await queue.drain()
    assert len(messenger.sent) == 450
    assert max_in_window([s.at for s in messenger.sent]) <= 45
    assert (messenger.sent[-1].at - messenger.sent[0].at).total_seconds() < 10.5


async def test_retry_after_is_honoured_for_the_whole_queue(clock: FakeClock) -> None:
    messenger = RecordingMessenger("telegram", clock)
    messenger.script["a"] = [RateLimited(7.0)]
    queue, outcomes = make_queue(messenger, clock, RateLimits(per_second=30, max_in_flight=1))
    start = clock.now()
    put(queue, 1, "a")
    put(queue, 2, "b")
    await queue.drain()
    assert [s.platform_user_id for s in messenger.sent] == ["a", "b"]
    assert all(s.at >= start + timedelta(seconds=7) for s in messenger.sent)
    first = next(o for o in outcomes if o.delivery_id == 1)
    assert first.status == "sent" and first.attempts == 2


async def test_transient_errors_back_off_and_give_up_after_three_attempts(clock: FakeClock) -> None:
    messenger = RecordingMessenger("telegram", clock)
    messenger.script["flaky"] = [TransientDeliveryError("502")]
    messenger.script["down"] = [TransientDeliveryError("timeout")] * 5
    queue, outcomes = make_queue(messenger, clock)
    start = clock.now()
    put(queue, 1, "flaky")
    put(queue, 2, "down")
    await queue.drain()
    result = {o.delivery_id: o for o in outcomes}
    assert result[1].status == "sent" and result[1].attempts == 2
    assert result[2].status == "failed" and result[2].attempts == 3
    assert "timeout" in result[2].reason
    down_calls = [at for chat, at in messenger.calls if chat == "down"]
    gaps = [(b - a).total_seconds() for a, b in pairwise(down_calls)]
    assert gaps == [1.0, 2.0]  # exponential backoff
    assert clock.now() - start < timedelta(seconds=10)


async def test_unreachable_is_final(clock: FakeClock) -> None:
    messenger = RecordingMessenger("telegram", clock)
    messenger.refuse.add("blocked")
    queue, outcomes = make_queue(messenger, clock)
    put(queue, 1, "blocked")
    await queue.drain()
    assert len(messenger.calls) == 1
    assert outcomes[0].status == "unreachable" and outcomes[0].attempts == 1


async def test_background_worker_sends_and_stops(clock: FakeClock) -> None:
    import asyncio

    messenger = RecordingMessenger("console", clock)
    queue, outcomes = make_queue(messenger, clock)
    queue.start()
    put(queue, 1, "me")
    for _ in range(20):
        await asyncio.sleep(0)
        if outcomes:
            break
    await queue.stop()
    assert [s.reply.text for s in messenger.sent] == ["m1"]
