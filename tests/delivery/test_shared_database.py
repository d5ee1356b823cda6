"""Several bot processes on one PostgreSQL database share the sweep: each message goes once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

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
