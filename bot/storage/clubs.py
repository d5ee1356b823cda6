"""Clubs, their challenges, members and frozen results (the board's statements: ``boards.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Board, Challenge, Club, Standing
from bot.storage.boards import BOARD_STATEMENTS, ranking_statement, ranks_ascending
from bot.storage.challenge_counts import ChallengeCounts
from bot.storage.sql import insert
from bot.storage.tables import (
    challenge_members,
    challenge_results,
    challenges,
    clubs,
    users,
)

_C = challenges.c
_M = challenge_members.c
_R = challenge_results.c
CLUB_FIELDS = tuple(f for f in Club.__dataclass_fields__)


def club_from(row: Any) -> Club:
    """A club from a ``clubs`` row."""
    m = row._mapping
    return Club(**{f: m[f] for f in CLUB_FIELDS})


def challenge_from(row: Any) -> Challenge:
    """A challenge from a ``challenges`` row."""
    m = row._mapping
    return Challenge(
        id=m["id"],
        club_id=m["club_id"],
        name=m["name"],
        metric=m["metric"],
        start=m["start_date"],
        end=m["end_date"],
        target=m["target"],
        team=bool(m["team"]),
        channel=m["channel"],
        ended_at=m["ended_at"],
        frozen_at=m["frozen_at"],
        created_at=m["created_at"],
        effort_m=m["effort_m"],
        day_min_m=m["day_min_m"],
        planned_end=m["planned_end"],
        posted_board=m["posted_board"],
    )


class ClubRepository:
    """Clubs and challenges, bound to one unit of work's connection."""

    def __init__(self, conn: AsyncConnection, dialect: str, counts: ChallengeCounts) -> None:
        self.conn = conn
        self.dialect = dialect
        # Joins, leaves and window changes tell it first; boards read after its recount.
        self.counts = counts

    # --- clubs --------------------------------------------------------------------------

    async def club(self, platform: str, chat_id: str) -> Club | None:
        """The club of a server or group, if it was used before."""
        row = (
            await self.conn.execute(
                select(clubs).where(clubs.c.platform == platform, clubs.c.chat_id == chat_id)
            )
        ).first()
        return None if row is None else club_from(row)

    async def club_by_id(self, club_id: int) -> Club | None:
        """One club by id."""
        row = (await self.conn.execute(select(clubs).where(clubs.c.id == club_id))).first()
        return None if row is None else club_from(row)

    async def ensure_club(self, platform: str, chat_id: str, name: str, now: datetime) -> Club:
        """The club of a server or group, created on first use."""
        await self.conn.execute(
            insert(self.dialect, clubs)
            .values(platform=platform, chat_id=chat_id, name=name, created_at=now)
            .on_conflict_do_nothing(index_elements=[clubs.c.platform, clubs.c.chat_id])
        )
        club = await self.club(platform, chat_id)
        assert club is not None
        if name and club.name != name:
            await self.update_club(club.id, name=name)
            club = await self.club(platform, chat_id)
            assert club is not None
        return club

    async def update_club(self, club_id: int, **values: Any) -> None:
        """Change a club's settings."""
        await self.conn.execute(update(clubs).where(clubs.c.id == club_id).values(**values))

    async def pause_posts(self, platform: str, chat_id: str, now: datetime, reason: str) -> int:
        """Pause the posts of every club that posts to this chat; how many clubs."""
        posting_there = select(_C.club_id).where(_C.channel == chat_id)
        stmt = (
            update(clubs)
            .where(
                clubs.c.platform == platform,
                clubs.c.posts_paused_at.is_(None),
                or_(
                    clubs.c.chat_id == chat_id,
                    clubs.c.post_channel == chat_id,
                    and_(clubs.c.post_channel.is_(None), clubs.c.id.in_(posting_there)),
                ),
            )
            .values(posts_paused_at=now, paused_reason=reason)
        )
        return (await self.conn.execute(stmt)).rowcount

    # --- challenges -----------------------------------------------------------------------

    async def add_challenge(self, challenge: Challenge, now: datetime) -> Challenge:
        """Store a new challenge."""
        new_id = await self.conn.scalar(
            insert(self.dialect, challenges)
            .values(
                club_id=challenge.club_id,
                name=challenge.name,
                metric=challenge.metric,
                start_date=challenge.start,
                end_date=challenge.end,
                target=challenge.target,
                team=challenge.team,
                channel=challenge.channel,
                created_at=now,
                effort_m=challenge.effort_m,
                day_min_m=challenge.day_min_m,
            )
            .returning(_C.id)
        )
        stored = await self.challenge(int(new_id))
        assert stored is not None
        return stored

    async def challenge(self, challenge_id: int) -> Challenge | None:
        """One challenge by id."""
        row = (await self.conn.execute(select(challenges).where(_C.id == challenge_id))).first()
        return None if row is None else challenge_from(row)

    async def club_challenges(self, club_id: int, ended_since: date) -> list[Challenge]:
        """A club's challenges ending on or after a date, soonest end first."""
        stmt = (
            select(challenges)
            .where(_C.club_id == club_id, _C.end_date >= ended_since)
            .order_by(_C.end_date, _C.id)
        )
        return [challenge_from(r) for r in await self.conn.execute(stmt)]

    async def open_challenges(self, frozen_since: datetime) -> list[tuple[Challenge, Club]]:
        """Challenges not frozen yet, or frozen since an instant, with their clubs."""
        stmt = (
            select(challenges, *[clubs.c[f].label(f"club__{f}") for f in CLUB_FIELDS])
            .join(clubs, clubs.c.id == _C.club_id)
            .where(or_(_C.frozen_at.is_(None), _C.frozen_at >= frozen_since))
            .order_by(_C.id)
        )
        out = []
        for row in await self.conn.execute(stmt):
            m = row._mapping
            club = Club(**{f: m[f"club__{f}"] for f in CLUB_FIELDS})
            out.append((challenge_from(row), club))
        return out

    async def update_challenge(self, challenge_id: int, **values: Any) -> None:
        """Change a challenge's kept columns (its planned end, the last board posted)."""
        await self.conn.execute(update(challenges).where(_C.id == challenge_id).values(**values))

    async def end_challenge(self, challenge_id: int, last_day: date, now: datetime) -> None:
        """End a challenge early: ``last_day`` is the last day counted."""
        self.counts.challenge_changed(challenge_id)
        await self.conn.execute(
            update(challenges).where(_C.id == challenge_id).values(end_date=last_day, ended_at=now)
        )

    # --- members --------------------------------------------------------------------------

    async def join(
        self, challenge_id: int, user_id: int, now: datetime, counts_until: date
    ) -> bool:
        """Add a member; False when they already were one.

        ``counts_until``: the last day the challenge counts a log (in any zone), kept
        on the runner so ``/log`` skips looking for standings once all are over.
        """
        await self.counts.runner_changed(user_id, membership=True)
        result = await self.conn.execute(
            insert(self.dialect, challenge_members)
            .values(challenge_id=challenge_id, user_id=user_id, joined_at=now)
            .on_conflict_do_nothing(index_elements=[_M.challenge_id, _M.user_id])
        )
        if result.rowcount != 1:
            return False
        await self.conn.execute(
            update(users)
            .where(
                users.c.id == user_id,
                or_(users.c.challenges_until.is_(None), users.c.challenges_until < counts_until),
            )
            .values(challenges_until=counts_until)
        )
        return True

    async def leave(self, challenge_id: int, user_id: int) -> bool:
        """Remove a member; False when they were not one."""
        await self.counts.runner_changed(user_id, membership=True)
        result = await self.conn.execute(
            delete(challenge_members).where(_M.challenge_id == challenge_id, _M.user_id == user_id)
        )
        return bool(result.rowcount == 1)

    async def joined(self, user_id: int) -> list[tuple[Challenge, Club]]:
        """The open (not frozen) challenges a runner is in, with their clubs."""
        stmt = (
            select(challenges, *[clubs.c[f].label(f"club__{f}") for f in CLUB_FIELDS])
            .join(clubs, clubs.c.id == _C.club_id)
            .join(challenge_members, _M.challenge_id == _C.id)
            .where(_M.user_id == user_id, _C.frozen_at.is_(None))
            .order_by(_C.end_date, _C.id)
        )
        out = []
        for row in await self.conn.execute(stmt):
            m = row._mapping
            out.append((challenge_from(row), Club(**{f: m[f"club__{f}"] for f in CLUB_FIELDS})))
        return out

    async def is_member(self, challenge_id: int, user_id: int) -> bool:
        """Whether a runner is in a challenge."""
        found = await self.conn.scalar(
            select(_M.user_id).where(_M.challenge_id == challenge_id, _M.user_id == user_id)
        )
        return found is not None

    # --- boards ---------------------------------------------------------------------------

    async def board(self, challenge: Challenge, viewer: int | None, top: int = 10) -> Board:
        """The live board (from the kept tallies, recounted first), or the frozen one."""
        await self.counts.recount()
        if challenge.frozen_at is not None:
            return await self._frozen(challenge, viewer, top)
        params = {"challenge_id": challenge.id, "viewer": viewer, "top": top}
        return await self._live(challenge, BOARD_STATEMENTS[ranks_ascending(challenge)], params)

    async def ranking(self, challenge: Challenge) -> Board:
        """Every member of a challenge, ranked as on its live board."""
        await self.counts.recount()
        return await self._live(challenge, ranking_statement(challenge))

    async def _live(
        self, challenge: Challenge, statement: Select[Any], params: dict[str, Any] | None = None
    ) -> Board:
        rows = (await self.conn.execute(statement, params)).all()
        standings = tuple(
            Standing(
                rank=int(r.rank),
                position=int(r.position),
                user_id=int(r.user_id),
                name=r.display_name,
                value=float(r.value),
                hidden=bool(r.boards_hidden),
            )
            for r in rows
        )
        members = int(rows[0].members) if rows else 0
        total = float(rows[0].total) if rows else 0.0
        return Board(challenge, standings, members, total)

    async def _frozen(self, challenge: Challenge, viewer: int | None, top: int) -> Board:
        keep = _R.position <= top
        if viewer is not None:
            keep = or_(keep, _R.user_id == viewer)
        # Hidden as the runner chooses now, as on live boards (not as at the freeze).
        stmt = (
            select(challenge_results, users.c.boards_hidden)
            .select_from(challenge_results.outerjoin(users, users.c.id == _R.user_id))
            .where(_R.challenge_id == challenge.id, keep)
            .order_by(_R.position)
        )
        rows = (await self.conn.execute(stmt)).all()
        totals = (
            await self.conn.execute(
                select(func.count(), func.coalesce(func.sum(_R.value), 0.0)).where(
                    _R.challenge_id == challenge.id
                )
            )
        ).one()
        standings = tuple(
            Standing(
                r.rank,
                r.position,
                r.user_id,
                r.display_name,
                float(r.value),
                hidden=bool(r.boards_hidden),
            )
            for r in rows
        )
        return Board(challenge, standings, int(totals[0]), float(totals[1]), frozen=True)

    async def freeze(self, challenge: Challenge, now: datetime) -> bool:
        """Store the final standings once; False when they were stored before."""
        await self.counts.recount()  # while the challenge is still open
        claimed = await self.conn.execute(
            update(challenges)
            .where(_C.id == challenge.id, _C.frozen_at.is_(None))
            .values(frozen_at=now)
        )
        if claimed.rowcount != 1:
            return False
        board = await self.ranking(challenge)
        rows: Sequence[dict[str, Any]] = [
            {
                "challenge_id": challenge.id,
                "rank": s.rank,
                "position": s.position,
                "user_id": s.user_id,
                "display_name": s.name,
                "value": s.value,
            }
            for s in board.rows
        ]
        if rows:
            await self.conn.execute(insert(self.dialect, challenge_results), list(rows))
        return True
