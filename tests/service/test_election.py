"""One active holder per lock across processes; a standby takes over when the holder dies."""

from __future__ import annotations

import asyncio

from bot.storage.database import Database
from bot.storage.leases import CHECK_SECONDS, Election
from tests.databases import postgres_url
from tests.service.partition import Partition
from tests.service.processes import cut_off


async def _two(url: str) -> tuple[Database, Database]:
    first, second = Database(url), Database(url)
    await first.open(migrate=False)
    await second.open(migrate=False)
    return first, second


async def test_one_holder_and_a_takeover_when_its_session_ends() -> None:
    url = await postgres_url()
    first_db, second_db = await _two(url)
    first = Election(first_db, ["telegram:1", "scheduler"])
    second = Election(second_db, ["telegram:1", "scheduler"])
    try:
        assert sorted((await first.poll()).gained) == ["scheduler", "telegram:1"]
        assert (await second.poll()).gained == []  # standing by
        assert (await first.poll()).gained == []  # still held, not taken twice
        assert await cut_off(url, "telegram:1") == 1  # its socket closes, as when killed
        assert sorted((await second.poll()).gained) == ["scheduler", "telegram:1"]
        assert sorted((await first.poll()).lost) == ["scheduler", "telegram:1"]
        assert (await first.poll()).gained == []  # back, but standing by now
    finally:
        await first.close()
        await second.close()
        await first_db.close()
        await second_db.close()


async def test_a_holder_cut_off_from_the_database_gives_its_locks_up_within_the_bound() -> None:
    url = await postgres_url()
    async with Partition(url) as partition:
        first_db, second_db = await _two(partition.url)
        second_db = Database(url)  # the standby reaches the server directly
        await second_db.open(migrate=False)
        first = Election(first_db, ["telegram:1"])
        second = Election(second_db, ["telegram:1"])
        loop = asyncio.get_running_loop()
        try:
            assert (await first.poll()).gained == ["telegram:1"]
            partition.freeze()  # no answer, no closed socket
            began = loop.time()
            lost = await asyncio.wait_for(first.poll(), 30)  # not the minutes TCP would take
            assert lost.lost == ["telegram:1"]
            assert loop.time() - began < 2 * CHECK_SECONDS + 1  # the round, then the drop
            assert not first.holds("telegram:1")
            assert (await second.poll()).gained == []  # the server still sees the session
            partition.end_sessions()  # once the server lets go, the standby takes over
            for _ in range(50):
                if (await second.poll()).gained:
                    break
                await asyncio.sleep(0.1)
            assert second.holds("telegram:1")
        finally:
            await second.close()
            await second_db.close()
            await asyncio.wait_for(first_db.close(), 10)
