"""Nudge schedules (one row per runner and recurring kind) and one-offs (fuel, snoozes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.sql import insert
from bot.storage.tables import identities, nudge_oneoffs, nudge_schedules, runs

FUEL = "post_run_fuel"


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One runner's schedule for one recurring kind."""

    user_id: int
    kind: str
    enabled: bool = True
    local_time: str | None = None
    days: tuple[int, ...] = ()
    occurrence: date | None = None  # the anchor date of next_due
    next_due: datetime | None = None
    skip_date: date | None = None


@dataclass(frozen=True, slots=True)
class ScheduleMove:
    """A claimed schedule row and the occurrence it moves on to (``None``: no more)."""

    row: ScheduleRow
    next_due: datetime | None
    occurrence: date | None
    local_time: str | None


@dataclass(frozen=True, slots=True)
class SnackDue:
    """A run whose post-run snack nudge is due."""

    run_id: int
    user_id: int
    local_date: date
    due: datetime
    logged_at: datetime
    later_pending: bool


@dataclass(frozen=True, slots=True)
class OneOff:
    """A pending one-off nudge (post-run fuel, a snoozed nudge)."""

    id: int
    user_id: int
    kind: str
    occurrence: str
    anchor: date
    due: datetime
    run_id: int | None = None
    since: datetime | None = None


def _schedule(r: object) -> ScheduleRow:
    m = r._mapping  # type: ignore[attr-defined]
    return ScheduleRow(
        user_id=m["user_id"],
        kind=m["kind"],
        enabled=bool(m["enabled"]),
        local_time=m["local_time"],
        days=m["days"],
        occurrence=m["occurrence"],
        next_due=m["next_due_utc"],
        skip_date=m["skip_date"],
    )


def _oneoff(r: object) -> OneOff:
    m = r._mapping  # type: ignore[attr-defined]
    return OneOff(
        id=m["id"],
        user_id=m["user_id"],
        kind=m["kind"],
        occurrence=m["occurrence"],
        anchor=m["anchor"],
        due=m["due_utc"],
        run_id=m["run_id"],
        since=m["since_utc"],
    )


# A snoozed copy's occurrence is its original's plus this mark and a count: "2026-11-26~z1".
SNOOZE_MARK = "~z"

_S = nudge_schedules.c
_O = nudge_oneoffs.c


class NudgeRepository:
    """Schedules and one-offs, bound to one unit of work's connection."""

    def __init__(self, conn: AsyncConnection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    # --- schedules ---------------------------------------------------------------

    async def upsert_schedules(self, rows: Iterable[ScheduleRow], now: datetime) -> None:
        """Write computed schedules; a disabled kind keeps its row but never a due instant."""
        values = [
            {
                "user_id": r.user_id,
                "kind": r.kind,
                "enabled": True,
                "local_time": r.local_time,
                "days": r.days,
                "occurrence": r.occurrence,
                "next_due_utc": r.next_due,
                "updated_at": now,
            }
            for r in rows
        ]
        if not values:
            return
        stmt = insert(self.dialect, nudge_schedules)
        ex = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=[_S.user_id, _S.kind],
            set_={
                "local_time": ex.local_time,
                "days": ex.days,
                "occurrence": case((_S.enabled, ex.occurrence), else_=None),
                "next_due_utc": case((_S.enabled, ex.next_due_utc), else_=None),
                "updated_at": ex.updated_at,
            },
        )
        await self.conn.execute(stmt, values)

    async def schedules(self, user_id: int) -> list[ScheduleRow]:
        """A runner's schedule rows."""
        stmt = select(nudge_schedules).where(_S.user_id == user_id).order_by(_S.kind)
        return [_schedule(r) for r in await self.conn.execute(stmt)]

    async def set_enabled(self, user_id: int, kind: str, enabled: bool, now: datetime) -> None:
        """Turn a kind on or off (off also clears its due instant; on, a "skip today")."""
        stmt = insert(self.dialect, nudge_schedules).values(
            user_id=user_id, kind=kind, enabled=enabled, updated_at=now
        )
        keep = stmt.excluded.enabled
        stmt = stmt.on_conflict_do_update(
            index_elements=[_S.user_id, _S.kind],
            set_={
                "enabled": keep,
                "next_due_utc": case((keep, _S.next_due_utc), else_=None),
                "occurrence": case((keep, _S.occurrence), else_=None),
                "skip_date": case((keep, None), else_=_S.skip_date),
                "updated_at": stmt.excluded.updated_at,
            },
        )
        await self.conn.execute(stmt)

    async def turned_off(self, user_ids: Sequence[int]) -> set[tuple[int, str]]:
        """(runner, kind) of every kind these runners turned off."""
        stmt = select(_S.user_id, _S.kind).where(
            _S.user_id.in_(list(user_ids)), _S.enabled.is_(False)
        )
        return {(int(r[0]), str(r[1])) for r in await self.conn.execute(stmt)}

    async def set_skip_date(self, user_id: int, kind: str, local_date: date) -> None:
        """Remember "skip today" for a recurring kind."""
        await self.conn.execute(
            update(nudge_schedules)
            .where(_S.user_id == user_id, _S.kind == kind)
            .values(skip_date=local_date)
        )

    async def due_schedules(self, now: datetime, limit: int) -> list[ScheduleRow]:
        """Enabled schedule rows due at or before ``now``, oldest first (locked on PostgreSQL)."""
        stmt = (
            select(nudge_schedules)
            .where(_S.next_due_utc.is_not(None), _S.next_due_utc <= now)
            .order_by(_S.next_due_utc)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_schedule(r) for r in await self.conn.execute(stmt)]

    async def advance_schedules(self, moves: Sequence[ScheduleMove], now: datetime) -> int:
        """Move claimed rows to their next occurrence in one statement; how many moved.

        A row someone else moved first (its due instant changed) is left alone.
        """
        if not moves:
            return 0
        stmt = (
            update(nudge_schedules)
            .where(
                _S.user_id == bindparam("b_user"),
                _S.kind == bindparam("b_kind"),
                _S.next_due_utc == bindparam("b_due"),
            )
            .values(
                next_due_utc=bindparam("b_next"),
                occurrence=bindparam("b_occurrence"),
                local_time=bindparam("b_time"),
                updated_at=now,
            )
        )
        result = await self.conn.execute(
            stmt,
            [
                {
                    "b_user": m.row.user_id,
                    "b_kind": m.row.kind,
                    "b_due": m.row.next_due,
                    "b_next": m.next_due,
                    "b_occurrence": m.occurrence,
                    "b_time": m.local_time,
                }
                for m in moves
            ],
        )
        return result.rowcount

    async def next_due(self) -> datetime | None:
        """The earliest due instant of any schedule, pending one-off or snack nudge."""
        first = select(func.min(_S.next_due_utc)).where(_S.next_due_utc.is_not(None))
        second = select(func.min(_O.due_utc)).where(_O.state == "pending")
        third = select(func.min(runs.c.fuel_due_at)).where(runs.c.fuel_due_at.is_not(None))
        found: list[datetime] = [
            d for d in [await self.conn.scalar(q) for q in (first, second, third)] if d is not None
        ]
        return min(found) if found else None

    async def planned(self, start: datetime, end: datetime) -> dict[str, int]:
        """Scheduled nudges next due in ``[start, end)``, per platform of the runner's accounts.

        A runner with accounts on two platforms counts on both: an upper bound.
        """
        stmt = (
            select(identities.c.platform, func.count())
            .select_from(nudge_schedules.join(identities, identities.c.user_id == _S.user_id))
            .where(_S.next_due_utc >= start, _S.next_due_utc < end)
            .group_by(identities.c.platform)
        )
        return {str(r[0]): int(r[1]) for r in await self.conn.execute(stmt)}

    # --- one-offs ------------------------------------------------------------------

    async def insert_oneoff(
        self,
        *,
        user_id: int,
        kind: str,
        occurrence: str,
        anchor: date,
        due: datetime,
        now: datetime,
        run_id: int | None = None,
        since: datetime | None = None,
    ) -> bool:
        """Add a one-off nudge; False when that occurrence already exists."""
        stmt = (
            insert(self.dialect, nudge_oneoffs)
            .values(
                user_id=user_id,
                kind=kind,
                occurrence=occurrence,
                anchor=anchor,
                due_utc=due,
                run_id=run_id,
                since_utc=since,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=[_O.user_id, _O.kind, _O.occurrence])
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def due_oneoffs(self, now: datetime, limit: int) -> list[OneOff]:
        """Pending one-offs due at or before ``now`` (locked on PostgreSQL)."""
        stmt = (
            select(nudge_oneoffs)
            .where(_O.state == "pending", _O.due_utc <= now)
            .order_by(_O.due_utc)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_oneoff(r) for r in await self.conn.execute(stmt)]

    async def pending_oneoffs(self, user_id: int) -> list[OneOff]:
        """A runner's pending one-offs, soonest first."""
        stmt = (
            select(nudge_oneoffs)
            .where(_O.state == "pending", _O.user_id == user_id)
            .order_by(_O.due_utc)
        )
        return [_oneoff(r) for r in await self.conn.execute(stmt)]

    async def claim_oneoff(self, oneoff_id: int) -> bool:
        """Mark a pending one-off claimed; False if it was no longer pending."""
        result = await self.conn.execute(
            update(nudge_oneoffs)
            .where(_O.id == oneoff_id, _O.state == "pending")
            .values(state="claimed")
        )
        return result.rowcount == 1

    async def cancel_oneoffs(self, user_id: int, kind: str | None, anchor: date | None) -> int:
        """Cancel pending one-offs of a runner (optionally one kind, one anchor date)."""
        stmt = update(nudge_oneoffs).where(_O.user_id == user_id, _O.state == "pending")
        if kind is not None:
            stmt = stmt.where(_O.kind == kind)
        if anchor is not None:
            stmt = stmt.where(_O.anchor == anchor)
        return (await self.conn.execute(stmt.values(state="cancelled"))).rowcount

    async def due_snacks(self, now: datetime, limit: int) -> list[SnackDue]:
        """Runs whose snack nudge is due, oldest first (locked on PostgreSQL).

        ``later_pending``: a later run of the same runner and day still waits for
        its own snack nudge, which replaces this one (one per burst of runs).
        """
        later = runs.alias("later")
        pending_later = (
            select(later.c.id)
            .where(
                later.c.user_id == runs.c.user_id,
                later.c.local_date == runs.c.local_date,
                later.c.id > runs.c.id,
                later.c.fuel_due_at.is_not(None),
            )
            .exists()
        )
        stmt = (
            select(
                runs.c.id,
                runs.c.user_id,
                runs.c.local_date,
                runs.c.fuel_due_at,
                runs.c.created_at,
                pending_later.label("later_pending"),
            )
            .where(runs.c.fuel_due_at.is_not(None), runs.c.fuel_due_at <= now)
            .order_by(runs.c.fuel_due_at)
            .limit(limit)
            .with_for_update(skip_locked=True, of=runs)
        )
        return [
            SnackDue(r.id, r.user_id, r.local_date, r.fuel_due_at, r.created_at, r.later_pending)
            for r in await self.conn.execute(stmt)
        ]

    async def snacks_written(self, run_ids: Sequence[int]) -> None:
        """These runs' snack nudges are written out (or dropped): not due any more."""
        if run_ids:
            await self.conn.execute(
                update(runs).where(runs.c.id.in_(list(run_ids))).values(fuel_due_at=None)
            )

    async def replaced_snacks(self, user_id: int, day: date, before_run: int) -> list[int]:
        """Earlier runs of that day still waiting for a snack nudge (a later one replaces them)."""
        stmt = select(runs.c.id).where(
            runs.c.user_id == user_id,
            runs.c.local_date == day,
            runs.c.id < before_run,
            runs.c.fuel_due_at.is_not(None),
        )
        return list((await self.conn.scalars(stmt)).all())

    async def pending_snack(self, run_id: int) -> datetime | None:
        """When a run's snack nudge is due, if it is still to come."""
        due: datetime | None = await self.conn.scalar(
            select(runs.c.fuel_due_at).where(runs.c.id == run_id)
        )
        return due

    async def cancel_run_snoozes(self, user_id: int, run_id: int) -> None:
        """Snoozes of a deleted run's snack nudge (``run:<id>~z<n>``) are dropped."""
        await self.conn.execute(
            update(nudge_oneoffs)
            .where(
                _O.user_id == user_id,
                _O.kind == FUEL,
                _O.state == "pending",
                _O.occurrence.like(f"run:{run_id}~%"),
            )
            .values(state="cancelled")
        )

    async def oneoff_states(self, user_id: int) -> dict[str, str]:
        """Occurrence -> state of every one-off of a runner (pending, claimed, cancelled)."""
        stmt = select(_O.occurrence, _O.state).where(_O.user_id == user_id).order_by(_O.id)
        return {str(r[0]): str(r[1]) for r in await self.conn.execute(stmt)}

    async def count_snoozes(self, user_id: int, kind: str, base: str) -> int:
        """How many snoozes already exist for one occurrence."""
        pattern = (
            base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + f"{SNOOZE_MARK}%"
        )
        stmt = select(func.count()).where(
            _O.user_id == user_id, _O.kind == kind, _O.occurrence.like(pattern, escape="\\")
        )
        return int(await self.conn.scalar(stmt) or 0)

    async def prune_oneoffs(self, before: datetime) -> int:
        """Delete used one-offs older than ``before``."""
        result = await self.conn.execute(
            nudge_oneoffs.delete().where(and_(_O.state != "pending", _O.due_utc < before))
        )
        return result.rowcount
