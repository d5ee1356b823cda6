"""Nudge preferences: pause, race, bedtime step, strength days, leads, kinds on/off, status.

Each edit is one transaction with its reschedule. It also listens to what
runners do: a logged run plans its snack nudge, a deleted one drops it, a
settings change moves the schedule.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

from bot.clock import Clock
from bot.coaching import MAX_STEP_MINUTES, MIN_STEP_MINUTES, BedtimePlan
from bot.errors import BadInput
from bot.models import CheckIn, NudgePrefs, RestWindow, Run, User
from bot.nudges import planner
from bot.nudges.decisions import Facts, done_reason
from bot.nudges.kinds import Kind
from bot.nudges.recurrence import (
    parse_time_or_none,
    plan_on,
    quiet_hours,
    refresh_plan,
    rule_for,
    runner_zone,
)
from bot.nudges.schedule import Occurrence, Rule, format_hhmm, next_occurrence
from bot.nudges.status import KindStatus, NudgeStatus, RaceInfo
from bot.nudges.texts import unknown_runner
from bot.services.nudge_answers import record_answer
from bot.storage.database import Database
from bot.storage.nudges import SNOOZE_MARK, ScheduleRow
from bot.storage.uow import UnitOfWork
from bot.texts import nudge_settings as texts

MAX_AHEAD = timedelta(days=366)


class NudgeSettingsService:
    """Edits and shows a runner's nudge preferences."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        # Edits read the preferences, change them and write them back whole: one
        # at a time, so two commands of one runner cannot overwrite each other.
        self._edit = asyncio.Lock()

    # --- listener ----------------------------------------------------------------------

    async def on_run_logged(self, user: User, run: Run, now: datetime, shown_in: str = "") -> None:
        """Nothing to do: the snack nudge is due on the run row (see planner.snack_due)."""

    async def on_run_deleted(self, uow: UnitOfWork, user: User, run: Run, now: datetime) -> None:
        """A removed run's snack nudge went with its row; snoozes of it go too."""
        await uow.nudges.cancel_run_snoozes(user.id, run.id)

    async def on_checkin(
        self, uow: UnitOfWork, user: User, checkin: CheckIn, now: datetime
    ) -> None:
        """Nothing to plan: the sweep checks check-ins before sending, and the check-in
        answers that day's nudges (``NudgeAnswers.on_checkin``)."""

    async def on_settings_changed(self, uow: UnitOfWork, user: User, now: datetime) -> None:
        """Recompute next-due times from the new settings."""
        await planner.reschedule(uow, [user], now)

    # --- edits -------------------------------------------------------------------------

    async def reschedule_users(self, user_ids: list[int] | None = None, chunk: int = 5000) -> int:
        """Recompute schedules for runners (all when None); how many."""
        async with self.db.reader() as uow:
            users = await uow.runners.many(user_ids)
        for start in range(0, len(users), chunk):
            async with self.db.uow() as uow:
                await planner.reschedule(uow, users[start : start + chunk], self.clock.now())
                await uow.commit()
        return len(users)

    async def _change(
        self,
        user_id: int,
        change: Callable[[User, date], NudgePrefs | BadInput],
        also: Callable[[UnitOfWork], Awaitable[None]] | None = None,
    ) -> User:
        """Apply a preference change and reschedule, all in one transaction."""
        async with self._edit, self.db.uow() as uow:
            user = await uow.runners.get(user_id)
            if user is None:
                raise unknown_runner()
            now = self.clock.now()
            today = now.astimezone(runner_zone(user) or UTC).date()
            result = change(user, today)
            if isinstance(result, BadInput):
                raise result
            await uow.runners.save_prefs([(user_id, result)], now)
            if also is not None:
                await also(uow)
            user = dataclasses.replace(user, prefs=result)
            (user,) = await planner.reschedule(uow, [user], now)
            await uow.commit()
        return user

    async def pause_until(self, user_id: int, until: date | None, reason: str = "") -> date | None:
        """Stop every nudge until a local date (they resume that day); None resumes now.

        With a reason (injured, ill, rest) the days until then also freeze every streak:
        the window is kept, so streaks read later step over it too. Resuming early ends it.
        """
        windows: list[RestWindow] = []

        def change(user: User, today: date) -> NudgePrefs | BadInput:
            prefs = user.prefs
            if until is not None and until <= today:
                return texts.pause_after_today()
            if until is not None and until > today + MAX_AHEAD:
                return texts.pause_a_year_at_most()
            resting = prefs.pause_reason and prefs.paused_since is not None
            if resting and prefs.paused_until is not None and prefs.paused_until > today:
                assert prefs.paused_since is not None
                # The running rest window ends today (a new one may start at once).
                windows.append(RestWindow(prefs.paused_since, today, ""))
            if until is not None and reason:
                windows.append(RestWindow(today, until, reason))
                return dataclasses.replace(
                    prefs, paused_until=until, paused_since=today, pause_reason=reason
                )
            return dataclasses.replace(prefs, paused_until=until, pause_reason="")

        def record(uow: UnitOfWork) -> Awaitable[None]:
            return _keep_windows(uow, user_id, windows)

        await self._change(user_id, change, record)
        return until

    async def set_race(self, user_id: int, race_date: date | None, name: str = "") -> RaceInfo:
        """Set (or clear, with None) the goal race; sleep nudges mention it in its last 14 days."""
        name = name.strip()[:60]
        days: list[int] = []

        def change(user: User, today: date) -> NudgePrefs | BadInput:
            if race_date is not None and race_date < today:
                return texts.race_in_the_past()
            if race_date is not None and race_date > today + MAX_AHEAD * 2:
                return texts.race_too_far()
            days.append((race_date - today).days if race_date else 0)
            return dataclasses.replace(
                user.prefs, race_date=race_date, race_name=name if race_date else ""
            )

        user = await self._change(user_id, change)
        left = days[0] if race_date else None
        return self._race_info(user, race_date, name if race_date else "", left)

    def _race_info(
        self, user: User, race_date: date | None, name: str, left: int | None
    ) -> RaceInfo:
        plan = plan_on(user, self._today(user))
        wake = parse_time_or_none(user.wake_time)
        return RaceInfo(race_date, name, left, plan.this_week if plan else None, wake)

    async def set_bedtime_step(self, user_id: int, minutes: int) -> BedtimePlan:
        """Change the weekly bedtime step (5-30 min); the plan goes on from this week's bedtime."""
        if not MIN_STEP_MINUTES <= minutes <= MAX_STEP_MINUTES:
            raise texts.step_out_of_range(MIN_STEP_MINUTES, MAX_STEP_MINUTES)

        def change(user: User, today: date) -> NudgePrefs | BadInput:
            user = dataclasses.replace(user, prefs=refresh_plan(user, today))
            plan = plan_on(user, today)
            if plan is None:
                return texts.bedtime_first()
            return dataclasses.replace(
                user.prefs,
                bedtime_step=minutes,
                plan_start=today,
                plan_from=format_hhmm(plan.this_week),
                plan_first_step=0,
            )

        user = await self._change(user_id, change)
        plan = plan_on(user, self._today(user))
        assert plan is not None
        return plan

    async def set_strength(self, user_id: int, days: tuple[int, ...], at: str | None) -> None:
        """Choose strength days and time ("18:30"); no days turns them off."""
        await self._change(
            user_id,
            lambda user, _: dataclasses.replace(user.prefs, strength_days=days, strength_time=at),
        )

    async def set_leads(
        self,
        user_id: int,
        *,
        wind_down: int | None = None,
        pre_run: int | None = None,
        fuel_delay: int | None = None,
    ) -> NudgePrefs:
        """Change how long before bedtime / the run, and after logging a run, nudges come."""
        for value in (wind_down, pre_run, fuel_delay):
            if value is not None and not 0 <= value <= 180:
                raise texts.lead_out_of_range()

        def change(user: User, _: date) -> NudgePrefs:
            p = user.prefs
            return dataclasses.replace(
                p,
                wind_down_lead=p.wind_down_lead if wind_down is None else wind_down,
                pre_run_lead=p.pre_run_lead if pre_run is None else pre_run,
                fuel_delay=p.fuel_delay if fuel_delay is None else fuel_delay,
            )

        return (await self._change(user_id, change)).prefs

    async def set_kind(self, user_id: int, kind: Kind, on: bool) -> None:
        """Turn one kind on or off; on undoes a skip. Off answers every nudge of the kind
        not answered yet and drops its pending snoozes: nothing of it comes any more."""
        async with self._edit, self.db.uow() as uow:
            user = await uow.runners.get(user_id)
            if user is None:
                raise unknown_runner()
            now = self.clock.now()
            await uow.nudges.set_enabled(user_id, kind.value, on, now)
            if on:
                await planner.reschedule(uow, [user], now)
            else:
                await record_answer(uow, user_id, kind.value, None, now)
            await uow.commit()

    # --- views -------------------------------------------------------------------------

    def _today(self, user: User) -> date:
        return self.clock.now().astimezone(runner_zone(user) or UTC).date()

    async def _user(self, user_id: int) -> User:
        async with self.db.reader() as uow:
            user = await uow.runners.get(user_id)
        if user is None:
            raise unknown_runner()
        return user

    async def bedtime_status(self, user_id: int) -> BedtimePlan | None:
        """This week's bedtime, the target and the weeks to go (None without a bedtime)."""
        user = await self._user(user_id)
        today = self._today(user)
        return plan_on(dataclasses.replace(user, prefs=refresh_plan(user, today)), today)

    async def race(self, user_id: int) -> RaceInfo:
        """The runner's goal race, if any; ``days_left`` is negative once it is over."""
        user = await self._user(user_id)
        race_date = user.prefs.race_date
        left = (race_date - self._today(user)).days if race_date else None
        return self._race_info(user, race_date, user.prefs.race_name, left)

    async def status(self, user_id: int) -> NudgeStatus:
        """Each kind with whether it is on and its next local time (for /nudges)."""
        user = await self._user(user_id)
        tz = runner_zone(user) or UTC
        today = self._today(user)
        async with self.db.reader() as uow:
            rows = {r.kind: r for r in await uow.nudges.schedules(user_id)}
            oneoffs = await uow.nudges.pending_oneoffs(user_id)
            facts = await _facts(uow, user_id, today)
        quiet = quiet_hours(user)
        snoozed: dict[str, datetime] = {}
        for oneoff in oneoffs:  # soonest first: the first snooze of a kind is the next one
            if SNOOZE_MARK in oneoff.occurrence:
                snoozed.setdefault(oneoff.kind, oneoff.due.astimezone(tz))
        kinds: list[KindStatus] = []
        for kind in Kind:
            row = rows.get(kind.value)
            enabled = row.enabled if row is not None else True
            snooze = snoozed.get(kind.value)
            if kind is Kind.POST_RUN_FUEL:
                kinds.append(
                    KindStatus(
                        kind,
                        enabled,
                        True,
                        None,
                        note=texts.AFTER_EACH_RUN,
                        snoozed_local=snooze,
                    )
                )
                continue
            rule = rule_for(user, kind)
            configured = rule is not None
            occurrence = _sent_next(user.id, kind, rule, row, facts)
            next_local = occurrence.due.astimezone(tz) if occurrence is not None else None
            in_quiet = bool(
                next_local is not None
                and quiet is not None
                and not kind.quiet_move
                and quiet.contains(next_local.time())
            )
            skip = row.skip_date if row is not None else None
            skipped = bool(
                skip is not None
                and next_local is not None
                and skip in (occurrence.anchor if occurrence else None, next_local.date())
            )
            kinds.append(
                KindStatus(
                    kind,
                    enabled,
                    configured,
                    next_local,
                    in_quiet,
                    texts.needs(kind, configured),
                    snoozed_local=snooze,
                    skipped=skipped,
                )
            )
        prefs = user.prefs
        paused, race_date = prefs.paused_until, prefs.race_date
        race_ahead = race_date is not None and race_date >= today
        return NudgeStatus(
            user_id=user_id,
            timezone=user.timezone,
            paused_until=paused if paused is not None and paused > today else None,
            race_date=race_date if race_ahead else None,
            race_name=prefs.race_name if race_ahead else "",
            kinds=tuple(kinds),
        )


async def _facts(uow: UnitOfWork, user_id: int, today: date) -> Facts:
    """What the runner did today and tomorrow that makes a nudge no use (check-ins, runs)."""
    last = today + timedelta(days=1)
    return Facts.read(
        await uow.activity.habits_of([user_id], today, last),
        await uow.activity.run_days_of([user_id], today, last),
    )


def _sent_next(
    user_id: int, kind: Kind, rule: Rule | None, row: ScheduleRow | None, facts: Facts
) -> Occurrence | None:
    """The kind's next nudge that will be sent, as far as check-ins tell: the stored next
    one, or a later one when that day's habit is checked in already (the sweep would not
    send it: :func:`done_reason`). Quiet hours, a skip and a pause are shown as such."""
    if row is None or row.next_due is None:
        return None
    anchor = row.occurrence or row.next_due.astimezone(rule.tz if rule else UTC).date()
    current: Occurrence | None = Occurrence(anchor, row.next_due)
    for _ in range(3):  # check-ins reach today at most: tomorrow's is always free
        if current is None or rule is None:
            break
        if not done_reason(user_id, kind, current.due.astimezone(rule.tz).date(), facts):
            break
        current = next_occurrence(rule, current.due, min_anchor=current.anchor)
    return current


async def _keep_windows(uow: UnitOfWork, user_id: int, windows: list[RestWindow]) -> None:
    """Store new rest windows and end the running one early (an empty reason ends it)."""
    for window in windows:
        if window.reason:
            await uow.pauses.save(user_id, window)
        else:
            await uow.pauses.end(user_id, window.since, window.until)
