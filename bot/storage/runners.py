"""Runners: users with their nudge preferences, platform identities, link codes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Identity, NudgePrefs, User, WeekBlock
from bot.storage.challenge_counts import ChallengeCounts
from bot.storage.sql import PREF_FIELDS, identity_from, insert, user_from
from bot.storage.tables import (
    challenge_members,
    challenge_results,
    checkins,
    club_members,
    handled_messages,
    identities,
    link_codes,
    nudge_prefs,
    run_kudos,
    runs,
    streak_pauses,
    users,
)

_PREF_COLUMNS = [nudge_prefs.c[f] for f in PREF_FIELDS]
_USER_SELECT = select(
    users, nudge_prefs.c.user_id.label("prefs_user_id"), *_PREF_COLUMNS
).select_from(users.outerjoin(nudge_prefs, nudge_prefs.c.user_id == users.c.id))
_SETTABLE = frozenset(c.name for c in users.c) - {"id", "created_at"}


def _find_statement() -> Any:
    """Runner, preferences and account in one read; built once (the hot path of every message)."""
    other = identities.alias("other")
    refused = (
        select(other.c.user_id)
        .where(other.c.user_id == users.c.id, other.c.unreachable_since.is_not(None))
        .exists()
    )
    return (
        _USER_SELECT.add_columns(
            refused.label("any_refused"),
            identities.c.platform,
            identities.c.platform_user_id,
            identities.c.user_id,
            identities.c.display_name.label("identity_name"),
            identities.c.unreachable_since,
            identities.c.unreachable_told,
            identities.c.last_seen_at,
        )
        .join_from(users, identities, identities.c.user_id == users.c.id)
        .where(
            identities.c.platform == bindparam("f_platform"),
            identities.c.platform_user_id == bindparam("f_pid"),
        )
    )


_FIND = _find_statement()
# Last-seen times, written behind in one batch (every sweep).
_TOUCH = (
    update(identities)
    .where(
        identities.c.platform == bindparam("b_platform"),
        identities.c.platform_user_id == bindparam("b_pid"),
    )
    .values(
        last_seen_at=bindparam("b_when"),
        display_name=func.coalesce(func.nullif(bindparam("b_name"), ""), identities.c.display_name),
    )
)


@dataclass(frozen=True, slots=True)
class Account:
    """Who wrote: the runner, the account, and whether any of their accounts refuses DMs."""

    user: User
    identity: Identity
    any_refused: bool = False


class RunnerRepository:
    """Queries about runners, bound to one unit of work's connection."""

    def __init__(self, conn: AsyncConnection, dialect: str, counts: ChallengeCounts) -> None:
        self.conn = conn
        self.dialect = dialect
        self.counts = counts  # a merge moves runs and memberships: it tells it first

    async def find(self, platform: str, platform_user_id: str) -> Account | None:
        """The runner behind a platform account, in one read (None when unknown)."""
        found = await self.conn.execute(_FIND, {"f_platform": platform, "f_pid": platform_user_id})
        row = found.first()
        if row is None:
            return None
        return Account(user_from(row), identity_from(row), bool(row.any_refused))

    async def create(
        self, platform: str, platform_user_id: str, display_name: str, now: datetime
    ) -> None:
        """A new runner with one identity (nothing when the identity exists already)."""
        exists = await self.conn.scalar(
            select(identities.c.user_id).where(
                identities.c.platform == platform,
                identities.c.platform_user_id == platform_user_id,
            )
        )
        if exists is not None:
            return
        user_id = await self.conn.scalar(
            users.insert().values(display_name=display_name, created_at=now).returning(users.c.id)
        )
        # Another process may create the same runner meanwhile (two updates of one chat):
        # the identity's key decides, and the loser's new user row goes again.
        taken = await self.conn.scalar(
            insert(self.dialect, identities)
            .values(
                platform=platform,
                platform_user_id=platform_user_id,
                user_id=user_id,
                display_name=display_name,
                last_seen_at=now,
            )
            .on_conflict_do_nothing(
                index_elements=[identities.c.platform, identities.c.platform_user_id]
            )
            .returning(identities.c.user_id)
        )
        if taken is None:
            await self.conn.execute(delete(users).where(users.c.id == user_id))

    async def touch_many(self, seen: Sequence[tuple[str, str, str, datetime]]) -> None:
        """Remember when accounts were last seen: (platform, platform id, name, when)."""
        if not seen:
            return
        rows = [
            {"b_platform": p, "b_pid": pid, "b_name": name, "b_when": when}
            for p, pid, name, when in seen
        ]
        await self.conn.execute(_TOUCH, rows)

    async def get(self, user_id: int) -> User | None:
        """A runner by internal id."""
        row = (await self.conn.execute(_USER_SELECT.where(users.c.id == user_id))).first()
        return None if row is None else user_from(row)

    async def many(self, user_ids: Sequence[int] | None = None) -> list[User]:
        """Runners by id (every runner when ``user_ids`` is None), by id."""
        stmt = _USER_SELECT.order_by(users.c.id)
        if user_ids is not None:
            stmt = stmt.where(users.c.id.in_(list(user_ids)))
        return [user_from(r) for r in await self.conn.execute(stmt)]

    async def update(self, user_id: int, **values: Any) -> None:
        """Change profile columns (names checked against the table)."""
        unknown = set(values) - _SETTABLE
        if unknown:
            raise KeyError(f"not a user column: {sorted(unknown)}")
        if values:
            await self.conn.execute(update(users).where(users.c.id == user_id).values(**values))

    async def set_streak(self, user_id: int, old: WeekBlock | None, new: WeekBlock | None) -> None:
        """Cache the runner's latest block of run weeks, if nobody changed it meanwhile."""
        stmt = update(users).where(users.c.id == user_id)
        for column, value in (
            (users.c.streak_since, old.since if old else None),
            (users.c.streak_last, old.last if old else None),
        ):
            stmt = stmt.where(column.is_(None) if value is None else column == value)
        result = await self.conn.execute(
            stmt.values(
                streak_since=new.since if new else None, streak_last=new.last if new else None
            )
        )
        if result.rowcount == 0:
            # Someone changed it meanwhile (a run logged at the same moment): neither
            # answer is sure now, so the next /log works it out from the runs again.
            await self.conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(streak_since=None, streak_last=None)
            )

    async def save_prefs(self, items: Sequence[tuple[int, NudgePrefs]], now: datetime) -> None:
        """Insert or replace the nudge preferences of runners."""
        if not items:
            return
        rows = [
            {"user_id": uid, "updated_at": now, **dataclasses.asdict(prefs)} for uid, prefs in items
        ]
        stmt = insert(self.dialect, nudge_prefs)
        stmt = stmt.on_conflict_do_update(
            index_elements=[nudge_prefs.c.user_id],
            set_={f: stmt.excluded[f] for f in (*PREF_FIELDS, "updated_at")},
        )
        await self.conn.execute(stmt, rows)

    async def identities(self, user_ids: Sequence[int]) -> dict[int, list[Identity]]:
        """Each runner's platform accounts, most recently seen first."""
        found: dict[int, list[Identity]] = {uid: [] for uid in user_ids}
        stmt = (
            select(identities)
            .where(identities.c.user_id.in_(list(user_ids)))
            .order_by(identities.c.user_id, identities.c.last_seen_at.desc())
        )
        for row in await self.conn.execute(stmt):
            found.setdefault(row.user_id, []).append(identity_from(row))
        return found

    async def set_unreachable(
        self, platform: str, platform_user_id: str, since: datetime | None
    ) -> None:
        """Mark that DMs to this account are refused (kept from the first refusal), or clear it."""
        stmt = update(identities).where(
            identities.c.platform == platform, identities.c.platform_user_id == platform_user_id
        )
        if since is not None:
            stmt = stmt.where(identities.c.unreachable_since.is_(None))
        await self.conn.execute(stmt.values(unreachable_since=since, unreachable_told=False))

    async def mark_unreachable_told(self, platform: str, platform_user_id: str) -> None:
        """Remember that the runner has been told about the refused DMs."""
        await self.conn.execute(
            update(identities)
            .where(
                identities.c.platform == platform,
                identities.c.platform_user_id == platform_user_id,
            )
            .values(unreachable_told=True)
        )

    async def save_link_code(self, code: str, user_id: int, expires_at: datetime) -> None:
        """Store a one-time code that lets another account join this runner."""
        await self.conn.execute(delete(link_codes).where(link_codes.c.user_id == user_id))
        await self.conn.execute(
            link_codes.insert().values(code=code, user_id=user_id, expires_at=expires_at)
        )

    async def link_code_owner(self, code: str, now: datetime) -> int | None:
        """The runner a valid (unexpired) code belongs to."""
        return await self.conn.scalar(
            select(link_codes.c.user_id).where(
                link_codes.c.code == code, link_codes.c.expires_at > now
            )
        )

    async def merge(self, code: str, user_id: int, target: int) -> None:
        """Use up a code and move ``user_id``'s accounts and data over to ``target``.

        The target keeps their settings; this runner's own settings and nudge
        schedules go with their user row.
        """
        await self.counts.runner_changed(user_id, target, membership=True)
        await self.conn.execute(delete(link_codes).where(link_codes.c.code == code))
        for table in (identities, runs, checkins, handled_messages):
            await self.conn.execute(
                update(table).where(table.c.user_id == user_id).values(user_id=target)
            )
        await self.conn.execute(
            update(users).where(users.c.id == target).values(streak_since=None, streak_last=None)
        )
        await self._merge_challenges(user_id, target)
        await self._merge_clubs(user_id, target)
        # Nudge history (deliveries, schedules, preferences) goes with the user row.
        await self.conn.execute(delete(users).where(users.c.id == user_id))

    async def _merge_challenges(self, user_id: int, target: int) -> None:
        """Club challenges joined and frozen results move over (a shared one is kept once)."""
        m = challenge_members.c
        taken = select(m.challenge_id).where(m.user_id == target)
        await self.conn.execute(
            update(challenge_members)
            .where(m.user_id == user_id, m.challenge_id.not_in(taken))
            .values(user_id=target)
        )
        await self.conn.execute(
            update(challenge_results)
            .where(challenge_results.c.user_id == user_id)
            .values(user_id=target)
        )
        theirs = select(users.c.challenges_until).where(users.c.id == user_id).scalar_subquery()
        await self.conn.execute(
            update(users)
            .where(
                users.c.id == target,
                theirs.is_not(None),
                or_(users.c.challenges_until.is_(None), users.c.challenges_until < theirs),
            )
            .values(challenges_until=theirs)
        )

    async def _merge_clubs(self, user_id: int, target: int) -> None:
        """Club memberships, cheers given and rest windows move over (shared ones once)."""
        for table, key in (
            (club_members, "club_id"),
            (run_kudos, "run_id"),
            (streak_pauses, "since"),
        ):
            taken = select(table.c[key]).where(table.c.user_id == target)
            await self.conn.execute(
                update(table)
                .where(table.c.user_id == user_id, table.c[key].not_in(taken))
                .values(user_id=target)
            )

    async def prune_link_codes(self, now: datetime) -> int:
        """Forget expired link codes; how many."""
        result = await self.conn.execute(delete(link_codes).where(link_codes.c.expires_at <= now))
        return result.rowcount

    async def count(self) -> int:
        """How many runners there are."""
        return int(await self.conn.scalar(select(func.count()).select_from(users)) or 0)
