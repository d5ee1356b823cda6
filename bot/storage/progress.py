"""Progress queries for /stats, the charts and the digest: SQL aggregates, never a run list.

Every query reads one runner's rows through the ``(user_id, local_date)`` indexes and
returns sums and counts, by period or by week (Monday to Sunday), whatever the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, Text, and_, case, cast, distinct, exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import GOOD_NIGHT_HOURS, Run
from bot.storage.sql import run_from
from bot.storage.tables import checkins, runs


@dataclass(frozen=True, slots=True)
class RunTotals:
    """Runs of a period (or a week) summed up."""

    runs: int = 0
    run_days: int = 0
    distance_m: float = 0.0
    duration_s: int = 0
    first: date | None = None


@dataclass(frozen=True, slots=True)
class HabitCounts:
    """The four habits of a period (or a week), counted as /week counts them."""

    nights_logged: int = 0
    good_nights: int = 0  # nights of 7 h or more
    mobility_sessions: int = 0  # one per day and phase
    strength_sessions: int = 0  # one per day
    snacks_after_runs: int = 0  # run days with a snack checked in
    mobility_on_run_days: int = 0  # of mobility_sessions, those on a day with a run


def week_of(column: Any, dialect: str) -> Any:
    """The Monday of a date column's week, in SQL."""
    if dialect == "sqlite":
        back = (cast(func.strftime("%w", column), Integer) + 6) % 7
        return func.date(column, func.printf("-%d days", back), type_=Date)
    return cast(func.date_trunc("week", column), Date)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class ProgressRepository:
    """Aggregates over one runner's runs and check-ins, bound to one unit of work."""

    def __init__(self, conn: AsyncConnection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    async def run_totals(self, user_id: int, start: date, end: date) -> RunTotals:
        """Runs with start <= local_date <= end, summed."""
        stmt = select(*_run_columns()).where(
            runs.c.user_id == user_id, runs.c.local_date.between(start, end)
        )
        return _totals((await self.conn.execute(stmt)).one())

    async def runs_by_week(self, user_id: int, start: date, end: date) -> dict[date, RunTotals]:
        """Runs summed per week (keyed by Monday), weeks without a run left out."""
        week = week_of(runs.c.local_date, self.dialect).label("week")
        stmt = (
            select(week, *_run_columns())
            .where(runs.c.user_id == user_id, runs.c.local_date.between(start, end))
            .group_by(week)
        )
        return {_day(r[0]): _totals(r[1:]) for r in await self.conn.execute(stmt)}

    async def longest_run(self, user_id: int, start: date, end: date) -> Run | None:
        """The longest run of a period (the earliest of equals)."""
        stmt = (
            select(runs)
            .where(runs.c.user_id == user_id, runs.c.local_date.between(start, end))
            .order_by(runs.c.distance_m.desc(), runs.c.local_date, runs.c.id)
            .limit(1)
        )
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else run_from(row)

    async def habit_counts(self, user_id: int, start: date, end: date) -> HabitCounts:
        """The habits of a period."""
        stmt = select(*_habit_columns()).where(
            checkins.c.user_id == user_id, checkins.c.local_date.between(start, end)
        )
        return HabitCounts(*(int(v or 0) for v in (await self.conn.execute(stmt)).one()))

    async def habits_by_week(self, user_id: int, start: date, end: date) -> dict[date, HabitCounts]:
        """The habits per week (keyed by Monday), weeks without a check-in left out."""
        week = week_of(checkins.c.local_date, self.dialect).label("week")
        stmt = (
            select(week, *_habit_columns())
            .where(checkins.c.user_id == user_id, checkins.c.local_date.between(start, end))
            .group_by(week)
        )
        return {
            _day(r[0]): HabitCounts(*(int(v or 0) for v in r[1:]))
            for r in await self.conn.execute(stmt)
        }

    async def first_day(self, user_id: int) -> date | None:
        """The earliest local date with a run or a check-in."""
        first_run = select(func.min(runs.c.local_date)).where(runs.c.user_id == user_id)
        first_checkin = select(func.min(checkins.c.local_date)).where(checkins.c.user_id == user_id)
        found = [await self.conn.scalar(first_run), await self.conn.scalar(first_checkin)]
        days = [_day(d) for d in found if d is not None]
        return min(days) if days else None


def _run_columns() -> list[Any]:
    return [
        func.count(),
        func.count(distinct(runs.c.local_date)),
        func.coalesce(func.sum(runs.c.distance_m), 0.0),
        func.coalesce(func.sum(runs.c.duration_s), 0),
        func.min(runs.c.local_date),
    ]


def _totals(row: Sequence[Any]) -> RunTotals:
    first = None if row[4] is None else _day(row[4])
    return RunTotals(int(row[0]), int(row[1]), float(row[2]), int(row[3]), first)


def _habit_columns() -> list[Any]:
    c = checkins.c
    sleep = c.habit == "sleep"
    ran_that_day = exists().where(runs.c.user_id == c.user_id, runs.c.local_date == c.local_date)
    return [
        func.count(distinct(case((sleep, c.local_date)))),
        func.count(distinct(case((and_(sleep, c.hours >= GOOD_NIGHT_HOURS), c.local_date)))),
        func.count(
            distinct(case((c.habit == "mobility", cast(c.local_date, Text).concat(c.kind))))
        ),
        func.count(distinct(case((c.habit == "strength", c.local_date)))),
        func.count(distinct(case((and_(c.habit == "fuel", ran_that_day), c.local_date)))),
        func.count(
            distinct(
                case(
                    (
                        and_(c.habit == "mobility", ran_that_day),
                        cast(c.local_date, Text).concat(c.kind),
                    )
                )
            )
        ),
    ]
