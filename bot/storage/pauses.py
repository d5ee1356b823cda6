"""The windows of ``/pause <date> injured|ill|rest``: streaks neither grow nor break in them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import RestWindow
from bot.storage.sql import insert
from bot.storage.tables import streak_pauses

_P = streak_pauses.c


class PauseRepository:
    """A runner's rest windows, bound to one unit of work's connection."""

    def __init__(self, conn: AsyncConnection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    async def save(self, user_id: int, window: RestWindow) -> None:
        """Keep a window (a second pause begun the same day replaces the first)."""
        values = {"until": window.until, "reason": window.reason}
        await self.conn.execute(
            insert(self.dialect, streak_pauses)
            .values(user_id=user_id, since=window.since, **values)
            .on_conflict_do_update(index_elements=[_P.user_id, _P.since], set_=values)
        )

    async def end(self, user_id: int, since: date, until: date) -> None:
        """End the window begun on ``since`` early: streaks count again from ``until``."""
        await self.conn.execute(
            update(streak_pauses)
            .where(_P.user_id == user_id, _P.since == since, _P.until > until)
            .values(until=until)
        )

    async def windows(self, user_id: int, after: date) -> list[RestWindow]:
        """The runner's windows that end after a day, earliest first."""
        rows = await self.conn.execute(
            select(streak_pauses).where(_P.user_id == user_id, _P.until > after).order_by(_P.since)
        )
        return [RestWindow(r.since, r.until, r.reason) for r in rows]
