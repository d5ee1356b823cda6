"""The planner: each runner's next due instant per recurring kind, and post-run fuel one-offs.

Runs inside the caller's unit of work, so a settings change and its
reschedule, or a logged run and its snack nudge, commit together.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.models import Run, User
from bot.nudges.kinds import RECURRING_KINDS, Kind
from bot.nudges.rules import refresh_plan, rule_for, runner_zone
from bot.nudges.schedule import format_hhmm, next_occurrence
from bot.storage.nudges import ScheduleRow
from bot.storage.uow import UnitOfWork

# A minute back, so an occurrence due this very moment is not pushed to tomorrow;
# if it was already delivered its unique key makes it a no-op.
_RESCHEDULE_SLACK = timedelta(minutes=1)


def schedule_rows(user: User, after: datetime) -> list[ScheduleRow]:
    """The next occurrence of every recurring kind after ``after`` (pure)."""
    tz = runner_zone(user)
    rows = []
    for kind in RECURRING_KINDS:
        rule = rule_for(user, kind)
        occ = next_occurrence(rule, after) if rule is not None else None
        rows.append(
            ScheduleRow(
                user_id=user.id,
                kind=kind.value,
                local_time=format_hhmm(occ.due.astimezone(tz or UTC).time()) if occ else None,
                days=tuple(sorted(rule.days)) if rule else (),
                occurrence=occ.anchor if occ else None,
                next_due=occ.due if occ else None,
            )
        )
    return rows


async def reschedule(uow: UnitOfWork, users: Sequence[User], now: datetime) -> list[User]:
    """Recompute schedules (and move bedtime plans on) for runners; the updated runners."""
    prefs_rows = []
    rows: list[ScheduleRow] = []
    updated = []
    for user in users:
        today = now.astimezone(runner_zone(user) or UTC).date()
        prefs = refresh_plan(user, today)
        if prefs != user.prefs:
            prefs_rows.append((user.id, prefs))
            user = dataclasses.replace(user, prefs=prefs)
        rows.extend(schedule_rows(user, now - _RESCHEDULE_SLACK))
        updated.append(user)
    await uow.runners.save_prefs(prefs_rows, now)
    await uow.nudges.upsert_schedules(rows, now)
    return updated


async def plan_fuel(uow: UnitOfWork, user: User, run: Run, logged_at: datetime) -> datetime | None:
    """Plan the one post-run fuel nudge of a run just logged; when it is due (UTC), or None.

    Nothing for a run logged for an earlier day, when the kind is off, or
    twice for one run. One snack nudge per burst: a pending fuel nudge of an
    earlier run the same local day is replaced by this run's (it comes back
    if this run is deleted).
    """
    tz = runner_zone(user)
    if tz is None or run.local_date != logged_at.astimezone(tz).date():
        return None
    if Kind.POST_RUN_FUEL.value in await uow.nudges.disabled_kinds(user.id):
        return None
    due = logged_at + timedelta(minutes=user.prefs.fuel_delay)
    added = await uow.nudges.plan_fuel(
        user_id=user.id,
        run_id=run.id,
        anchor=run.local_date,
        due=due,
        since=logged_at,
        now=logged_at,
    )
    return due if added else None


async def drop_fuel(uow: UnitOfWork, user_id: int, run_id: int) -> None:
    """A run was deleted: its pending snack nudge (and snoozes of it) go too."""
    await uow.nudges.drop_run_fuel(user_id, run_id)
