"""One active holder per lock across processes; a standby takes over when the holder dies."""

from __future__ import annotations

from bot.storage.database import Database
from bot.storage.leases import Election
from tests.databases import postgres_url
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
