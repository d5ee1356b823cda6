"""The outbound queue: limits as the receiver sees them, 429 storms, refusals, a clean stop."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from bot.budget import Place, RateLimits, SendBudget, limits_for
from bot.clock import FakeClock
from bot.delivery.outbound import NOT_TRIED, OutboundQueue, Outcome, Outgoing
from bot.messages import Reply
from bot.ports import DeliveryError, RateLimited, TransientDeliveryError, Unreachable

from . import VirtualTime


@dataclass(frozen=True)
class Request:
    """One request the fake platform accepted, with when it started, arrived and ended."""

    chat_id: str
    group: bool
    dedupe_key: str | None
    text: str
    start: datetime
    arrival: datetime
    end: datetime


@dataclass
class FakeMessenger:
    """A platform that records requests, takes time to answer and can be told to fail."""

    platform: str
    clock: FakeClock
    vt: VirtualTime
    latency: float = 0.0  # seconds from a request's start to its answer
    jitter: float = 0.0  # arrivals spread over [start, start + jitter], within the latency
    sent: list[Request] = field(default_factory=list)
    calls: list[tuple[str, datetime]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    # Errors to raise, in order, for a chat (then it succeeds).
    script: dict[str, list[Exception]] = field(default_factory=dict)
    refuse: set[str] = field(default_factory=set)
    storm_until: datetime | None = None  # every request before this is answered 429
    storm_retry_after: float = 5.0
    hang: asyncio.Event | None = None  # requests wait for this (a dead connection)

    async def send_direct(
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """A private message."""
        await self._send(platform_user_id, reply, dedupe_key, group=False)

    async def send_group(
        self,
        chat_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """A group post."""
        await self._send(chat_id, reply, dedupe_key, group=True)

    async def _send(self, chat_id: str, reply: Reply, key: str | None, *, group: bool) -> None:
        start = self.clock.now()
        self.calls.append((chat_id, start))
        self.events.append(f"request {key}")
        if self.hang is not None:
            await self.hang.wait()
        if chat_id in self.refuse:
            raise Unreachable("Forbidden: bot was blocked by the user")
        if self.storm_until is not None and start < self.storm_until:
            raise RateLimited(self.storm_retry_after)
        errors = self.script.get(chat_id)
        if errors:
            raise errors.pop(0)
        spread = (len(self.sent) * 7 % 11) / 10 * self.jitter
        if self.latency:
            await self.vt.sleep(self.latency)
        arrival = start + timedelta(seconds=spread)
        self.sent.append(Request(chat_id, group, key, reply.text, start, arrival, self.clock.now()))


@dataclass
class Harness:
    """A queue on a fake messenger, recording what the caller would write to the database."""

    clock: FakeClock
    vt: VirtualTime
    messenger: FakeMessenger
    budget: SendBudget
    queue: OutboundQueue
    outcomes: list[Outcome]
    taken_back: set[int]

    def put(
        self,
        delivery_id: int,
        chat: str,
        *,
        group: bool = False,
        deadline: datetime | None = None,
    ) -> Outgoing:
        item = Outgoing(
            delivery_id, chat, Reply(f"m{delivery_id}"), f"d-{delivery_id}", group, deadline
        )
        self.queue.put(item)
        return item

    def result(self) -> dict[int, Outcome]:
        return {o.delivery_id: o for o in self.outcomes}


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at Thursday 2026-11-26 12:00 UTC."""
    return FakeClock()


def harness(
    clock: FakeClock,
    platform: str = "telegram",
    *,
    limits: RateLimits | None = None,
    latency: float = 0.0,
    jitter: float = 0.0,
) -> Harness:
    vt = VirtualTime(clock)
    messenger = FakeMessenger(platform, clock, vt, latency=latency, jitter=jitter)
    budget = SendBudget(limits or limits_for(platform), clock, sleep=vt.sleep)
    outcomes: list[Outcome] = []
    taken_back: set[int] = set()  # records settled elsewhere meanwhile: not ours to send

    async def sending(item: Outgoing) -> bool:
        messenger.events.append(f"sending {item.dedupe_key}")
        return item.delivery_id not in taken_back

    async def record(outcome: Outcome) -> None:
        outcomes.append(outcome)

    queue = OutboundQueue(messenger, clock, budget, sending, record, sleep=vt.sleep)
    return Harness(clock, vt, messenger, budget, queue, outcomes, taken_back)


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


def place_rate(places: int, *, latency: float) -> float:
    """Sends a second when each place is held from its grant to a second after the response."""
    return places / (1.0 + latency)


async def test_10000_messages_never_exceed_30_in_any_second_as_received(clock: FakeClock) -> None:
    h = harness(clock, latency=0.25, jitter=0.025)
    for n in range(10_000):
        h.put(n, f"chat{n % 500}")  # 20 messages to each of 500 chats
    await h.vt.run(h.queue.drain())
    sent = h.messenger.sent
    assert len(sent) == 10_000 and all(o.status == "sent" for o in h.outcomes)
    assert max_in_window([r.arrival for r in sent]) <= 30
    assert max_in_window([r.start for r in sent]) <= 30
    elapsed = (max(r.start for r in sent) - min(r.start for r in sent)).total_seconds()
    # A place is free again a second after the response: 29 places (one kept for replies)
    # cycle every 1 s + latency.
    assert 9_999 / elapsed >= 0.95 * place_rate(29, latency=0.25)


async def test_telegram_per_chat_gap_and_fifo_apart_from_cooling_chats(clock: FakeClock) -> None:
    h = harness(clock, latency=0.3, jitter=0.3)
    for n in range(300, 305):
        h.put(n, "busy")  # five in a row to one chat: the others overtake them
    for n in range(300):
        h.put(n, f"chat{n % 100}")  # 3 messages to each of 100 chats
    await h.vt.run(h.queue.drain())
    sent = h.messenger.sent
    assert len(sent) == 305
    by_chat: dict[str, list[Request]] = {}
    for r in sent:
        by_chat.setdefault(r.chat_id, []).append(r)
    for requests in by_chat.values():
        assert [r.text for r in requests] == sorted(
            (r.text for r in requests), key=lambda t: int(t[1:])
        )
        for a, b in pairwise(requests):
            assert (b.start - a.end).total_seconds() >= 1.0
            assert (b.arrival - a.arrival).total_seconds() >= 1.0
    assert [r.text for r in sent[:3]] == ["m300", "m0", "m1"]
    elapsed = (sent[-1].start - sent[0].start).total_seconds()
    assert elapsed <= 305 / (0.95 * place_rate(29, latency=0.3)) + 1
    assert sorted(r.dedupe_key or "" for r in sent) == sorted(f"d-{n}" for n in range(305))


async def test_at_most_20_a_minute_to_one_group(clock: FakeClock) -> None:
    h = harness(clock, latency=0.2)
    for n in range(30):
        h.put(n, "-100777", group=True)
    h.put(99, "555")
    await h.vt.run(h.queue.drain())
    posts = [r for r in h.messenger.sent if r.chat_id == "-100777"]
    assert len(posts) == 30 and all(r.group for r in posts)
    assert max_in_window([r.end for r in posts], 60) <= 20
    assert max_in_window([r.start for r in posts], 60) <= 20
    assert next(r for r in h.messenger.sent if r.chat_id == "555").group is False


async def test_discord_50_a_second_and_no_per_chat_limit(clock: FakeClock) -> None:
    h = harness(clock, "discord", latency=0.1)
    for n in range(500):
        h.put(n, "same-user")
    await h.vt.run(h.queue.drain())
    assert len(h.messenger.sent) == 500
    assert max_in_window([r.start for r in h.messenger.sent]) <= 50
    elapsed = (h.messenger.sent[-1].start - h.messenger.sent[0].start).total_seconds()
    assert elapsed <= 499 / (0.95 * place_rate(49, latency=0.1))


async def test_an_urgent_reply_overtakes_queued_bulk(clock: FakeClock) -> None:
    h = harness(clock)
    for n in range(300):
        h.put(n, f"chat{n}")

    async def scenario() -> float:
        h.queue.start()
        await h.vt.sleep(2)
        asked = clock.now()
        async with h.budget.place("typing-user", urgent=True):
            waited = (clock.now() - asked).total_seconds()
        await h.queue.wait_idle()
        await h.queue.stop()
        return waited

    waited = await h.vt.run(scenario())
    assert waited <= 0.05  # one slot, not the ten seconds of bulk ahead of it


async def test_retry_after_holds_the_whole_queue(clock: FakeClock) -> None:
    h = harness(clock, limits=RateLimits(per_second=30, max_in_flight=1))
    h.messenger.script["a"] = [RateLimited(7.0)]
    start = clock.now()
    h.put(1, "a")
    h.put(2, "b")
    await h.vt.run(h.queue.drain())
    assert [r.chat_id for r in h.messenger.sent] == ["a", "b"]
    assert all(r.start >= start + timedelta(seconds=7) for r in h.messenger.sent)
    first = h.result()[1]
    assert first.status == "sent" and first.attempts == 2


async def test_a_20_second_429_storm_loses_nothing(clock: FakeClock) -> None:
    h = harness(clock, latency=0.1)
    start = clock.now()
    h.messenger.storm_until = start + timedelta(seconds=20)
    for n in range(200):
        h.put(n, f"chat{n}", deadline=start + timedelta(hours=2))
    await h.vt.run(h.queue.drain())
    result = h.result()
    assert len(result) == 200 and all(o.status == "sent" for o in result.values())
    assert all(r.start >= start + timedelta(seconds=20) for r in h.messenger.sent)
    storm = start + timedelta(seconds=20)
    assert len([at for _, at in h.messenger.calls if at < storm]) == 4  # one 429 per block


async def test_one_message_outlasts_a_429_storm(clock: FakeClock) -> None:
    h = harness(clock)
    start = clock.now()
    h.messenger.storm_until = start + timedelta(seconds=20)
    h.messenger.storm_retry_after = 1
    h.put(1, "a", deadline=start + timedelta(hours=2))
    await h.vt.run(h.queue.drain())
    outcome = h.result()[1]
    assert outcome.status == "sent" and outcome.attempts == 21  # no fixed retry count


async def test_429_past_the_deadline_expires(clock: FakeClock) -> None:
    h = harness(clock)
    start = clock.now()
    h.messenger.storm_until = start + timedelta(hours=1)
    h.put(1, "a", deadline=start + timedelta(seconds=12))
    h.put(2, "b", deadline=start + timedelta(hours=2))
    h.messenger.storm_retry_after = 5
    await h.vt.run(h.queue.drain(), limit=4 * 3600)
    result = h.result()
    assert result[1].status == "expired" and "rate limited" in result[1].reason
    assert result[1].attempts == 3  # at 0, 5 and 10 s; 15 s would be past the deadline
    assert result[2].status == "sent"


async def test_transient_errors_back_off_and_give_up_after_three_attempts(
    clock: FakeClock,
) -> None:
    h = harness(clock)
    h.messenger.script["flaky"] = [TransientDeliveryError("502")]
    h.messenger.script["down"] = [TransientDeliveryError("timeout")] * 5
    start = clock.now()
    h.put(1, "flaky")
    h.put(2, "down")
    await h.vt.run(h.queue.drain())
    result = h.result()
    assert result[1].status == "sent" and result[1].attempts == 2
    assert result[2].status == "failed" and result[2].attempts == 3
    assert "timeout" in result[2].reason
    down = [at for chat, at in h.messenger.calls if chat == "down"]
    assert [(b - a).total_seconds() for a, b in pairwise(down)] == [1.0, 2.0]
    assert clock.now() - start < timedelta(seconds=10)


async def test_transient_retries_stop_at_the_deadline(clock: FakeClock) -> None:
    h = harness(clock)
    h.messenger.script["down"] = [TransientDeliveryError("502")] * 5
    h.put(1, "down", deadline=clock.now() + timedelta(seconds=2))
    await h.vt.run(h.queue.drain())
    outcome = h.result()[1]
    assert outcome.status == "expired" and outcome.attempts == 2 and "502" in outcome.reason


async def test_a_refusal_drops_the_chats_other_messages_untried(clock: FakeClock) -> None:
    h = harness(clock)
    h.messenger.refuse.add("blocked")
    for n in range(1, 6):
        h.put(n, "blocked")
        h.put(10 + n, "fine")
    await h.vt.run(h.queue.drain())
    result = h.result()
    assert [c for c, _ in h.messenger.calls].count("blocked") == 1
    assert result[1].status == "unreachable" and result[1].attempts == 1
    for n in range(2, 6):
        assert result[n].status == "unreachable"
        assert result[n].attempts == 0 and result[n].reason == NOT_TRIED
    assert all(result[10 + n].status == "sent" for n in range(1, 6))
    assert "sending d-2" not in h.messenger.events  # never marked as being sent


async def test_a_refusal_also_drops_messages_already_waiting_for_a_slot(clock: FakeClock) -> None:
    h = harness(clock, "discord")  # no per-chat limit: several to one chat wait at once
    h.messenger.refuse.add("blocked")
    for n in range(1, 6):
        h.put(n, "blocked")
    await h.vt.run(h.queue.drain())
    result = h.result()
    assert len(h.messenger.calls) == 1
    assert [result[n].attempts for n in range(1, 6)] == [1, 0, 0, 0, 0]
    assert all(o.status == "unreachable" for o in result.values())


async def test_on_sending_comes_just_before_each_request(clock: FakeClock) -> None:
    h = harness(clock)
    h.messenger.script["x"] = [TransientDeliveryError("502")]
    h.put(1, "x")
    h.put(2, "y", deadline=clock.now() - timedelta(seconds=1))  # already too late
    await h.vt.run(h.queue.drain())
    assert h.messenger.events == [
        "sending d-1",
        "request d-1",
        "sending d-1",
        "request d-1",
    ]
    assert h.result()[2].status == "expired" and h.result()[2].attempts == 0


async def test_a_message_settled_elsewhere_meanwhile_is_not_sent(clock: FakeClock) -> None:
    """Its record was cancelled (a refused chat) or taken back by recovery: not ours."""
    h = harness(clock)
    h.taken_back.add(1)
    h.put(1, "x")
    h.put(2, "y")
    await h.vt.run(h.queue.drain())
    assert "request d-1" not in h.messenger.events and "request d-2" in h.messenger.events
    assert [o.delivery_id for o in h.outcomes if o.status != "dropped"] == [2]


async def test_messenger_bugs_and_failing_callbacks_are_logged_not_fatal(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness(clock)
    h.messenger.script["bug"] = [KeyError("oops")]
    h.messenger.script["bad"] = [DeliveryError("Bad Request: message is too long")]
    recorded: list[Outcome] = []

    async def flaky_record(outcome: Outcome) -> None:
        if outcome.delivery_id == 3:
            raise RuntimeError("database is locked")
        recorded.append(outcome)

    async def flaky_sending(item: Outgoing) -> bool:
        if item.delivery_id == 4:
            raise RuntimeError("database is locked")
        return True

    queue = OutboundQueue(
        h.messenger, clock, h.budget, flaky_sending, flaky_record, sleep=h.vt.sleep
    )
    for n, chat in enumerate(["bug", "bad", "ok3", "ok4", "ok5"], start=1):
        queue.put(Outgoing(n, chat, Reply(f"m{n}"), f"d-{n}"))

    async def scenario() -> None:
        queue.start()
        await queue.wait_idle()
        await queue.stop()

    with caplog.at_level(logging.INFO):
        await h.vt.run(scenario())
    result = {o.delivery_id: o for o in recorded}
    assert result[1].status == "failed" and result[1].reason == "error: KeyError"
    assert result[2].status == "failed" and "too long" in result[2].reason
    assert result[4].status == "sent" and result[5].status == "sent"
    assert [c for c, _ in h.messenger.calls].count("bad") == 1  # a plain refusal is not retried
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert any("KeyError" in str(r.exc_info) for r in tracebacks)
    assert any("outcome of delivery 3" in r.getMessage() for r in tracebacks)


async def test_stop_returns_untried_items_quietly(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness(clock, latency=0.2)
    for n in range(100):
        h.put(n, f"chat{n}")
    h.messenger.script["chat0"] = [TransientDeliveryError("502")]  # waits for its retry

    async def scenario() -> list[Outgoing]:
        h.queue.start()
        await h.vt.sleep(1.0)
        return await h.queue.stop()

    with caplog.at_level(logging.DEBUG):
        untried = await h.vt.run(scenario())
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    sent = {int((r.dedupe_key or "")[2:]) for r in h.messenger.sent}
    returned = {item.delivery_id for item in untried}
    assert 20 <= len(sent) <= 35
    assert sent.isdisjoint(returned) and sent | returned == set(range(100))
    assert next(i for i in untried if i.delivery_id == 0).attempts == 1
    assert all(item.attempts == 0 for item in untried if item.delivery_id != 0)
    assert {o.delivery_id for o in h.outcomes} == sent  # requests on the wire finished
    assert h.queue.size == 0 and h.queue.delivery_ids() == set()
    assert all(f"sending d-{n}" not in h.messenger.events for n in returned - {0})


async def test_stop_gives_up_on_a_request_that_hangs(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness(clock)
    h.messenger.hang = asyncio.Event()
    h.put(1, "a")
    h.put(2, "a")

    async def scenario() -> list[Outgoing]:
        h.queue.start()
        await h.vt.sleep(0.5)
        return await h.queue.stop(grace=0.05)

    untried = await h.vt.run(scenario())
    assert [i.delivery_id for i in untried] == [2]
    assert h.outcomes == []  # in doubt: neither sent nor failed
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_background_worker_sends_and_drain_waits_for_it(clock: FakeClock) -> None:
    h = harness(clock, "console")

    async def scenario() -> list[Outgoing]:
        h.queue.start()
        h.put(1, "me")
        await h.queue.drain()
        return await h.queue.stop()

    assert await h.vt.run(scenario()) == []
    assert [r.text for r in h.messenger.sent] == ["m1"]


async def test_capacity_is_the_budgets_minus_what_is_queued(clock: FakeClock) -> None:
    h = harness(clock)
    assert 140 <= h.queue.capacity(5) <= 150
    for n in range(100):
        h.put(n, f"c{n}")
    assert 40 <= h.queue.capacity(5) <= 50
    assert h.queue.size == 100 and h.queue.delivery_ids() == set(range(100))
    for n in range(100, 200):
        h.put(n, f"c{n}")
    assert h.queue.capacity(5) == 0
