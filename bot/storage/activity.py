"""What runners did: runs, habit check-ins, and platform messages already handled."""

from __future__ import annotations

import dataclasses
import functools
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import CheckIn, Run
from bot.storage.challenge_counts import ChallengeCounts
from bot.storage.sql import checkin_from, insert, run_from
from bot.storage.tables import checkins, handled_messages, runs


@functools.cache
def _add_run(dialect: str) -> Any:
    """The run INSERT, built once per dialect (values come as parameters).

    It also returns the totals of the runner's *other* runs dated ``w_from`` to
    ``w_to`` (a /log reply's week line, in the same round trip). "Other" is by
    source key, whether or not the database's subquery sees the new row (SQLite
    does, PostgreSQL does not). An empty range (``w_from`` after ``w_to``) asks
    for no week.
    """
    week = runs.alias("week")
    others = and_(
        week.c.user_id == bindparam("w_user"),
        week.c.local_date.between(bindparam("w_from"), bindparam("w_to")),
        week.c.source_key.is_distinct_from(bindparam("w_key")),
    )
    return (
        insert(dialect, runs)
        .on_conflict_do_nothing(index_elements=[runs.c.source_key])
        .returning(
            runs.c.id,
            select(func.coalesce(func.sum(week.c.distance_m), 0.0))
            .where(others)
            .scalar_subquery()
            .label("week_m"),
            select(func.count()).select_from(week).where(others).scalar_subquery().label("week_n"),
        )
    )


_NO_WEEK = (date.max, date.min)  # an empty range: no week asked for


class StoredRun(NamedTuple):
    """A run as stored, whether this call stored it, and the week's totals if asked."""

    run: Run
    created: bool
    week: tuple[float, int] | None  # distance (m) and runs, this run counted


def run_values(
    user_id: int,
    local_date: date,
    distance_m: float,
    duration_s: int,
    note: str,
    source_key: str | None,
    now: datetime,
    fuel_due_at: datetime | None,
    started_at: datetime | None = None,
) -> dict[str, Any]:
    """The ``runs`` row of a new run (typed in or read from a file)."""
    return {
        "started_at": started_at,
        "user_id": user_id,
        "local_date": local_date,
        "distance_m": distance_m,
        "duration_s": duration_s,
        "note": note,
        "source_key": source_key,
        "created_at": now,
        "fuel_due_at": fuel_due_at,
        "elevation_gain_m": None,  # typed with the run (/log ... climb 250m) or from its file
    }


def stored_run(run_id: int, values: dict[str, Any]) -> Run:
    """The run just inserted from ``values`` (as read back: whole seconds)."""
    return Run(
        run_id,
        values["user_id"],
        values["local_date"],
        values["distance_m"],
        values["duration_s"],
        values["note"],
        values["created_at"].replace(microsecond=0),
        values["elevation_gain_m"],
    )


_WEEK_TOTALS = select(func.coalesce(func.sum(runs.c.distance_m), 0.0), func.count()).where(
    runs.c.user_id == bindparam("w_user"),
    runs.c.local_date.between(bindparam("w_from"), bindparam("w_to")),
)


class ActivityRepository:
    """Runs and check-ins, bound to one unit of work's connection."""

    def __init__(self, conn: AsyncConnection, dialect: str, counts: ChallengeCounts) -> None:
        self.conn = conn
        self.dialect = dialect
        self.counts = counts  # every write here tells it first

    # --- runs -------------------------------------------------------------------

    async def add_run(
        self,
        user_id: int,
        local_date: date,
        distance_m: float,
        duration_s: int,
        note: str,
        source_key: str | None,
        now: datetime,
        fuel_due_at: datetime | None = None,
        week: tuple[date, date] | None = None,
        climb_m: float | None = None,
        started_at: datetime | None = None,
    ) -> StoredRun:
        """Store a run; ``created`` is False (with the stored run) when the source key was
        seen before.

        ``fuel_due_at``: when its post-run snack nudge is due (None: no nudge).
        ``week`` (first and last day): the totals of those days come back in the same
        statement, for a new run with a source key (else ``week`` is None: ask
        :meth:`week_totals`).
        """
        values = run_values(
            user_id, local_date, distance_m, duration_s, note, source_key, now, fuel_due_at,
            started_at,
        ) | {"elevation_gain_m": climb_m}  # fmt: skip
        await self.counts.runner_changed(user_id, day=local_date)
        return await self._insert_run(values, week if source_key is not None else None)

    async def _insert_run(
        self, values: dict[str, Any], week: tuple[date, date] | None
    ) -> StoredRun:
        first, last = week or _NO_WEEK
        found = await self.conn.execute(
            _add_run(self.dialect),
            values
            | {
                "w_user": values["user_id"],
                "w_from": first,
                "w_to": last,
                "w_key": values["source_key"],
            },
        )
        row = found.first()
        if row is None:
            key = values["source_key"]
            old = (await self.conn.execute(select(runs).where(runs.c.source_key == key))).one()
            return StoredRun(run_from(old), False, None)
        run = stored_run(row[0], values)
        if week is None:
            return StoredRun(run, True, None)
        in_week = first <= run.local_date <= last
        totals = (float(row[1]) + run.distance_m * in_week, int(row[2]) + in_week)
        return StoredRun(run, True, totals)

    async def run(self, run_id: int) -> Run | None:
        """One run by id."""
        row = (await self.conn.execute(select(runs).where(runs.c.id == run_id))).first()
        return None if row is None else run_from(row)

    async def recent_runs(self, user_id: int, limit: int) -> list[Run]:
        """The runner's latest runs, newest first."""
        stmt = (
            select(runs)
            .where(runs.c.user_id == user_id)
            .order_by(runs.c.local_date.desc(), runs.c.id.desc())
            .limit(limit)
        )
        return [run_from(r) for r in await self.conn.execute(stmt)]

    async def run_with_source_key(self, source_key: str) -> bool:
        """Whether a run was stored from this platform message."""
        found = await self.conn.scalar(select(runs.c.id).where(runs.c.source_key == source_key))
        return found is not None

    async def last_logged_run(self, user_id: int) -> Run | None:
        """The run the runner logged most recently."""
        stmt = select(runs).where(runs.c.user_id == user_id).order_by(runs.c.id.desc()).limit(1)
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else run_from(row)

    async def delete_run(self, user_id: int, run_id: int) -> Run | None:
        """Delete one of the runner's runs; None when it isn't theirs or is gone."""
        await self.counts.runner_changed(user_id)
        stmt = delete(runs).where(runs.c.id == run_id, runs.c.user_id == user_id).returning(*runs.c)
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else run_from(row)

    async def update_run(self, user_id: int, run_id: int, **values: Any) -> Run | None:
        """Change columns of one of the runner's runs; None when it isn't theirs or is gone."""
        await self.counts.runner_changed(user_id)
        stmt = (
            update(runs)
            .where(runs.c.id == run_id, runs.c.user_id == user_id)
            .values(**values)
            .returning(*runs.c)
        )
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else run_from(row)

    async def runs_between(self, user_id: int, start: date, end: date) -> list[Run]:
        """Runs with start <= local_date <= end, oldest first."""
        stmt = (
            select(runs)
            .where(runs.c.user_id == user_id, runs.c.local_date.between(start, end))
            .order_by(runs.c.local_date, runs.c.id)
        )
        return [run_from(r) for r in await self.conn.execute(stmt)]

    async def week_totals(self, user_id: int, start: date, end: date) -> tuple[float, int]:
        """Distance and number of runs with start <= local_date <= end."""
        found = await self.conn.execute(
            _WEEK_TOTALS, {"w_user": user_id, "w_from": start, "w_to": end}
        )
        row = found.one()
        return float(row[0]), int(row[1])

    async def run_dates(self, user_id: int, since: date) -> list[date]:
        """Distinct local dates with a run since ``since``."""
        stmt = (
            select(runs.c.local_date)
            .where(runs.c.user_id == user_id, runs.c.local_date >= since)
            .distinct()
            .order_by(runs.c.local_date)
        )
        return list((await self.conn.scalars(stmt)).all())

    async def run_days_of(
        self, user_ids: list[int], first: date, last: date
    ) -> set[tuple[int, date]]:
        """(user_id, local_date) of the runners' runs in a date range."""
        stmt = (
            select(runs.c.user_id, runs.c.local_date)
            .where(runs.c.user_id.in_(user_ids), runs.c.local_date.between(first, last))
            .distinct()
        )
        return {(int(r[0]), r[1]) for r in await self.conn.execute(stmt)}

    # --- check-ins ----------------------------------------------------------------

    async def add_checkin(self, checkin: CheckIn, now: datetime) -> tuple[CheckIn, bool]:
        """Store a check-in; ``False`` (and the stored one) when the source key was seen before."""
        values = dataclasses.asdict(checkin) | {"created_at": now}
        del values["id"]
        await self.counts.runner_changed(checkin.user_id, day=checkin.local_date)
        stmt = (
            insert(self.dialect, checkins)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[checkins.c.source_key])
            .returning(*checkins.c)
        )
        row = (await self.conn.execute(stmt)).first()
        if row is not None:
            return checkin_from(row), True
        existing = await self.checkin_by_source_key(checkin.source_key or "")
        assert existing is not None
        return existing, False

    async def checkins_between(
        self, user_id: int, start: date, end: date, habit: str | None = None
    ) -> list[CheckIn]:
        """Check-ins with start <= local_date <= end, oldest first."""
        stmt = select(checkins).where(
            checkins.c.user_id == user_id, checkins.c.local_date.between(start, end)
        )
        if habit is not None:
            stmt = stmt.where(checkins.c.habit == habit)
        stmt = stmt.order_by(checkins.c.local_date, checkins.c.id)
        return [checkin_from(r) for r in await self.conn.execute(stmt)]

    async def habits_of(
        self, user_ids: list[int], first: date, last: date
    ) -> set[tuple[int, str, date, str]]:
        """(user_id, habit, local_date, kind) of the runners' check-ins in a date range."""
        stmt = (
            select(checkins.c.user_id, checkins.c.habit, checkins.c.local_date, checkins.c.kind)
            .where(checkins.c.user_id.in_(user_ids), checkins.c.local_date.between(first, last))
            .distinct()
        )
        return {(int(r[0]), r[1], r[2], r[3]) for r in await self.conn.execute(stmt)}

    async def fuel_since(self, user_id: int, since: datetime) -> bool:
        """Whether a fuel check-in was created at or after an instant."""
        stmt = (
            select(checkins.c.id)
            .where(
                checkins.c.user_id == user_id,
                checkins.c.habit == "fuel",
                checkins.c.created_at >= since,
            )
            .limit(1)
        )
        return await self.conn.scalar(stmt) is not None

    async def strength_checkins(self, user_id: int) -> list[CheckIn]:
        """The runner's strength check-ins (holds and deadlifts), oldest first."""
        stmt = (
            select(checkins)
            .where(checkins.c.user_id == user_id, checkins.c.habit == "strength")
            .order_by(checkins.c.created_at, checkins.c.id)
        )
        return [checkin_from(r) for r in await self.conn.execute(stmt)]

    async def delete_checkin(self, user_id: int, checkin_id: int) -> CheckIn | None:
        """Delete one of the runner's check-ins."""
        await self.counts.runner_changed(user_id)
        stmt = (
            delete(checkins)
            .where(checkins.c.id == checkin_id, checkins.c.user_id == user_id)
            .returning(*checkins.c)
        )
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else checkin_from(row)

    async def checkin_by_source_key(self, source_key: str) -> CheckIn | None:
        """The check-in stored from this platform message, if any."""
        stmt = select(checkins).where(checkins.c.source_key == source_key)
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else checkin_from(row)

    # --- platform messages handled once -----------------------------------------------

    async def claim_message(self, source_key: str, user_id: int, now: datetime) -> bool:
        """Mark a platform message as being handled; False when it was claimed before."""
        stmt = (
            insert(self.dialect, handled_messages)
            .values(source_key=source_key, user_id=user_id, reply="", created_at=now)
            .on_conflict_do_nothing(index_elements=[handled_messages.c.source_key])
        )
        result = await self.conn.execute(stmt)
        return result.rowcount == 1

    async def handled_reply(self, source_key: str) -> str | None:
        """The reply given to a platform message handled before, if any."""
        stmt = select(handled_messages.c.reply).where(handled_messages.c.source_key == source_key)
        reply = await self.conn.scalar(stmt)
        return str(reply) or None if reply is not None else None

    async def remember_reply(self, source_key: str, reply: str) -> None:
        """Store what was answered to a claimed message."""
        await self.conn.execute(
            update(handled_messages)
            .where(handled_messages.c.source_key == source_key)
            .values(reply=reply)
        )

    async def release_message(self, source_key: str) -> None:
        """Drop a claim whose handling failed, so a retry can act."""
        await self.conn.execute(
            delete(handled_messages).where(handled_messages.c.source_key == source_key)
        )

    async def prune_handled(self, before: datetime) -> int:
        """Forget duplicate-message records older than ``before``; how many."""
        result = await self.conn.execute(
            delete(handled_messages).where(handled_messages.c.created_at < before)
        )
        return result.rowcount
