"""Several bot processes on one PostgreSQL database share the sweep: each message goes once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.budget import Place
from bot.clock import FakeClock
from bot.delivery.sweep import Sweeper, SweepSettings
from bot.messages import Reply
from bot.ports import Messenger
from bot.storage.database import Database
from bot.storage.deliveries import Delivery, NewDelivery, chat_target
from bot.storage.uow import UnitOfWork
from tests.databases import empty_postgres, postgres_url

POSTS = 10_000


class Posts:
    """A source of already-planned group posts (as club posts will be)."""

    kinds = frozenset({"club_post"})

    async def materialize(self, uow: UnitOfWork, now: datetime, limit: int) -> tuple[int, bool]:
        """Nothing to write: the rows were planned ahead."""
        return 0, False

    async def render(
        self, uow: UnitOfWork, items: Sequence[Delivery], now: datetime
    ) -> dict[int, Reply | str]:
        """The post is its payload."""
        return {i.id: Reply(i.payload) for i in items}


class Recorder:
    """A messenger with no rate limit that records each post it makes."""

    platform = "console"

    def __init__(self) -> None:
        self.posted: list[str] = []

    async def send_direct(
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Not used here."""
        raise AssertionError("group posts only")

    async def send_group(
        self,
        chat_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Record the post, after giving the other process a chance to run."""
        await asyncio.sleep(0)
        self.posted.append(reply.text)


def _only(recorder: Recorder) -> Callable[[], Mapping[str, Messenger]]:
    return lambda: {"console": recorder}


async def test_two_processes_send_each_of_10000_due_posts_exactly_once() -> None:
    url = await postgres_url()
    clock = FakeClock()
    first = await empty_postgres(url)
    second = Database(url)
    await second.open(migrate=False)
    try:
        async with first.uow() as uow:
            await uow.deliveries.add_many(
                [
                    NewDelivery(
                        target=chat_target("console", f"chat{i}"),
                        kind="club_post",
                        occurrence="2026-11-26",
                        due_at=clock.now(),
                        platform="console",
                        chat_id=f"chat{i}",
                        payload=f"post {i}",
                    )
                    for i in range(POSTS)
                ]
            )
            await uow.commit()
        recorders = [Recorder(), Recorder()]
        settings = SweepSettings(horizon_seconds=1.0)
        sweepers = [
            Sweeper(db, clock, _only(recorder), [Posts()], settings)
            for db, recorder in zip((first, second), recorders, strict=True)
        ]
        for _ in range(50):  # bounded: each round claims up to the queue's budget
            await asyncio.gather(*(s.sweep() for s in sweepers))
            await asyncio.gather(*(s.drain() for s in sweepers))
            async with first.reader() as uow:
                if (await uow.deliveries.counts()).get("sent", 0) == POSTS:
                    break
        posted = Counter(recorders[0].posted + recorders[1].posted)
        assert len(posted) == POSTS  # none lost
        assert max(posted.values()) == 1  # none twice
        assert recorders[0].posted and recorders[1].posted  # both processes took a share
        async with first.reader() as uow:
            assert await uow.deliveries.counts() == {"sent": POSTS}
    finally:
        await first.close()
        await second.close()


class Planner:
    """The scheduler process's source: writes ``count`` posts due now when swept."""

    kinds = frozenset({"club_post"})

    def __init__(self, count: int) -> None:
        self.count = count

    async def materialize(self, uow: UnitOfWork, now: datetime, limit: int) -> tuple[int, bool]:
        """Write the posts once."""
        count, self.count = self.count, 0
        await uow.deliveries.add_many(
            [
                NewDelivery(
                    target=chat_target("console", f"chat{i}"),
                    kind="club_post",
                    occurrence="2026-11-26",
                    due_at=now,
                    platform="console",
                    chat_id=f"chat{i}",
                    payload=f"post {i}",
                )
                for i in range(count)
            ]
        )
        return count, False

    async def render(
        self, uow: UnitOfWork, items: Sequence[Delivery], now: datetime
    ) -> dict[int, Reply | str]:
        """Not asked: this process sends nothing."""
        raise AssertionError("the scheduler process does not send")


class Jobs:
    """Stands in for APScheduler: keeps each job so the test can run it."""

    def __init__(self) -> None:
        self.jobs: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {}

    def add_job(self, func: Callable[..., Any], trigger: str, **kwargs: Any) -> None:
        """Keep the job by its id."""
        self.jobs[kwargs["id"]] = (func, kwargs)


async def test_what_the_scheduler_process_writes_goes_out_before_the_senders_next_sweep() -> None:
    url = await postgres_url()
    clock = FakeClock()
    first = await empty_postgres(url)
    second = Database(url)
    await second.open(migrate=False)
    recorder = Recorder()
    sender = Sweeper(second, clock, _only(recorder), [Posts()], SweepSettings(sweep_seconds=5))
    sender.scheduling = False
    scheduler = Sweeper(first, clock, dict, [Planner(3)], SweepSettings(sweep_seconds=5))
    scheduler.senders = set()
    jobs = Jobs()
    try:
        sender.start(jobs)
        # The due mark: the sender's sweep runs a moment before the scheduler's batch.
        assert (await sender.sweep()).claimed == 0
        assert (await scheduler.sweep()).written == 3
        claim, settings = jobs.jobs["delivery-claim"]
        assert settings["seconds"] == 1.0  # well before the sender's next sweep, 5 s on
        assert await claim() == 3
        await sender.drain()
        assert sorted(recorder.posted) == ["post 0", "post 1", "post 2"]
        async with first.reader() as uow:
            assert await uow.deliveries.counts() == {"sent": 3}
    finally:
        await sender.stop()
        await first.close()
        await second.close()
