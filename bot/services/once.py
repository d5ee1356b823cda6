"""Once per message: a command with no natural key of its own (/undo, /delete) acts once,
however often a platform delivers the same message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.storage.database import Database

ALREADY_DONE = "Already done: I handled that message before."


class OncePerMessage:
    """Claims a platform message before acting on it, and remembers the answer."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def run(
        self, key: str, user_id: int, now: datetime, act: Callable[[], Awaitable[str]]
    ) -> str:
        """``act`` once for ``key``; a copy gets the first answer again (or says it was done).

        The claim is committed before acting, so a copy arriving meanwhile (or after a
        crash mid-way) finds it and does nothing a second time; a failed act gives it back.
        """
        async with self.db.uow() as uow:
            claimed = await uow.activity.claim_message(key, user_id, now)
            earlier = None if claimed else await uow.activity.handled_reply(key)
            await uow.commit()
        if not claimed:
            return earlier or ALREADY_DONE
        try:
            answer = await act()
        except BaseException:
            async with self.db.uow() as uow:
                await uow.activity.release_message(key)
                await uow.commit()
            raise
        async with self.db.uow() as uow:
            await uow.activity.remember_reply(key, answer)
            await uow.commit()
        return answer
