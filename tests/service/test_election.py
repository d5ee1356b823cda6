"""One active holder per lock across processes; a standby takes over when the holder dies."""

from __future__ import annotations

from sqlalchemy import text

from bot.leadership import Leadership, Post
from bot.storage.database import Database
from bot.storage.leases import Election
from tests.databases import postgres_url


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
        await _kill_sessions(second_db)  # the holder's socket closes, as when it is killed
        assert sorted((await second.poll()).gained) == ["scheduler", "telegram:1"]
        assert sorted((await first.poll()).lost) == ["scheduler", "telegram:1"]
        assert (await first.poll()).gained == []  # back, but standing by now
    finally:
        await first.close()
        await second.close()
        await first_db.close()
        await second_db.close()


async def _kill_sessions(db: Database) -> None:
    """End every other session holding an advisory lock (what a kill -9 does to its socket)."""
    async with db.engine.connect() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
            )
        )


async def test_a_released_lock_goes_to_the_standby_and_hooks_run_once() -> None:
    url = await postgres_url()
    first_db, second_db = await _two(url)
    seen: list[str] = []

    def post(who: str) -> Post:
        async def take() -> None:
            seen.append(f"{who} takes")

        async def leave() -> None:
            seen.append(f"{who} leaves")

        return Post("discord:9", "discord", take, leave)

    first = Leadership(Election(first_db, ["discord:9"]), [post("first")])
    second = Leadership(Election(second_db, ["discord:9"]), [post("second")])
    try:
        await first.tick()
        await second.tick()
        await first.tick()
        assert first.roles_held == {"discord"} and second.roles_held == set()
        assert second.roles_waiting == {"discord"}
        await first.close()  # a clean stop gives the lock up at once
        await second.tick()
        assert second.roles_held == {"discord"}
        assert seen == ["first takes", "second takes"]
    finally:
        await second.close()
        await first_db.close()
        await second_db.close()
