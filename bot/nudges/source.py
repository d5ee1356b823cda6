"""Nudges as a source of scheduled messages for the sweep.

``materialize`` turns schedule rows and one-offs that fell due into delivery
rows (``due`` with a route, or ``skipped``/``unreachable`` with the reason) and
moves each schedule on to its next occurrence; ``render`` words a claimed nudge.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.coaching import session_after
from bot.messages import Reply
from bot.models import User
from bot.nudges.decisions import Facts, runner_delivery, skip_reason
from bot.nudges.kinds import Kind
from bot.nudges.recurrence import parse_time_or_none, plan_on, rule_for, runner_zone
from bot.nudges.schedule import Occurrence, format_hhmm, next_occurrence
from bot.nudges.texts import RACE_WEEKS_DAYS, NudgeContext, nudge_reply
from bot.storage.deliveries import Delivery, NewDelivery
from bot.storage.nudges import OneOff, ScheduleMove, ScheduleRow, SnackDue
from bot.storage.uow import UnitOfWork

NUDGE_KINDS = frozenset(k.value for k in Kind)
FUEL = Kind.POST_RUN_FUEL  # storage knows it by its value only


@dataclass(frozen=True, slots=True)
class NudgeSourceSettings:
    """Tunables of when nudges are due."""

    grace_minutes: int = 120
    fuel_lookback_minutes: int = 60  # a fuel check-in this long before logging the run counts


class NudgeSource:
    """Writes due nudges as delivery rows and words them when claimed."""

    kinds = NUDGE_KINDS

    def __init__(
        self, running: Callable[[], Collection[str]], settings: NudgeSourceSettings | None = None
    ) -> None:
        self._running = running
        self.settings = settings or NudgeSourceSettings()

    async def materialize(self, uow: UnitOfWork, now: datetime, limit: int) -> tuple[int, bool]:
        """Write the delivery rows of every schedule and one-off due by ``now``."""
        earliest = await uow.nudges.next_due()
        if earliest is None or earliest > now:
            return 0, False  # the common case: two indexed reads, nothing to write
        rows = await uow.nudges.due_schedules(now, limit)
        oneoffs = await uow.nudges.due_oneoffs(now, limit)
        snacks = await uow.nudges.due_snacks(now, limit)
        user_ids = sorted(
            {r.user_id for r in rows} | {o.user_id for o in oneoffs} | {s.user_id for s in snacks}
        )
        if not user_ids:
            return 0, False
        batch = _Batch(self, uow, now, await uow.runners.many(user_ids))
        await batch.load_facts(user_ids)
        for row in rows:
            await batch.schedule(row)
        for oneoff in oneoffs:
            if await uow.nudges.claim_oneoff(oneoff.id):
                await batch.oneoff(oneoff)
        snacks_done = await batch.snacks(snacks)
        written = await batch.write()
        more_snacks = len(snacks) >= limit and snacks_done > 0
        return written, len(rows) >= limit or len(oneoffs) >= limit or more_snacks

    async def render(
        self, uow: UnitOfWork, items: Sequence[Delivery], now: datetime
    ) -> dict[int, Reply | str]:
        """The nudge text and buttons of each claimed delivery."""

        async def word(user: User, item: Delivery) -> Reply:
            assert item.anchor is not None
            return await nudge_message(uow, user, Kind(item.kind), item.id, item.anchor)

        return await render_each(uow, items, word)


async def render_each(
    uow: UnitOfWork,
    items: Sequence[Delivery],
    word: Callable[[User, Delivery], Awaitable[Reply]],
) -> dict[int, Reply | str]:
    """Each claimed runner's message, worded by ``word``; "runner gone" for a runner
    deleted since (or a row without its local date)."""
    users = {u.id: u for u in await uow.runners.many(sorted({i.user_id or 0 for i in items}))}
    out: dict[int, Reply | str] = {}
    for item in items:
        user = users.get(item.user_id or 0)
        if user is None or item.anchor is None:
            out[item.id] = "runner gone"
            continue
        out[item.id] = await word(user, item)
    return out


async def nudge_message(
    uow: UnitOfWork, user: User, kind: Kind, delivery_id: int, anchor: date
) -> Reply:
    """The nudge a runner gets for one occurrence."""
    prefs = user.prefs
    days_left: int | None = None
    if prefs.race_date is not None:
        # From the anchor: the evening a late wind-down belongs to, the morning.
        left = (prefs.race_date - anchor).days
        if 0 <= left <= RACE_WEEKS_DAYS:
            days_left = left
    plan = plan_on(user, anchor) if kind is Kind.WIND_DOWN else None
    session = None
    if kind is Kind.STRENGTH:
        session = session_after(await uow.activity.strength_checkins(user.id))
    ctx = NudgeContext(
        delivery_id=delivery_id,
        seq=anchor.toordinal() + user.id,
        bedtime=plan.this_week if plan else None,
        target_bedtime=plan.target if plan else None,
        run_time=parse_time_or_none(user.run_time),
        race_days_left=days_left,
        race_name=prefs.race_name,
        session=session,
    )
    return nudge_reply(kind, ctx)


class _Batch:
    """One materialize pass: the runners, what they did, and the rows to write.

    The rows are written together at the end (:meth:`write`): two statements for the
    whole batch rather than two per row, so the transaction, and on SQLite the write
    lock that replies and sends wait for, is held briefly.
    """

    def __init__(self, source: NudgeSource, uow: UnitOfWork, now: datetime, users: list[User]):
        self.source = source
        self.uow = uow
        self.now = now
        self.users = {u.id: u for u in users}
        self.grace = timedelta(minutes=source.settings.grace_minutes)
        self.running = set(source._running())
        self.rows: list[NewDelivery] = []
        self.moves: list[ScheduleMove] = []
        self.facts = Facts({}, set())
        self.accounts: dict[int, list] = {}  # type: ignore[type-arg]

    async def load_facts(self, user_ids: list[int]) -> None:
        # Done checks matter only inside the grace window, whose local dates lie
        # within a day of it (UTC offsets are under a day).
        first = (self.now - self.grace - timedelta(days=1)).date()
        last = (self.now + timedelta(days=1)).date()
        self.facts = Facts.read(
            await self.uow.activity.habits_of(user_ids, first, last),
            await self.uow.activity.run_days_of(user_ids, first, last),
            await self.uow.nudges.turned_off(user_ids),
        )
        self.accounts = await self.uow.runners.identities(user_ids)

    async def schedule(self, row: ScheduleRow) -> None:
        """Write the occurrence a schedule row holds (and any later one inside the grace)."""
        assert row.next_due is not None
        user = self.users.get(row.user_id)
        kind = Kind(row.kind)
        rule = rule_for(user, kind) if user is not None else None
        tz = runner_zone(user) if user is not None else None
        anchor = row.occurrence or row.next_due.astimezone(tz or UTC).date()
        current: Occurrence | None = Occurrence(anchor, row.next_due)
        upcoming: Occurrence | None = None
        # The stored occurrence, then any later one already due but still within the
        # grace window (after an outage); never more than a couple.
        for _ in range(4):
            if current is None:
                break
            await self.occurrence(user, kind, current.anchor.isoformat(), current.anchor,
                                  current.due, row.skip_date)  # fmt: skip
            if rule is None:
                break
            upcoming = next_occurrence(rule, self.now - self.grace, min_anchor=current.anchor)
            if upcoming is None or upcoming.due > self.now:
                break
            current, upcoming = upcoming, None
        if (
            rule is not None
            and current is not None
            and (upcoming is None or upcoming.due <= self.now)
        ):
            upcoming = next_occurrence(rule, self.now, min_anchor=current.anchor)
        self.moves.append(
            ScheduleMove(
                row,
                next_due=upcoming.due if upcoming else None,
                occurrence=upcoming.anchor if upcoming else None,
                local_time=format_hhmm(upcoming.due.astimezone(tz).time())
                if upcoming and tz
                else None,
            )
        )

    async def write(self) -> int:
        """Write the delivery rows and move the schedules on; how many rows were new."""
        written = await self.uow.deliveries.add_many(self.rows)
        await self.uow.nudges.advance_schedules(self.moves, self.now)
        return written

    async def snacks(self, due: Sequence[SnackDue]) -> int:
        """Write the snack nudges of runs that are due; how many runs were settled.

        One snack nudge per burst of runs: a run whose later same-day run still
        waits for its own nudge stays pending (it comes back if that run is
        deleted); when the latest one is written, the earlier ones are settled.
        """
        settled: list[int] = []
        for snack in due:
            if snack.later_pending:
                continue
            settled.append(snack.run_id)
            settled += await self.uow.nudges.replaced_snacks(
                snack.user_id, snack.local_date, snack.run_id
            )
            if (snack.user_id, FUEL.value) in self.facts.off:
                continue  # the kind is off: no nudge, no record
            await self.occurrence(
                self.users.get(snack.user_id),
                FUEL,
                f"run:{snack.run_id}",
                snack.local_date,
                snack.due,
                None,
                snack.logged_at,
            )
        await self.uow.nudges.snacks_written(settled)
        return len(settled)

    async def oneoff(self, item: OneOff) -> None:
        """Write a one-off's occurrence."""
        user = self.users.get(item.user_id)
        await self.occurrence(
            user, Kind(item.kind), item.occurrence, item.anchor, item.due, None, item.since
        )

    async def occurrence(
        self,
        user: User | None,
        kind: Kind,
        occurrence: str,
        anchor: date,
        due: datetime,
        skip_date: date | None,
        fuel_since: datetime | None = None,
    ) -> None:
        if user is None:
            return  # the runner was deleted; the cascade removes their rows
        tz = runner_zone(user)
        if due < self.now - self.grace:
            reason = "stale"
        elif tz is None:
            reason = "unknown time zone"
        else:
            fuel_done = False
            if kind is Kind.POST_RUN_FUEL:
                lookback = timedelta(minutes=self.source.settings.fuel_lookback_minutes)
                fuel_done = await self.uow.activity.fuel_since(
                    user.id, (fuel_since or due) - lookback
                )
            reason = skip_reason(user, kind, anchor, due, tz, skip_date, self.facts, fuel_done)
        self.rows.append(
            runner_delivery(
                user,
                kind.value,
                occurrence,
                anchor,
                due,
                reason,
                self.accounts.get(user.id, []),
                self.running,
            )
        )
