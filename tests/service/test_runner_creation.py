"""Two processes creating one runner at the same instant: one runner, no error."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.storage.database import Database
from tests.databases import empty_postgres, postgres_url

ROUNDS = 10


async def _create(db: Database, gate: asyncio.Event, chat: str) -> None:
    async with db.uow() as uow:
        await gate.wait()
        await uow.runners.create("telegram", chat, "Ada", datetime.now(UTC))
        await uow.commit()


async def test_racing_creations_of_one_runner_make_one_and_both_succeed() -> None:
    url = await postgres_url()
    first = await empty_postgres(url)
    second = Database(url)
    await second.open(migrate=False)
    try:
        for n in range(ROUNDS):  # two processes, one new chat each round, at one instant
            gate = asyncio.Event()
            chat = str(424200 + n)
            tasks = [asyncio.create_task(_create(db, gate, chat)) for db in (first, second)]
            await asyncio.sleep(0.01)
            gate.set()
            await asyncio.gather(*tasks)  # neither raises a unique violation
        async with first.reader() as uow:
            found = await uow.runners.find("telegram", "424200")
            users = await uow.runners.count()
        assert found is not None and found.user.display_name == "Ada"
        assert users == ROUNDS  # no runner without an account left behind
    finally:
        await second.close()
        await first.close()
