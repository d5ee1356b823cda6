"""The repository: every query the services make, behind one interface.

``Repository`` is the contract; ``SqliteRepository`` implements it on
aiosqlite. A PostgreSQL implementation can take the same contract later.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import aiosqlite

from bot.models import WEEKDAYS, CheckIn, Identity, Run, User
from bot.storage.database import Database

# One fixed statement per changeable user column: no SQL is built at run time.
_USER_UPDATES: Mapping[str, str] = {
    "display_name": "UPDATE users SET display_name = ? WHERE id = ?",
    "timezone": "UPDATE users SET timezone = ? WHERE id = ?",
    "units": "UPDATE users SET units = ? WHERE id = ?",
    "run_days": "UPDATE users SET run_days = ? WHERE id = ?",
    "run_time": "UPDATE users SET run_time = ? WHERE id = ?",
    "bedtime": "UPDATE users SET bedtime = ? WHERE id = ?",
    "target_bedtime": "UPDATE users SET target_bedtime = ? WHERE id = ?",
    "wake_time": "UPDATE users SET wake_time = ? WHERE id = ?",
    "quiet_start": "UPDATE users SET quiet_start = ? WHERE id = ?",
    "quiet_end": "UPDATE users SET quiet_end = ? WHERE id = ?",
    "nudge_platform": "UPDATE users SET nudge_platform = ? WHERE id = ?",
    "onboarding_step": "UPDATE users SET onboarding_step = ? WHERE id = ?",
    "onboarded_at": "UPDATE users SET onboarded_at = ? WHERE id = ?",
}


@dataclass(frozen=True, slots=True)
class NewCheckIn:
    """A check-in to store."""

    user_id: int
    habit: str
    local_date: date
    kind: str = ""
    hours: float | None = None
    bedtime: str | None = None
    seconds: int | None = None
    sets: int | None = None
    reps: int | None = None
    load: float | None = None
    load_unit: str | None = None
    note: str = ""
    source_key: str | None = None


class Repository(Protocol):
    """What the services need from storage."""

    async def identify(
        self, platform: str, platform_user_id: str, display_name: str, now: datetime
    ) -> tuple[User, Identity]:
        """The runner behind a platform account, created on first sight."""
        ...

    async def get_user(self, user_id: int) -> User:
        """A runner by internal id."""
        ...

    async def update_user(self, user_id: int, **values: Any) -> User:
        """Change settings columns and return the updated runner."""
        ...

    async def identities(self, user_id: int) -> list[Identity]:
        """Every platform account of a runner."""
        ...

    async def set_unreachable(
        self, platform: str, platform_user_id: str, since: datetime | None
    ) -> None:
        """Mark (or clear) that DMs to this account are refused."""
        ...

    async def mark_unreachable_told(self, platform: str, platform_user_id: str) -> None:
        """Remember that the runner has been told about the refused DMs."""
        ...

    async def add_run(
        self,
        user_id: int,
        local_date: date,
        distance_m: float,
        duration_s: int,
        note: str,
        source_key: str | None,
        now: datetime,
    ) -> tuple[Run, bool]:
        """Store a run; ``False`` when the same source key was stored before."""
        ...

    async def recent_runs(self, user_id: int, limit: int) -> list[Run]:
        """The runner's latest runs, newest first."""
        ...

    async def last_logged_run(self, user_id: int) -> Run | None:
        """The run the runner logged most recently."""
        ...

    async def delete_run(self, user_id: int, run_id: int) -> Run | None:
        """Delete one of the runner's runs; None when it isn't theirs or is gone."""
        ...

    async def runs_between(self, user_id: int, start: date, end: date) -> list[Run]:
        """Runs with start <= local_date <= end, oldest first."""
        ...

    async def run_dates(self, user_id: int, since: date) -> list[date]:
        """Distinct local dates with a run since ``since``."""
        ...

    async def add_checkin(self, checkin: NewCheckIn, now: datetime) -> tuple[CheckIn, bool]:
        """Store a check-in; ``False`` when the same source key was stored before."""
        ...

    async def checkins_between(
        self, user_id: int, start: date, end: date, habit: str | None = None
    ) -> list[CheckIn]:
        """Check-ins with start <= local_date <= end, oldest first."""
        ...

    async def delete_checkin(self, user_id: int, checkin_id: int) -> CheckIn | None:
        """Delete one of the runner's check-ins."""
        ...

    async def handled_reply(self, source_key: str) -> str | None:
        """The reply given to a platform message handled before, if any."""
        ...

    async def checkin_by_source_key(self, source_key: str) -> CheckIn | None:
        """The check-in stored from this platform message, if any."""
        ...

    async def save_link_code(self, code: str, user_id: int, expires_at: datetime) -> None:
        """Store a one-time code that lets another account join this runner."""
        ...

    async def prune(self, handled_before: datetime, now: datetime) -> int:
        """Forget old duplicate-message records and expired link codes; rows removed."""
        ...

    async def redeem_link_code(self, code: str, user_id: int, now: datetime) -> int | None:
        """Join ``user_id``'s accounts and data to the code's runner; that runner's id."""
        ...

    async def claim_message(self, source_key: str, user_id: int, now: datetime) -> bool:
        """Mark a platform message as being handled; False when it was claimed before."""
        ...

    async def remember_reply(self, source_key: str, reply: str) -> None:
        """Store what was answered to a claimed message."""
        ...

    async def release_message(self, source_key: str) -> None:
        """Drop a claim whose handling failed, so a retry can act."""
        ...


# last_seen_at is kept to this resolution (it picks where nudges go, not a stopwatch).
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def _iso(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def _user(row: sqlite3.Row) -> User:
    days = tuple(WEEKDAYS.index(d) for d in row["run_days"].split(",") if d in WEEKDAYS)
    return User(
        id=row["id"],
        display_name=row["display_name"],
        timezone=row["timezone"],
        units=row["units"],
        run_days=days,
        run_time=row["run_time"],
        bedtime=row["bedtime"],
        target_bedtime=row["target_bedtime"],
        wake_time=row["wake_time"],
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        nudge_platform=row["nudge_platform"],
        onboarding_step=row["onboarding_step"],
        onboarded_at=row["onboarded_at"],
    )


def _identity(row: sqlite3.Row) -> Identity:
    return Identity(
        platform=row["platform"],
        platform_user_id=row["platform_user_id"],
        user_id=row["user_id"],
        unreachable_since=row["unreachable_since"],
        unreachable_told=bool(row["unreachable_told"]),
    )


def _run(row: sqlite3.Row) -> Run:
    return Run(
        id=row["id"],
        user_id=row["user_id"],
        local_date=date.fromisoformat(row["local_date"]),
        distance_m=row["distance_m"],
        duration_s=row["duration_s"],
        note=row["note"],
        created_at=row["created_at"],
    )


def _checkin(row: sqlite3.Row) -> CheckIn:
    return CheckIn(
        id=row["id"],
        user_id=row["user_id"],
        habit=row["habit"],
        local_date=date.fromisoformat(row["local_date"]),
        kind=row["kind"],
        hours=row["hours"],
        bedtime=row["bedtime"],
        seconds=row["seconds"],
        sets=row["sets"],
        reps=row["reps"],
        load=row["load"],
        load_unit=row["load_unit"],
        note=row["note"],
        created_at=row["created_at"],
    )


class SqliteRepository:
    """:class:`Repository` on the shared aiosqlite connection."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        async with self.db.conn.execute(sql, tuple(params)) as cur:
            row: sqlite3.Row | None = await cur.fetchone()
            return row

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self.db.conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def identify(
        self, platform: str, platform_user_id: str, display_name: str, now: datetime
    ) -> tuple[User, Identity]:
        """The runner behind a platform account, created on first sight.

        A known account seen within the last minute, under the same name, is
        answered from one read: most messages then cost no write at all.
        """
        known = await self._one(
            "SELECT i.platform, i.platform_user_id, i.user_id, i.unreachable_since,"
            " i.unreachable_told, i.last_seen_at, i.display_name AS identity_name, u.*"
            " FROM identities i JOIN users u ON u.id = i.user_id"
            " WHERE i.platform = ? AND i.platform_user_id = ?",
            (platform, platform_user_id),
        )
        if (
            known is not None
            and (not display_name or display_name == known["identity_name"])
            and now - datetime.fromisoformat(known["last_seen_at"]) < LAST_SEEN_RESOLUTION
        ):
            return _user(known), _identity(known)
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM identities WHERE platform = ? AND platform_user_id = ?",
                (platform, platform_user_id),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                cur2 = await conn.execute(
                    "INSERT INTO users(display_name, created_at) VALUES (?, ?)",
                    (display_name, _iso(now)),
                )
                user_id = cur2.lastrowid
                await conn.execute(
                    "INSERT INTO identities(platform, platform_user_id, user_id, display_name,"
                    " last_seen_at) VALUES (?, ?, ?, ?, ?)",
                    (platform, platform_user_id, user_id, display_name, _iso(now)),
                )
            else:
                user_id = row["user_id"]
                await conn.execute(
                    "UPDATE identities SET last_seen_at = ?, display_name = ?"
                    " WHERE platform = ? AND platform_user_id = ?",
                    (_iso(now), display_name or row["display_name"], platform, platform_user_id),
                )
            async with conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)) as cur:
                user_row = await cur.fetchone()
            async with conn.execute(
                "SELECT * FROM identities WHERE platform = ? AND platform_user_id = ?",
                (platform, platform_user_id),
            ) as cur:
                identity_row = await cur.fetchone()
        assert user_row is not None and identity_row is not None
        return _user(user_row), _identity(identity_row)

    async def get_user(self, user_id: int) -> User:
        """A runner by internal id."""
        row = await self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        if row is None:
            raise LookupError(f"no user {user_id}")
        return _user(row)

    async def update_user(self, user_id: int, **values: Any) -> User:
        """Change settings columns and return the updated runner."""
        async with self.db.transaction() as conn:
            for column, value in values.items():
                if column == "run_days":  # stored as "mon,wed,sat"
                    value = ",".join(WEEKDAYS[d] for d in sorted(value))
                await conn.execute(_USER_UPDATES[column], (value, user_id))
        return await self.get_user(user_id)

    async def identities(self, user_id: int) -> list[Identity]:
        """Every platform account of a runner."""
        rows = await self._all("SELECT * FROM identities WHERE user_id = ?", (user_id,))
        return [_identity(r) for r in rows]

    async def set_unreachable(
        self, platform: str, platform_user_id: str, since: datetime | None
    ) -> None:
        """Mark (or clear) that DMs to this account are refused."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE identities SET unreachable_since = ?, unreachable_told = 0"
                " WHERE platform = ? AND platform_user_id = ?",
                (_iso(since) if since else None, platform, platform_user_id),
            )

    async def mark_unreachable_told(self, platform: str, platform_user_id: str) -> None:
        """Remember that the runner has been told about the refused DMs."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE identities SET unreachable_told = 1"
                " WHERE platform = ? AND platform_user_id = ?",
                (platform, platform_user_id),
            )

    async def add_run(
        self,
        user_id: int,
        local_date: date,
        distance_m: float,
        duration_s: int,
        note: str,
        source_key: str | None,
        now: datetime,
    ) -> tuple[Run, bool]:
        """Store a run; ``False`` when the same source key was stored before."""
        try:
            run_id, _ = await self.db.write(
                "INSERT INTO runs(user_id, local_date, distance_m, duration_s, note,"
                " source_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user_id, local_date.isoformat(), distance_m, duration_s, note, source_key,
                 _iso(now)),
            )  # fmt: skip
        except aiosqlite.IntegrityError:
            row = await self._one("SELECT * FROM runs WHERE source_key = ?", (source_key,))
            assert row is not None
            return _run(row), False
        assert run_id is not None
        return Run(run_id, user_id, local_date, distance_m, duration_s, note, _iso(now)), True

    async def recent_runs(self, user_id: int, limit: int) -> list[Run]:
        """The runner's latest runs, newest first."""
        rows = await self._all(
            "SELECT * FROM runs WHERE user_id = ? ORDER BY local_date DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [_run(r) for r in rows]

    async def last_logged_run(self, user_id: int) -> Run | None:
        """The run the runner logged most recently."""
        row = await self._one(
            "SELECT * FROM runs WHERE user_id = ? ORDER BY id DESC LIMIT 1", (user_id,)
        )
        return _run(row) if row else None

    async def delete_run(self, user_id: int, run_id: int) -> Run | None:
        """Delete one of the runner's runs; None when it isn't theirs or is gone."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM runs WHERE id = ? AND user_id = ?", (run_id, user_id)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            await conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        return _run(row)

    async def runs_between(self, user_id: int, start: date, end: date) -> list[Run]:
        """Runs with start <= local_date <= end, oldest first."""
        rows = await self._all(
            "SELECT * FROM runs WHERE user_id = ? AND local_date BETWEEN ? AND ?"
            " ORDER BY local_date, id",
            (user_id, start.isoformat(), end.isoformat()),
        )
        return [_run(r) for r in rows]

    async def run_dates(self, user_id: int, since: date) -> list[date]:
        """Distinct local dates with a run since ``since``."""
        rows = await self._all(
            "SELECT DISTINCT local_date FROM runs WHERE user_id = ? AND local_date >= ?"
            " ORDER BY local_date",
            (user_id, since.isoformat()),
        )
        return [date.fromisoformat(r[0]) for r in rows]

    async def add_checkin(self, checkin: NewCheckIn, now: datetime) -> tuple[CheckIn, bool]:
        """Store a check-in; ``False`` when the same source key was stored before."""
        c = checkin
        async with self.db.transaction() as conn:
            try:
                cur = await conn.execute(
                    "INSERT INTO checkins(user_id, habit, local_date, kind, hours, bedtime,"
                    " seconds, sets, reps, load, load_unit, note, source_key, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        c.user_id,
                        c.habit,
                        c.local_date.isoformat(),
                        c.kind,
                        c.hours,
                        c.bedtime,
                        c.seconds,
                        c.sets,
                        c.reps,
                        c.load,
                        c.load_unit,
                        c.note,
                        c.source_key,
                        _iso(now),
                    ),
                )
                checkin_id, created = cur.lastrowid, True
            except aiosqlite.IntegrityError:
                async with conn.execute(
                    "SELECT id FROM checkins WHERE source_key = ?", (c.source_key,)
                ) as existing:
                    row = await existing.fetchone()
                assert row is not None
                checkin_id, created = row["id"], False
        row = await self._one("SELECT * FROM checkins WHERE id = ?", (checkin_id,))
        assert row is not None
        return _checkin(row), created

    async def checkins_between(
        self, user_id: int, start: date, end: date, habit: str | None = None
    ) -> list[CheckIn]:
        """Check-ins with start <= local_date <= end, oldest first."""
        rows = await self._all(
            "SELECT * FROM checkins WHERE user_id = ? AND local_date BETWEEN ? AND ?"
            " AND (? IS NULL OR habit = ?) ORDER BY local_date, id",
            (user_id, start.isoformat(), end.isoformat(), habit, habit),
        )
        return [_checkin(r) for r in rows]

    async def delete_checkin(self, user_id: int, checkin_id: int) -> CheckIn | None:
        """Delete one of the runner's check-ins."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM checkins WHERE id = ? AND user_id = ?", (checkin_id, user_id)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            await conn.execute("DELETE FROM checkins WHERE id = ?", (checkin_id,))
        return _checkin(row)

    async def handled_reply(self, source_key: str) -> str | None:
        """The reply given to a platform message handled before, if any."""
        row = await self._one(
            "SELECT reply FROM handled_messages WHERE source_key = ?", (source_key,)
        )
        return str(row["reply"]) or None if row else None

    async def claim_message(self, source_key: str, user_id: int, now: datetime) -> bool:
        """Mark a platform message as being handled; False when it was claimed before."""
        _, inserted = await self.db.write(
            "INSERT OR IGNORE INTO handled_messages(source_key, user_id, reply, created_at)"
            " VALUES (?, ?, '', ?)",
            (source_key, user_id, _iso(now)),
        )
        return inserted == 1

    async def remember_reply(self, source_key: str, reply: str) -> None:
        """Store what was answered to a claimed message."""
        await self.db.write(
            "UPDATE handled_messages SET reply = ? WHERE source_key = ?", (reply, source_key)
        )

    async def release_message(self, source_key: str) -> None:
        """Drop a claim whose handling failed, so a retry can act."""
        await self.db.write("DELETE FROM handled_messages WHERE source_key = ?", (source_key,))

    async def checkin_by_source_key(self, source_key: str) -> CheckIn | None:
        """The check-in stored from this platform message, if any."""
        row = await self._one("SELECT * FROM checkins WHERE source_key = ?", (source_key,))
        return _checkin(row) if row else None

    async def save_link_code(self, code: str, user_id: int, expires_at: datetime) -> None:
        """Store a one-time code that lets another account join this runner."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM link_codes WHERE user_id = ?", (user_id,))
            await conn.execute(
                "INSERT INTO link_codes(code, user_id, expires_at) VALUES (?, ?, ?)",
                (code, user_id, _iso(expires_at)),
            )

    async def redeem_link_code(self, code: str, user_id: int, now: datetime) -> int | None:
        """Join ``user_id``'s accounts and data to the code's runner; that runner's id.

        None when the code is unknown or expired. The code's runner keeps their
        settings; this account's identities, runs and check-ins move over, and its
        own settings and nudge schedules are dropped with its user row. One transaction.
        """
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT user_id FROM link_codes WHERE code = ? AND expires_at > ?",
                (code, _iso(now)),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            target = int(row["user_id"])
            await conn.execute("DELETE FROM link_codes WHERE code = ?", (code,))
            if target == user_id:
                return target
            for sql in (
                "UPDATE identities SET user_id = ? WHERE user_id = ?",
                "UPDATE runs SET user_id = ? WHERE user_id = ?",
                "UPDATE checkins SET user_id = ? WHERE user_id = ?",
                "UPDATE handled_messages SET user_id = ? WHERE user_id = ?",
            ):
                await conn.execute(sql, (target, user_id))
            await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
        return target

    async def prune(self, handled_before: datetime, now: datetime) -> int:
        """Forget old duplicate-message records and expired link codes; rows removed."""
        _, handled = await self.db.write(
            "DELETE FROM handled_messages WHERE created_at < ?", (_iso(handled_before),)
        )
        _, codes = await self.db.write("DELETE FROM link_codes WHERE expires_at <= ?", (_iso(now),))
        return handled + codes
