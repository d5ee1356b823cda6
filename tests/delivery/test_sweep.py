"""The sweep around the queue: its own claims outlive the lease, a stop mid-retry loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from bot.bootstrap import build_core
from bot.budget import Place
from bot.clock import FakeClock
from bot.core.dispatch import Core
from bot.delivery.sweep import Sweeper, SweepSettings
from bot.messages import Reply
from bot.ports import RateLimited
from bot.storage.database import Database
from bot.storage.deliveries import Delivery, NewDelivery
from bot.storage.uow import UnitOfWork


class Telegram:
    """Records direct messages; the first ``limited`` calls answer 429."""

    platform = "telegram"

    def __init__(self, limited: int = 0) -> None:
        self.sent: list[str] = []
        self.limited = limited
        self.answered_429 = asyncio.Event()

    async def send_direct(
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Send, or answer 429 while told to."""
        if self.limited:
            self.limited -= 1
            self.answered_429.set()
            raise RateLimited(60.0)
        assert dedupe_key is not None
        self.sent.append(dedupe_key)

    async def send_group(
        self,
        chat_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Not used here."""
        raise AssertionError("direct messages only")


class Jobs:
    """Stands in for APScheduler: the sweep is called by the test."""

    def add_job(self, func: Callable[..., Any], trigger: str, **kwargs: Any) -> None:
        """Nothing to schedule."""


async def _five_due(db: Database, clock: FakeClock, telegram: Telegram, sleep: Any) -> Core:
    core = build_core(db, clock, sleep=sleep)
    core.messengers["telegram"] = telegram
    async with db.uow() as uow:
        await uow.runners.create("telegram", "4242", "Ana", clock.now())
        await uow.commit()
    user = (await core.accounts.identify("telegram", "4242", "Ana")).user
    await core.services.nudge_answers.send_test(user.id)  # five nudges due now
    return core


def _moving(clock: FakeClock) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    return sleep


async def test_claims_still_queued_past_the_lease_are_not_taken_back_and_sent_twice(
    db: Database, clock: FakeClock
) -> None:
    telegram = Telegram()
    core = await _five_due(db, clock, telegram, _moving(clock))
    report = await core.sweeper.sweep()
    assert report.claimed == 5  # queued, not sent yet (nobody drained)
    clock.advance(seconds=130)  # longer than the 120-second lease
    again = await core.sweeper.sweep()
    assert again.recovered == 0 and again.claimed == 0
    await core.sweeper.drain()
    assert len(telegram.sent) == 5 and max(Counter(telegram.sent).values()) == 1


async def test_a_stop_while_waiting_out_a_429_puts_the_messages_back_to_due(
    db: Database, clock: FakeClock
) -> None:
    telegram = Telegram(limited=1)
    core = await _five_due(db, clock, telegram, asyncio.sleep)  # the 429 wait is real time
    core.sweeper.start(Jobs())
    await core.sweeper.sweep()
    await asyncio.wait_for(telegram.answered_429.wait(), 5)
    released = await core.sweeper.stop()
    async with db.reader() as uow:
        states = await uow.deliveries.counts()
    assert released == 5 and states == {"due": 5} and telegram.sent == []


class Burst:
    """A source with ``total`` messages due now, written ``limit`` rows at a time."""

    kinds = frozenset({"burst"})

    def __init__(self, total: int, events: list[str], sent: asyncio.Event | None = None) -> None:
        self.total = total
        self.written = 0
        self.events = events
        self.sent = sent

    async def materialize(self, uow: UnitOfWork, now: datetime, limit: int) -> tuple[int, bool]:
        """Write the next batch of rows.

        With ``sent``, on PostgreSQL (where a send's writes never wait for a batch's),
        a later batch first gives the first send a few seconds to happen: the two tasks
        then meet in the same order however busy the host. A sweep that claimed nothing
        before writing everything would still be caught: no send could come meanwhile.
        """
        if self.sent is not None and self.written and uow.dialect != "sqlite":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.sent.wait(), 5)
        count = min(limit, self.total - self.written)
        await uow.deliveries.add_many(
            [
                NewDelivery(
                    f"user:{n}", "burst", "1", now, platform="telegram", chat_id=f"{9000 + n}"
                )
                for n in range(self.written, self.written + count)
            ]
        )
        self.written += count
        self.events.append(f"wrote {self.written}")
        return count, self.written < self.total

    async def render(
        self, uow: UnitOfWork, items: Sequence[Delivery], now: datetime
    ) -> dict[int, Reply | str]:
        """The same words for everyone."""
        return {item.id: Reply("Time to run") for item in items}


class Recording(Telegram):
    """Notes each message among the source's batches."""

    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self.events = events
        self.went_out = asyncio.Event()  # the first message was sent

    async def send_direct(
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Send, noting when."""
        self.events.append("sent")
        self.went_out.set()
        await super().send_direct(platform_user_id, reply, dedupe_key=dedupe_key, place=place)


async def test_a_burst_starts_going_out_while_the_rest_is_still_written(
    db: Database, clock: FakeClock
) -> None:
    events: list[str] = []
    telegram = Recording(events)
    sweeper = Sweeper(
        db,
        clock,
        lambda: {"telegram": telegram},
        [Burst(500, events, telegram.went_out)],
        SweepSettings(batch=100),
    )
    sweeper.start(Jobs())
    report = await sweeper.sweep()
    await sweeper.stop()
    assert report.written == 500
    assert events.index("sent") < events.index("wrote 500")  # not after everything is written
    assert events.index("wrote 100") < events.index("sent")
