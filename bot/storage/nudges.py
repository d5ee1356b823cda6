"""All SQL of the nudge engine: preferences, schedules, one-offs and delivery records.

Methods that take ``conn`` run inside the caller's ``db.transaction()``; the
others open their own transaction for writes and read through ``db.conn``.
Lists of ids are passed as one JSON array parameter (``json_each``), so no SQL
text is ever built from values.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.storage.database import Database

log = logging.getLogger(__name__)

_FUEL = "post_run_fuel"


@dataclass(frozen=True, slots=True)
class NudgePrefs:
    """A runner's nudge preferences (defaults when they never changed any)."""

    user_id: int
    wind_down_lead: int = 30
    pre_run_lead: int = 10
    fuel_delay: int = 20
    bedtime_step: int = 15
    plan_first_step: int = 30
    plan_start: str | None = None
    plan_from: str | None = None
    plan_source: str | None = None
    plan_target: str | None = None
    strength_days: str = ""
    strength_time: str | None = None
    race_date: str | None = None
    race_name: str = ""
    paused_until: str | None = None


@dataclass(frozen=True, slots=True)
class RunnerSettings:
    """Everything the schedule math needs about one runner (users row plus prefs)."""

    user_id: int
    timezone: str
    run_days: str
    run_time: str | None
    bedtime: str | None
    target_bedtime: str | None
    wake_time: str | None
    quiet_start: str | None
    quiet_end: str | None
    nudge_platform: str | None
    prefs: NudgePrefs


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One runner's schedule for one recurring kind."""

    user_id: int
    kind: str
    enabled: bool
    local_time: str | None
    days: str
    occurrence: str | None
    next_due_utc: str | None
    skip_date: str | None = None


@dataclass(frozen=True, slots=True)
class OneOff:
    """A pending one-off nudge (post-run fuel, a snoozed nudge)."""

    id: int
    user_id: int
    kind: str
    occurrence: str
    anchor: str
    due_utc: str
    run_id: int | None
    since_utc: str | None


@dataclass(frozen=True, slots=True)
class Identity:
    """A platform account of a runner, as the router sees it."""

    platform: str
    platform_user_id: str
    unreachable_since: str | None
    last_seen_at: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery record."""

    id: int
    user_id: int
    kind: str
    occurrence: str
    anchor: str
    due_utc: str
    claimed_at: str
    sent_at: str | None
    answered_at: str | None
    status: str
    reason: str
    platform: str | None
    platform_user_id: str | None
    attempts: int


_RUNNER_COLUMNS = (
    "SELECT u.id, u.timezone, u.run_days, u.run_time, u.bedtime, u.target_bedtime,"
    " u.wake_time, u.quiet_start, u.quiet_end, u.nudge_platform,"
    " p.user_id AS p_user, p.wind_down_lead, p.pre_run_lead, p.fuel_delay, p.bedtime_step,"
    " p.plan_first_step, p.plan_start, p.plan_from, p.plan_source, p.plan_target,"
    " p.strength_days, p.strength_time, p.race_date, p.race_name, p.paused_until"
    " FROM users u LEFT JOIN nudge_prefs p ON p.user_id = u.id"
)
_SQL_RUNNER = _RUNNER_COLUMNS + " WHERE u.id = ?"
_SQL_RUNNERS_IN = _RUNNER_COLUMNS + " WHERE u.id IN (SELECT value FROM json_each(?))"
_SQL_RUNNERS_ALL = _RUNNER_COLUMNS + " ORDER BY u.id"

_DELIVERY_COLUMNS = (
    "SELECT id, user_id, kind, occurrence, anchor, due_utc, claimed_at, sent_at, answered_at,"
    " status, reason, platform, platform_user_id, attempts FROM nudge_deliveries"
)


def _runner(row: Any) -> RunnerSettings:
    if row["p_user"] is None:
        prefs = NudgePrefs(user_id=row["id"])
    else:
        prefs = NudgePrefs(
            user_id=row["id"],
            wind_down_lead=row["wind_down_lead"],
            pre_run_lead=row["pre_run_lead"],
            fuel_delay=row["fuel_delay"],
            bedtime_step=row["bedtime_step"],
            plan_first_step=row["plan_first_step"],
            plan_start=row["plan_start"],
            plan_from=row["plan_from"],
            plan_source=row["plan_source"],
            plan_target=row["plan_target"],
            strength_days=row["strength_days"],
            strength_time=row["strength_time"],
            race_date=row["race_date"],
            race_name=row["race_name"],
            paused_until=row["paused_until"],
        )
    return RunnerSettings(
        user_id=row["id"],
        timezone=row["timezone"],
        run_days=row["run_days"],
        run_time=row["run_time"],
        bedtime=row["bedtime"],
        target_bedtime=row["target_bedtime"],
        wake_time=row["wake_time"],
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        nudge_platform=row["nudge_platform"],
        prefs=prefs,
    )


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        occurrence=row["occurrence"],
        anchor=row["anchor"],
        due_utc=row["due_utc"],
        claimed_at=row["claimed_at"],
        sent_at=row["sent_at"],
        answered_at=row["answered_at"],
        status=row["status"],
        reason=row["reason"],
        platform=row["platform"],
        platform_user_id=row["platform_user_id"],
        attempts=row["attempts"],
    )


def _prefs_params(prefs: NudgePrefs, now_iso: str) -> tuple[Any, ...]:
    return (
        prefs.user_id,
        prefs.wind_down_lead,
        prefs.pre_run_lead,
        prefs.fuel_delay,
        prefs.bedtime_step,
        prefs.plan_first_step,
        prefs.plan_start,
        prefs.plan_from,
        prefs.plan_source,
        prefs.plan_target,
        prefs.strength_days,
        prefs.strength_time,
        prefs.race_date,
        prefs.race_name,
        prefs.paused_until,
        now_iso,
    )


_SQL_SAVE_PREFS = """
INSERT INTO nudge_prefs (user_id, wind_down_lead, pre_run_lead, fuel_delay, bedtime_step,
    plan_first_step, plan_start, plan_from, plan_source, plan_target, strength_days,
    strength_time, race_date, race_name, paused_until, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET
    wind_down_lead = excluded.wind_down_lead, pre_run_lead = excluded.pre_run_lead,
    fuel_delay = excluded.fuel_delay, bedtime_step = excluded.bedtime_step,
    plan_first_step = excluded.plan_first_step, plan_start = excluded.plan_start,
    plan_from = excluded.plan_from, plan_source = excluded.plan_source,
    plan_target = excluded.plan_target, strength_days = excluded.strength_days,
    strength_time = excluded.strength_time, race_date = excluded.race_date,
    race_name = excluded.race_name, paused_until = excluded.paused_until,
    updated_at = excluded.updated_at
"""

# A disabled kind keeps its row (so /nudges can show it) but never a due instant.
_SQL_UPSERT_SCHEDULE = """
INSERT INTO nudge_schedules (user_id, kind, enabled, local_time, days, occurrence,
    next_due_utc, updated_at)
VALUES (?, ?, 1, ?, ?, ?, ?, ?)
ON CONFLICT (user_id, kind) DO UPDATE SET
    local_time = excluded.local_time, days = excluded.days,
    occurrence = CASE WHEN nudge_schedules.enabled THEN excluded.occurrence END,
    next_due_utc = CASE WHEN nudge_schedules.enabled THEN excluded.next_due_utc END,
    updated_at = excluded.updated_at
"""


def _oneoff(r: sqlite3.Row) -> OneOff:
    return OneOff(
        id=r["id"],
        user_id=r["user_id"],
        kind=r["kind"],
        occurrence=r["occurrence"],
        anchor=r["anchor"],
        due_utc=r["due_utc"],
        run_id=r["run_id"],
        since_utc=r["since_utc"],
    )


def _schedule_row(r: sqlite3.Row) -> ScheduleRow:
    return ScheduleRow(
        user_id=r["user_id"],
        kind=r["kind"],
        enabled=bool(r["enabled"]),
        local_time=r["local_time"],
        days=r["days"],
        occurrence=r["occurrence"],
        next_due_utc=r["next_due_utc"],
        skip_date=r["skip_date"],
    )


class NudgeStore:
    """Repository for the nudge tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- runners and preferences -------------------------------------------------

    async def runner(
        self, user_id: int, conn: aiosqlite.Connection | None = None
    ) -> RunnerSettings | None:
        """One runner's settings, or None when there is no such user."""
        async with (conn or self.db.conn).execute(_SQL_RUNNER, (user_id,)) as cur:
            row = await cur.fetchone()
        return _runner(row) if row is not None else None

    async def runners(
        self, user_ids: Sequence[int] | None = None, conn: aiosqlite.Connection | None = None
    ) -> list[RunnerSettings]:
        """Settings of the given runners (all runners when ``user_ids`` is None)."""
        c = conn or self.db.conn
        if user_ids is None:
            async with c.execute(_SQL_RUNNERS_ALL) as cur:
                rows = await cur.fetchall()
        else:
            async with c.execute(_SQL_RUNNERS_IN, (json.dumps(list(user_ids)),)) as cur:
                rows = await cur.fetchall()
        return [_runner(r) for r in rows]

    async def save_prefs(
        self, conn: aiosqlite.Connection, prefs: Iterable[NudgePrefs], now_iso: str
    ) -> None:
        """Insert or replace preference rows."""
        await conn.executemany(_SQL_SAVE_PREFS, [_prefs_params(p, now_iso) for p in prefs])

    # --- schedules ---------------------------------------------------------------

    async def upsert_schedules(
        self, conn: aiosqlite.Connection, rows: Iterable[ScheduleRow], now_iso: str
    ) -> None:
        """Write computed schedules, keeping each row's enabled flag."""
        await conn.executemany(
            _SQL_UPSERT_SCHEDULE,
            [
                (r.user_id, r.kind, r.local_time, r.days, r.occurrence, r.next_due_utc, now_iso)
                for r in rows
            ],
        )

    async def schedules(
        self, user_id: int, conn: aiosqlite.Connection | None = None
    ) -> list[ScheduleRow]:
        """A runner's schedule rows."""
        async with (conn or self.db.conn).execute(
            "SELECT user_id, kind, enabled, local_time, days, occurrence, next_due_utc, skip_date"
            " FROM nudge_schedules WHERE user_id = ? ORDER BY kind",
            (user_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [_schedule_row(r) for r in rows]

    async def set_enabled(
        self, conn: aiosqlite.Connection, user_id: int, kind: str, enabled: bool, now_iso: str
    ) -> None:
        """Turn a kind on or off (off also clears its due instant)."""
        await conn.execute(
            "INSERT INTO nudge_schedules (user_id, kind, enabled, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, kind) DO UPDATE SET enabled = excluded.enabled,"
            " next_due_utc = CASE WHEN excluded.enabled THEN next_due_utc END,"
            " occurrence = CASE WHEN excluded.enabled THEN occurrence END,"
            " updated_at = excluded.updated_at",
            (user_id, kind, int(enabled), now_iso),
        )

    async def set_skip_date(
        self, conn: aiosqlite.Connection, user_id: int, kind: str, local_date: str
    ) -> None:
        """Remember "skip today" for a recurring kind."""
        await conn.execute(
            "UPDATE nudge_schedules SET skip_date = ? WHERE user_id = ? AND kind = ?",
            (local_date, user_id, kind),
        )

    async def due_schedules(
        self, conn: aiosqlite.Connection, now_iso: str, limit: int
    ) -> list[ScheduleRow]:
        """Enabled schedule rows due at or before ``now`` (oldest first)."""
        async with conn.execute(
            "SELECT user_id, kind, enabled, local_time, days, occurrence, next_due_utc, skip_date"
            " FROM nudge_schedules WHERE next_due_utc IS NOT NULL AND next_due_utc <= ?"
            " ORDER BY next_due_utc LIMIT ?",
            (now_iso, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [_schedule_row(r) for r in rows]

    async def advance_schedule(
        self,
        conn: aiosqlite.Connection,
        row: ScheduleRow,
        *,
        next_due_utc: str | None,
        occurrence: str | None,
        local_time: str | None,
        now_iso: str,
    ) -> bool:
        """Move a claimed row to its next occurrence; False if someone else moved it first."""
        cur = await conn.execute(
            "UPDATE nudge_schedules SET next_due_utc = ?, occurrence = ?, local_time = ?,"
            " updated_at = ? WHERE user_id = ? AND kind = ? AND next_due_utc = ?",
            (
                next_due_utc,
                occurrence,
                local_time,
                now_iso,
                row.user_id,
                row.kind,
                row.next_due_utc,
            ),
        )
        return cur.rowcount == 1

    async def next_due(self, conn: aiosqlite.Connection | None = None) -> str | None:
        """The earliest due instant of any schedule or pending one-off."""
        async with (conn or self.db.conn).execute(
            "SELECT min(d) FROM (SELECT min(next_due_utc) AS d FROM nudge_schedules"
            " WHERE next_due_utc IS NOT NULL"
            " UNION ALL SELECT min(due_utc) FROM nudge_oneoffs WHERE state = 'pending')"
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else row[0]

    # --- one-offs ----------------------------------------------------------------

    async def insert_oneoff(
        self,
        conn: aiosqlite.Connection | None,
        *,
        user_id: int,
        kind: str,
        occurrence: str,
        anchor: str,
        due_utc: str,
        now_iso: str,
        run_id: int | None = None,
        since_utc: str | None = None,
    ) -> bool:
        """Add a one-off nudge; False when that occurrence already exists.

        With ``conn`` None it is a write of its own, outside any transaction.
        """
        sql = (
            "INSERT OR IGNORE INTO nudge_oneoffs (user_id, kind, occurrence, anchor, due_utc,"
            " run_id, since_utc, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        params = (user_id, kind, occurrence, anchor, due_utc, run_id, since_utc, now_iso)
        if conn is None:
            _, rowcount = await self.db.write(sql, params)
            return rowcount == 1
        cur = await conn.execute(sql, params)
        return cur.rowcount == 1

    async def due_oneoffs(
        self, conn: aiosqlite.Connection, now_iso: str, limit: int
    ) -> list[OneOff]:
        """Pending one-offs due at or before ``now``."""
        async with conn.execute(
            "SELECT id, user_id, kind, occurrence, anchor, due_utc, run_id, since_utc"
            " FROM nudge_oneoffs WHERE state = 'pending' AND due_utc <= ?"
            " ORDER BY due_utc LIMIT ?",
            (now_iso, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [_oneoff(r) for r in rows]

    async def pending_oneoffs(self, user_id: int) -> list[OneOff]:
        """A runner's pending one-offs, soonest first."""
        async with self.db.conn.execute(
            "SELECT id, user_id, kind, occurrence, anchor, due_utc, run_id, since_utc"
            " FROM nudge_oneoffs WHERE state = 'pending' AND user_id = ? ORDER BY due_utc",
            (user_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [_oneoff(r) for r in rows]

    async def claim_oneoff(self, conn: aiosqlite.Connection, oneoff_id: int) -> bool:
        """Mark a pending one-off claimed; False if it was no longer pending."""
        cur = await conn.execute(
            "UPDATE nudge_oneoffs SET state = 'claimed' WHERE id = ? AND state = 'pending'",
            (oneoff_id,),
        )
        return cur.rowcount == 1

    async def cancel_oneoffs(
        self, conn: aiosqlite.Connection, user_id: int, kind: str | None, anchor: str | None
    ) -> int:
        """Cancel pending one-offs of a runner (optionally one kind, one anchor date)."""
        cur = await conn.execute(
            "UPDATE nudge_oneoffs SET state = 'cancelled' WHERE user_id = ? AND state = 'pending'"
            " AND (? IS NULL OR kind = ?) AND (? IS NULL OR anchor = ?)",
            (user_id, kind, kind, anchor, anchor),
        )
        return cur.rowcount

    async def plan_fuel(
        self,
        conn: aiosqlite.Connection,
        *,
        user_id: int,
        run_id: int,
        anchor: str,
        due_utc: str,
        since_utc: str,
        now_iso: str,
    ) -> bool:
        """Add a run's post-run fuel one-off, replacing a pending one of the same local day.

        One snack nudge per burst of runs: an earlier run's fuel nudge still
        pending that day is cancelled with ``replaced_by`` set to this run, so
        :meth:`drop_run_fuel` can bring it back if this run is deleted. False
        (and nothing replaced) when this run already has its one-off.
        """
        added = await self.insert_oneoff(
            conn,
            user_id=user_id,
            kind=_FUEL,
            occurrence=f"run:{run_id}",
            anchor=anchor,
            due_utc=due_utc,
            now_iso=now_iso,
            run_id=run_id,
            since_utc=since_utc,
        )
        if added:
            await conn.execute(
                "UPDATE nudge_oneoffs SET state = 'cancelled', replaced_by = ?"
                " WHERE user_id = ? AND kind = ? AND anchor = ? AND state = 'pending'"
                " AND run_id IS NOT NULL AND run_id != ?",
                (run_id, user_id, _FUEL, anchor, run_id),
            )
        return added

    async def drop_run_fuel(self, conn: aiosqlite.Connection, user_id: int, run_id: int) -> bool:
        """Cancel the pending fuel one-off of a deleted run; True when one was cancelled.

        If that pending one-off had replaced an earlier run's (same day, see
        :meth:`plan_fuel`) and that run still exists, the earlier one is pending
        again. If the deleted run's one-off had itself been replaced, whatever it
        replaced now counts as replaced by its replacer, so the chain stays whole.
        Snoozes of that run's nudge (occurrence ``run:<id>~z<n>``) are cancelled too.
        """
        await conn.execute(
            "UPDATE nudge_oneoffs SET state = 'cancelled' WHERE user_id = ? AND kind = ?"
            " AND state = 'pending' AND occurrence LIKE ?",
            (user_id, _FUEL, f"run:{run_id}~%"),
        )
        async with conn.execute(
            "SELECT id, state, replaced_by FROM nudge_oneoffs"
            " WHERE user_id = ? AND kind = ? AND run_id = ?",
            (user_id, _FUEL, run_id),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return False
        if row["state"] != "pending":
            if row["state"] == "cancelled" and row["replaced_by"] is not None:
                await conn.execute(
                    "UPDATE nudge_oneoffs SET replaced_by = ? WHERE user_id = ? AND kind = ?"
                    " AND state = 'cancelled' AND replaced_by = ?",
                    (row["replaced_by"], user_id, _FUEL, run_id),
                )
            return False
        await conn.execute(
            "UPDATE nudge_oneoffs SET state = 'cancelled' WHERE id = ? AND state = 'pending'",
            (row["id"],),
        )
        await conn.execute(
            "UPDATE nudge_oneoffs SET state = 'pending', replaced_by = NULL WHERE id = ("
            " SELECT o.id FROM nudge_oneoffs o JOIN runs r ON r.id = o.run_id"
            " WHERE o.user_id = ? AND o.kind = ? AND o.state = 'cancelled'"
            " AND o.replaced_by = ? ORDER BY o.id DESC LIMIT 1)",
            (user_id, _FUEL, run_id),
        )
        return True

    async def oneoff_states(self, user_id: int) -> dict[str, str]:
        """Occurrence -> state of every one-off of a runner (pending, claimed, cancelled)."""
        async with self.db.conn.execute(
            "SELECT occurrence, state FROM nudge_oneoffs WHERE user_id = ? ORDER BY id",
            (user_id,),
        ) as cur:
            rows = await cur.fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    async def count_snoozes(
        self, conn: aiosqlite.Connection, user_id: int, kind: str, base: str
    ) -> int:
        """How many snoozes already exist for one occurrence."""
        async with conn.execute(
            "SELECT count(*) FROM nudge_oneoffs WHERE user_id = ? AND kind = ?"
            " AND occurrence LIKE ? ESCAPE '\\'",
            (user_id, kind, base.replace("%", "\\%").replace("_", "\\_") + "~z%"),
        ) as cur:
            row = await cur.fetchone()
        return 0 if row is None else int(row[0])

    # --- deliveries --------------------------------------------------------------

    async def insert_delivery(
        self,
        conn: aiosqlite.Connection,
        *,
        user_id: int,
        kind: str,
        occurrence: str,
        anchor: str,
        due_utc: str,
        claimed_at: str,
        status: str,
        reason: str = "",
        platform: str | None = None,
        platform_user_id: str | None = None,
    ) -> int | None:
        """Record one occurrence; None when it was already recorded (the unique key)."""
        cur = await conn.execute(
            "INSERT OR IGNORE INTO nudge_deliveries (user_id, kind, occurrence, anchor, due_utc,"
            " claimed_at, status, reason, platform, platform_user_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                kind,
                occurrence,
                anchor,
                due_utc,
                claimed_at,
                status,
                reason,
                platform,
                platform_user_id,
            ),
        )
        if cur.rowcount != 1:
            return None
        return cur.lastrowid

    async def record_outcome(
        self,
        delivery_id: int,
        *,
        status: str,
        reason: str,
        attempts: int,
        sent_at: str | None,
    ) -> None:
        """Store how sending a claimed delivery ended."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE nudge_deliveries SET status = ?, reason = ?, attempts = ?,"
                " sent_at = coalesce(?, sent_at) WHERE id = ?",
                (status, reason, attempts, sent_at, delivery_id),
            )

    async def fail_stale_claims(
        self, conn: aiosqlite.Connection, older_than_iso: str, in_flight: Iterable[int]
    ) -> int:
        """Mark claims nobody is sending any more as failed (the process died before sending)."""
        cur = await conn.execute(
            "UPDATE nudge_deliveries SET status = 'failed', reason = 'crashed before send'"
            " WHERE status = 'claimed' AND claimed_at < ?"
            " AND id NOT IN (SELECT value FROM json_each(?))",
            (older_than_iso, json.dumps(sorted(in_flight))),
        )
        return cur.rowcount

    async def delivery(self, delivery_id: int) -> Delivery | None:
        """One delivery record."""
        async with self.db.conn.execute(_DELIVERY_COLUMNS + " WHERE id = ?", (delivery_id,)) as cur:
            row = await cur.fetchone()
        return _delivery(row) if row is not None else None

    async def deliveries(self, user_id: int | None = None) -> list[Delivery]:
        """Delivery records, oldest first (one runner's, or all)."""
        async with self.db.conn.execute(
            _DELIVERY_COLUMNS + " WHERE (? IS NULL OR user_id = ?) ORDER BY id",
            (user_id, user_id),
        ) as cur:
            rows = await cur.fetchall()
        return [_delivery(r) for r in rows]

    async def mark_answered(
        self, conn: aiosqlite.Connection, delivery_id: int, when_iso: str
    ) -> None:
        """Note that the runner tapped an answer on a delivered nudge."""
        await conn.execute(
            "UPDATE nudge_deliveries SET answered_at = coalesce(answered_at, ?) WHERE id = ?",
            (when_iso, delivery_id),
        )

    async def answer_once(
        self, conn: aiosqlite.Connection, delivery_id: int, when_iso: str
    ) -> bool:
        """Mark a delivery answered; False when it already was (a second tap)."""
        cur = await conn.execute(
            "UPDATE nudge_deliveries SET answered_at = ? WHERE id = ? AND answered_at IS NULL",
            (when_iso, delivery_id),
        )
        return cur.rowcount == 1

    # --- what the runner already did -------------------------------------------

    async def checkins_between(
        self, conn: aiosqlite.Connection, user_ids: Sequence[int], first: str, last: str
    ) -> set[tuple[int, str, str, str]]:
        """(user_id, habit, local_date, kind) of the runners' check-ins in a date range."""
        async with conn.execute(
            "SELECT DISTINCT user_id, habit, local_date, kind FROM checkins"
            " WHERE user_id IN (SELECT value FROM json_each(?))"
            " AND local_date BETWEEN ? AND ?",
            (json.dumps(list(user_ids)), first, last),
        ) as cur:
            rows = await cur.fetchall()
        return {(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows}

    async def runs_between(
        self, conn: aiosqlite.Connection, user_ids: Sequence[int], first: str, last: str
    ) -> set[tuple[int, str]]:
        """(user_id, local_date) of the runners' logged runs in a date range."""
        async with conn.execute(
            "SELECT DISTINCT user_id, local_date FROM runs"
            " WHERE user_id IN (SELECT value FROM json_each(?))"
            " AND local_date BETWEEN ? AND ?",
            (json.dumps(list(user_ids)), first, last),
        ) as cur:
            rows = await cur.fetchall()
        return {(int(r[0]), str(r[1])) for r in rows}

    async def fuel_since(self, conn: aiosqlite.Connection, user_id: int, since_iso: str) -> bool:
        """Whether a fuel check-in was created at or after an instant."""
        async with conn.execute(
            "SELECT 1 FROM checkins WHERE user_id = ? AND habit = 'fuel' AND created_at >= ?"
            " LIMIT 1",
            (user_id, since_iso),
        ) as cur:
            return await cur.fetchone() is not None

    async def run(self, run_id: int) -> tuple[int, str] | None:
        """(user_id, local_date) of a run."""
        async with self.db.conn.execute(
            "SELECT user_id, local_date FROM runs WHERE id = ?", (run_id,)
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    async def strength_sessions(self, conn: aiosqlite.Connection | None, user_id: int) -> int:
        """How many core (plank-family) strength sessions the runner has checked in."""
        async with (conn or self.db.conn).execute(
            "SELECT count(DISTINCT local_date) FROM checkins"
            " WHERE user_id = ? AND habit = 'strength' AND kind != 'deadlift'",
            (user_id,),
        ) as cur:
            row = await cur.fetchone()
        return 0 if row is None else int(row[0])

    # --- where to send ------------------------------------------------------------

    async def identities(
        self, conn: aiosqlite.Connection | None, user_ids: Sequence[int]
    ) -> dict[int, list[Identity]]:
        """Each runner's platform identities, most recently seen first."""
        found: dict[int, list[Identity]] = {uid: [] for uid in user_ids}
        async with (conn or self.db.conn).execute(
            "SELECT user_id, platform, platform_user_id, unreachable_since, last_seen_at"
            " FROM identities WHERE user_id IN (SELECT value FROM json_each(?))"
            " ORDER BY user_id, last_seen_at DESC",
            (json.dumps(list(user_ids)),),
        ) as cur:
            rows = await cur.fetchall()
        for r in rows:
            found.setdefault(r["user_id"], []).append(
                Identity(
                    r["platform"], r["platform_user_id"], r["unreachable_since"], r["last_seen_at"]
                )
            )
        return found

    async def mark_unreachable(self, platform: str, platform_user_id: str, when_iso: str) -> None:
        """Remember that an identity refuses direct messages (kept from the first refusal)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE identities SET unreachable_since = ?, unreachable_told = 0"
                " WHERE platform = ? AND platform_user_id = ? AND unreachable_since IS NULL",
                (when_iso, platform, platform_user_id),
            )

    async def prune(self, before_iso: str) -> int:
        """Delete finished delivery records and used one-offs older than ``before``.

        Safe: an occurrence that old is never claimed again (its schedule moved on),
        so its unique key no longer guards anything.
        """
        _, deliveries = await self.db.write(
            "DELETE FROM nudge_deliveries WHERE status != 'claimed' AND due_utc < ?",
            (before_iso,),
        )
        _, oneoffs = await self.db.write(
            "DELETE FROM nudge_oneoffs WHERE state != 'pending' AND due_utc < ?", (before_iso,)
        )
        return deliveries + oneoffs
