"""Pure decisions about one nudge occurrence: send it or why not, and where to."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from bot.models import Identity, User
from bot.nudges.kinds import Kind, answered_kind
from bot.nudges.recurrence import quiet_hours
from bot.storage.deliveries import NewDelivery, user_target


@dataclass(frozen=True, slots=True)
class Facts:
    """What the runners of one batch did around the due dates, read in a few queries."""

    habits: Mapping[tuple[int, date], set[tuple[str, str]]]  # (user, day) -> {(habit, kind)}
    run_days: set[tuple[int, date]]
    off: set[tuple[int, str]] = field(default_factory=set)  # (user, kind) turned off

    @classmethod
    def read(
        cls,
        checkins: Iterable[tuple[int, str, date, str]],
        run_days: set[tuple[int, date]],
        off: set[tuple[int, str]] | None = None,
    ) -> Facts:
        """From the storage rows: check-ins as (user, habit, day, kind), run days, kinds off."""
        habits: dict[tuple[int, date], set[tuple[str, str]]] = {}
        for uid, habit, day, what in checkins:
            habits.setdefault((uid, day), set()).add((habit, what))
        return cls(habits, run_days, off or set())


def done_reason(user_id: int, kind: Kind, day: date, facts: Facts) -> str:
    """Why a nudge of ``kind`` on local ``day`` is no use any more ("" when it is).

    Its habit is checked in that day ("done"), or, for pre-run mobility, the run
    is logged already. Post-run fuel is judged by the time of the snack instead.
    """
    if kind is Kind.POST_RUN_FUEL:
        return ""
    done = facts.habits.get((user_id, day), set())
    if any(answered_kind(habit, what) is kind for habit, what in done):
        return "done"
    if kind is Kind.PRE_RUN_MOBILITY and (user_id, day) in facts.run_days:
        return "run already logged"
    return ""


def skip_reason(
    user: User,
    kind: Kind,
    anchor: date,
    due: datetime,
    tz: tzinfo,
    skip_date: date | None,
    facts: Facts,
    fuel_done: bool,
) -> str:
    """Why this occurrence must not be sent, or "" to send it."""
    local = due.astimezone(tz)
    day = local.date()
    prefs = user.prefs
    if (user.id, kind.value) in facts.off:  # a snoozed copy of a kind turned off since
        return "turned off"
    if prefs.paused_until is not None and day < prefs.paused_until:
        return "paused"
    if skip_date is not None and skip_date in (anchor, day):
        return "skipped today"
    quiet = quiet_hours(user)
    if quiet is not None and not kind.quiet_move and quiet.contains(local.time()):
        return "quiet hours"
    if kind is Kind.POST_RUN_FUEL and fuel_done:
        return "done"
    return done_reason(user.id, kind, day, facts)


def route(user: User, accounts: Sequence[Identity], running: Collection[str]) -> Identity | None:
    """Where to send: the chosen platform, else the last one used, else any reachable one."""
    candidates = [a for a in accounts if a.unreachable_since is None and a.platform in running]
    for account in candidates:
        if account.platform == user.nudge_platform:
            return account
    return candidates[0] if candidates else None


def runner_delivery(
    user: User,
    kind: str,
    occurrence: str,
    anchor: date,
    due: datetime,
    reason: str,
    accounts: Sequence[Identity],
    running: Collection[str],
) -> NewDelivery:
    """A runner's message as a delivery row: ``skipped`` for ``reason``, else ``due``
    to the chat :func:`route` finds (``unreachable`` without one)."""
    to = None if reason else route(user, accounts, running)
    if reason:
        status = "skipped"
    elif to is None:
        status, reason = "unreachable", "no reachable chat"
    else:
        status = "due"
    return NewDelivery(
        target=user_target(user.id),
        kind=kind,
        occurrence=occurrence,
        due_at=due,
        status=status,
        reason=reason,
        user_id=user.id,
        anchor=anchor,
        platform=to.platform if to else None,
        chat_id=to.platform_user_id if to else None,
    )
