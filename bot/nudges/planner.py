"""The planner: each runner's next due instant per recurring kind, and a run's snack nudge.

Runs inside the caller's unit of work, so a settings change and its
reschedule, or a logged run and its snack nudge, commit together.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from bot.models import User
from bot.nudges.kinds import RECURRING_KINDS
from bot.nudges.recurrence import refresh_plan, rule_for, runner_zone
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


def snack_due(user: User, run_day: date, logged_at: datetime) -> datetime | None:
    """When a run's post-run snack nudge is due: only for a run logged on its own day.

    Written on the run row; the sweep decides then whether to send it (the kind
    turned off, a snack already checked in, or a later run of the same day
    whose nudge replaces it: one snack nudge per burst of runs).
    """
    tz = runner_zone(user)
    if tz is None or run_day != logged_at.astimezone(tz).date():
        return None
    return logged_at + timedelta(minutes=user.prefs.fuel_delay)
