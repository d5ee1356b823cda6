"""A club's members, the runs their feed posts, and the 👏 kudos given under runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Club, Run
from bot.storage.sql import insert, run_from
from bot.storage.tables import club_members, clubs, run_kudos, runs, users

_K = run_kudos.c
_CM = club_members.c
CLUB_FIELDS = tuple(f for f in Club.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class CheeredRun:
    """A run and how many members cheered it."""

    run: Run
    runner: str
    hidden: bool
    cheers: int


class ClubFeedRepository:
    """Club membership, feeds and kudos, bound to one unit of work's connection."""

    def __init__(self, conn: AsyncConnection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    async def add_member(self, club_id: int, user_id: int, now: datetime) -> None:
        """Record that a runner takes part in a club (once)."""
        await self.conn.execute(
            insert(self.dialect, club_members)
            .values(club_id=club_id, user_id=user_id, joined_at=now)
            .on_conflict_do_nothing(index_elements=[_CM.club_id, _CM.user_id])
        )

    async def is_member(self, club_id: int, user_id: int) -> bool:
        """Whether a runner takes part in a club."""
        found = await self.conn.scalar(
            select(_CM.user_id).where(_CM.club_id == club_id, _CM.user_id == user_id)
        )
        return found is not None

    async def feed_clubs(self, user_id: int) -> list[Club]:
        """The clubs of a runner whose feed is on and whose posts are not paused."""
        stmt = (
            select(clubs)
            .join(club_members, _CM.club_id == clubs.c.id)
            .where(_CM.user_id == user_id, clubs.c.feed, clubs.c.posts_paused_at.is_(None))
            .order_by(clubs.c.id)
        )
        rows = await self.conn.execute(stmt)
        return [Club(**{f: r._mapping[f] for f in CLUB_FIELDS}) for r in rows]

    async def run_with_runner(self, run_id: int) -> tuple[Run, str, bool] | None:
        """A run, its runner's name and whether they hide their name on boards."""
        row = (
            await self.conn.execute(
                select(runs, users.c.display_name.label("runner"), users.c.boards_hidden)
                .join(users, users.c.id == runs.c.user_id)
                .where(runs.c.id == run_id)
            )
        ).first()
        if row is None:
            return None
        return run_from(row), str(row.runner), bool(row.boards_hidden)

    async def give_kudos(self, run_id: int, user_id: int, club_id: int, now: datetime) -> bool:
        """One 👏 from a member under a run; False when they gave it before."""
        result = await self.conn.execute(
            insert(self.dialect, run_kudos)
            .values(run_id=run_id, user_id=user_id, club_id=club_id, created_at=now)
            .on_conflict_do_nothing(index_elements=[_K.run_id, _K.user_id])
        )
        return bool(result.rowcount == 1)

    async def kudos_count(self, run_id: int) -> int:
        """How many members cheered a run."""
        return int(await self.conn.scalar(select(func.count()).where(_K.run_id == run_id)) or 0)

    async def cheered_by(self, user_id: int, first: date, last: date) -> list[str]:
        """Who cheered the runner's runs of those days, most cheers first (names once)."""
        stmt = (
            select(users.c.display_name, func.count().label("cheers"))
            .select_from(
                run_kudos.join(runs, runs.c.id == _K.run_id).join(users, users.c.id == _K.user_id)
            )
            .where(runs.c.user_id == user_id, runs.c.local_date.between(first, last))
            .group_by(users.c.id, users.c.display_name)
            .order_by(func.count().desc(), users.c.display_name)
        )
        return [str(r.display_name) or "a runner" for r in await self.conn.execute(stmt)]

    async def most_cheered(self, club_id: int, since: datetime) -> CheeredRun | None:
        """The club's run with the most cheers given since an instant (first cheered wins ties)."""
        counted = (
            select(
                _K.run_id,
                func.count().label("cheers"),
                func.min(_K.created_at).label("first"),
            )
            .where(_K.club_id == club_id, _K.created_at >= since)
            .group_by(_K.run_id)
            .subquery("counted")
        )
        row = (
            await self.conn.execute(
                select(
                    runs,
                    counted.c.cheers,
                    users.c.display_name.label("runner"),
                    users.c.boards_hidden,
                )
                .join(counted, counted.c.run_id == runs.c.id)
                .join(users, users.c.id == runs.c.user_id)
                .order_by(counted.c.cheers.desc(), counted.c.first, runs.c.id)
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        return CheeredRun(run_from(row), str(row.runner), bool(row.boards_hidden), int(row.cheers))
