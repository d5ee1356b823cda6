"""Whether the database answers (for ``/readyz``)."""

from __future__ import annotations

from sqlalchemy import literal, select

from bot.storage.database import Database


async def ping(db: Database) -> None:
    """One trivial query; raises when the database does not answer."""
    async with db.engine.connect() as conn:
        await conn.scalar(select(literal(1)))
