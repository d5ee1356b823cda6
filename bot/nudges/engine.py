"""The nudge engine: claims due nudges from the database and hands them to the outbound queues.

One APScheduler interval job calls :meth:`NudgeEngine.sweep` every few seconds.
A sweep claims due occurrences in one transaction per batch: it writes a
delivery record per (runner, kind, occurrence) under a unique key, advances the
schedule's next-due instant, and queues the messages that should go out.

Delivery is at-most-once. A claimed delivery that the process never got to
send (it died between claim and send) is marked ``failed`` with the reason
"crashed before send" on the next start and is never resent: Telegram has no
idempotency key, so a resend after a crash that happened *after* the platform
accepted the message would be a duplicate, and a lost nudge is cheaper than a
doubled one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Protocol

import aiosqlite

from bot.clock import Clock
from bot.config import Settings
from bot.nudges.kinds import RECURRING_KINDS, Kind
from bot.nudges.outbound import OutboundQueue, Outcome, Outgoing, RateLimits, Sleep
from bot.nudges.plans import (
    MAX_STEP_MINUTES,
    MIN_STEP_MINUTES,
    BedtimePlan,
    strength_session,
)
from bot.nudges.rules import (
    parse_time_or_none,
    plan_on,
    quiet_hours,
    refresh_plan,
    rule_for,
    runner_zone,
)
from bot.nudges.schedule import (
    Occurrence,
    ScheduleError,
    format_days,
    format_hhmm,
    from_utc_iso,
    localize,
    next_occurrence,
    parse_days,
    parse_hhmm,
    to_utc_iso,
)
from bot.nudges.texts import RACE_WEEKS_DAYS, SNOOZE_CHOICES, NudgeContext, nudge_reply
from bot.ports import Messenger
from bot.storage.database import Database
from bot.storage.nudges import (
    Delivery,
    Identity,
    NudgePrefs,
    NudgeStore,
    RunnerSettings,
    ScheduleRow,
)

log = logging.getLogger(__name__)

MessengerSource = Mapping[str, Messenger] | Callable[[], Mapping[str, Messenger]]
OnUnreachable = Callable[[str, str, str], Awaitable[None]]

SWEEP_JOB_ID = "nudge-sweep"
ALREADY_ANSWERED = "You've already answered that one."
_SNOOZE_DELAYS = {"20m": timedelta(minutes=20), "1h": timedelta(hours=1)}


class JobScheduler(Protocol):
    """The part of an APScheduler 3 scheduler the engine uses."""

    def add_job(self, func: Callable[..., Any], trigger: str, **kwargs: Any) -> Any:
        """Add a job (APScheduler's ``add_job``)."""
        ...


class NudgeError(ValueError):
    """A nudge request that cannot be done; the message is fit to show the runner."""


class NudgeNotFound(NudgeError):
    """No such nudge (or runner) for this runner."""


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Tunables of the engine."""

    sweep_seconds: float = 5.0
    grace_minutes: int = 120
    claim_timeout_minutes: int = 10  # a claim this old, and not in this process's queues, failed
    claim_batch: int = 500  # occurrences claimed per transaction
    max_snoozes: int = 3  # per occurrence
    fuel_lookback_minutes: int = 60  # a fuel check-in this long before logging the run counts
    tomorrow_merge_hours: int = 3  # "tomorrow" snooze folds into a regular nudge this close

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineSettings:
        """The engine settings that come from the app's settings."""
        return cls(sweep_seconds=settings.sweep_seconds, grace_minutes=settings.nudge_grace_minutes)


@dataclass(frozen=True, slots=True)
class KindStatus:
    """One kind of nudge as /nudges shows it."""

    kind: Kind
    enabled: bool
    configured: bool  # the runner has the settings this kind needs
    next_local: datetime | None  # aware, in the runner's zone; None when nothing is due
    skipped_in_quiet: bool = False  # the next one falls in quiet hours and will be skipped
    note: str = ""


@dataclass(frozen=True, slots=True)
class NudgeStatus:
    """Every kind of nudge for one runner, plus pause and race."""

    user_id: int
    timezone: str
    paused_until: date | None  # only while the pause lasts (the date is after today)
    race_date: date | None  # only when the race is today or ahead
    race_name: str
    kinds: tuple[KindStatus, ...]


@dataclass(frozen=True, slots=True)
class SnoozeResult:
    """Where a snoozed nudge went: ``due_local`` None means nothing more comes for it.

    ``regular`` True: nothing extra was queued; ``due_local`` is the kind's next
    regular nudge (tomorrow's, or the next run day's for pre-run mobility).
    """

    kind: Kind
    due_local: datetime | None
    note: str = ""
    regular: bool = False


@dataclass(frozen=True, slots=True)
class RaceInfo:
    """The runner's goal race."""

    race_date: date | None
    name: str
    days_left: int | None


@dataclass(frozen=True, slots=True)
class SampleNudge:
    """One nudge queued by /nudges test (``delivery_id`` None when it could not be routed)."""

    kind: Kind
    delivery_id: int | None
    platform: str | None
    reason: str = ""


@dataclass(slots=True)
class SweepReport:
    """What one sweep did."""

    claimed: int = 0  # delivery records written
    queued: int = 0  # messages handed to the outbound queues
    skipped: int = 0  # recorded as skipped (done, paused, stale, quiet hours...)
    stale: int = 0  # of those, missed by more than the grace window
    reaped: int = 0  # claims of a dead process marked failed


@dataclass(frozen=True, slots=True)
class _Pending:
    platform: str
    item: Outgoing


@dataclass(frozen=True, slots=True)
class _Facts:
    """What one claim batch needs to know, read in a few queries instead of per row."""

    identities: Mapping[int, list[Identity]]
    checkins: Mapping[tuple[int, str], set[tuple[str, str]]]  # (user, date) -> {(habit, kind)}
    runs: set[tuple[int, str]]  # (user_id, local_date)


class NudgeEngine:
    """Schedules, claims and sends nudges; the commands call its methods."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        messengers: MessengerSource,
        settings: EngineSettings | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        limits: Mapping[str, RateLimits] | None = None,
        on_unreachable: OnUnreachable | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.store = NudgeStore(db)
        self.settings = settings or EngineSettings()
        self._messengers = messengers
        self._sleep = sleep
        self._limits = dict(limits or {})
        self._on_unreachable = on_unreachable
        self._queues: dict[str, OutboundQueue] = {}
        self._workers_running = False
        self._last_reap: datetime | None = None
        self._recover_all = False
        # Held while a sweep runs, so stop() can let a running sweep finish first.
        self._sweeping = asyncio.Lock()
        # Preference edits read the row, change it and write it back whole: one at a
        # time, so two commands of one runner cannot overwrite each other's change.
        self._prefs_edit = asyncio.Lock()

    # --- wiring --------------------------------------------------------------------

    def messengers(self) -> Mapping[str, Messenger]:
        """The messengers available right now, by platform."""
        source = self._messengers
        return source() if callable(source) else source

    def queue(self, platform: str) -> OutboundQueue | None:
        """The outbound queue of a platform (created on first use)."""
        messenger = self.messengers().get(platform)
        if messenger is None:
            return None
        queue = self._queues.get(platform)
        if queue is None or queue.messenger is not messenger:
            queue = OutboundQueue(
                messenger,
                self.clock,
                self._record_outcome,
                limits=self._limits.get(platform),
                sleep=self._sleep,
            )
            self._queues[platform] = queue
            if self._workers_running:
                queue.start()
        return queue

    def start(self, scheduler: JobScheduler) -> None:
        """Register the one sweep job on an APScheduler 3 scheduler and start the send workers.

        The first sweep after this runs :meth:`recover` without an age limit.
        """
        scheduler.add_job(
            self.sweep,
            "interval",
            seconds=self.settings.sweep_seconds,
            id=SWEEP_JOB_ID,
            name="nudge sweep",
            max_instances=1,
            coalesce=True,
            replace_existing=True,
            next_run_time=datetime.now(UTC),
            misfire_grace_time=None,
        )
        self._workers_running = True
        self._recover_all = True  # the first sweep fails claims a dead process left behind
        for queue in self._queues.values():
            queue.start()

    async def stop(self, drain_timeout: float = 5.0) -> None:
        """Give the queues a few seconds to empty, then stop the send workers.

        Whatever is still queued stays claimed and unsent; the next start marks it
        failed ('crashed before send'), so it is never sent twice.
        """
        try:  # a sweep half-way through a batch finishes before the queues stop
            await asyncio.wait_for(self._wait_for_sweep(), drain_timeout)
        except TimeoutError:
            log.warning("stopping while a nudge sweep is still running")
        if self._workers_running and self._queues:
            idle = asyncio.gather(*(q.wait_idle() for q in self._queues.values()))
            try:
                await asyncio.wait_for(idle, drain_timeout)
            except TimeoutError:
                log.warning("stopping with nudges still queued; they will not be sent")
        self._workers_running = False
        for queue in self._queues.values():
            await queue.stop()

    async def _wait_for_sweep(self) -> None:
        async with self._sweeping:
            pass

    async def drain(self) -> None:
        """Send everything queued now, pacing with the injected sleep (tests, /nudges test)."""
        for queue in list(self._queues.values()):
            await queue.drain()

    def in_flight(self) -> set[int]:
        """Delivery ids owned by this process's queues."""
        ids: set[int] = set()
        for queue in self._queues.values():
            ids |= queue.delivery_ids()
        return ids

    # --- the sweep -----------------------------------------------------------------

    async def recover(self, *, older_than: timedelta | None = None) -> int:
        """Mark claims nobody will send as failed ('crashed before send'); returns how many.

        Called at start-up with no age limit (one process owns the SQLite file,
        so a claim not in our queues belongs to a dead process), and by each
        sweep with the claim timeout.
        """
        cutoff = self.clock.now() - (older_than or timedelta(0))
        async with self.db.transaction() as conn:
            reaped = await self.store.fail_stale_claims(
                conn, to_utc_iso(cutoff + timedelta(seconds=1)), self.in_flight()
            )
        if reaped:
            log.warning("marked %d unsent nudge claims as failed (crashed before send)", reaped)
        return reaped

    async def sweep(self) -> SweepReport:
        """Claim every due nudge and queue the ones to send; safe to run concurrently."""
        async with self._sweeping:
            return await self._sweep()

    async def _sweep(self) -> SweepReport:
        report = SweepReport()
        now = self.clock.now()
        if self._recover_all:
            self._recover_all = False
            self._last_reap = now
            report.reaped = await self.recover()
        elif self._last_reap is None or now - self._last_reap >= timedelta(minutes=1):
            self._last_reap = now
            report.reaped = await self.recover(
                older_than=timedelta(minutes=self.settings.claim_timeout_minutes)
            )
        earliest = await self.store.next_due()
        if earliest is None or from_utc_iso(earliest) > now:
            return report  # the common case: one indexed read, no write lock
        while True:
            async with self.db.transaction() as conn:
                pending, more = await self._claim_batch(conn, now, report)
            for entry in pending:
                queue = self.queue(entry.platform)
                if queue is None:  # the adapter went away between claim and now
                    await self.store.record_outcome(
                        entry.item.delivery_id,
                        status="failed",
                        reason="platform not running",
                        attempts=0,
                        sent_at=None,
                    )
                    continue
                queue.put(entry.item)
                report.queued += 1
            if not more:
                break
        if report.claimed:
            log.info(
                "nudge sweep: %d claimed, %d queued, %d skipped (%d stale)",
                report.claimed,
                report.queued,
                report.skipped,
                report.stale,
            )
        return report

    async def _claim_batch(
        self, conn: aiosqlite.Connection, now: datetime, report: SweepReport
    ) -> tuple[list[_Pending], bool]:
        now_iso = to_utc_iso(now)
        limit = self.settings.claim_batch
        rows = await self.store.due_schedules(conn, now_iso, limit)
        oneoffs = await self.store.due_oneoffs(conn, now_iso, limit)
        users = sorted({r.user_id for r in rows} | {o.user_id for o in oneoffs})
        if not users:
            return [], False
        runners = {r.user_id: r for r in await self.store.runners(users, conn)}
        # Done checks only matter for occurrences inside the grace window, whose
        # local dates lie within a day of that window (UTC offsets are < 1 day).
        first = (now - timedelta(minutes=self.settings.grace_minutes, days=1)).date().isoformat()
        last = (now + timedelta(days=1)).date().isoformat()
        checkins: dict[tuple[int, str], set[tuple[str, str]]] = {}
        for uid, habit, day, what in await self.store.checkins_between(conn, users, first, last):
            checkins.setdefault((uid, day), set()).add((habit, what))
        facts = _Facts(
            identities=await self.store.identities(conn, users),
            checkins=checkins,
            runs=await self.store.runs_between(conn, users, first, last),
        )
        pending: list[_Pending] = []
        for row in rows:
            await self._claim_schedule(
                conn, row, runners.get(row.user_id), now, report, pending, facts
            )
        for oneoff in oneoffs:
            if not await self.store.claim_oneoff(conn, oneoff.id):
                continue
            runner = runners.get(oneoff.user_id)
            await self._claim_occurrence(
                conn,
                runner,
                Kind(oneoff.kind),
                occurrence=oneoff.occurrence,
                anchor=date.fromisoformat(oneoff.anchor),
                due=from_utc_iso(oneoff.due_utc),
                now=now,
                report=report,
                pending=pending,
                skip_date=None,
                facts=facts,
                fuel_since=from_utc_iso(oneoff.since_utc) if oneoff.since_utc else None,
            )
        return pending, len(rows) >= limit or len(oneoffs) >= limit

    async def _claim_schedule(
        self,
        conn: aiosqlite.Connection,
        row: ScheduleRow,
        runner: RunnerSettings | None,
        now: datetime,
        report: SweepReport,
        pending: list[_Pending],
        facts: _Facts,
    ) -> None:
        assert row.next_due_utc is not None
        kind = Kind(row.kind)
        rule = rule_for(runner, kind) if runner is not None else None
        due = from_utc_iso(row.next_due_utc)
        tz = runner_zone(runner) if runner is not None else None
        anchor = (
            date.fromisoformat(row.occurrence)
            if row.occurrence
            else due.astimezone(tz or UTC).date()
        )
        grace = timedelta(minutes=self.settings.grace_minutes)
        current: Occurrence | None = Occurrence(anchor, due)
        upcoming: Occurrence | None = None
        # The stored occurrence, then any later one already due but still within
        # the grace window (after an outage); never more than a couple.
        for _ in range(4):
            if current is None:
                break
            await self._claim_occurrence(
                conn,
                runner,
                kind,
                occurrence=current.anchor.isoformat(),
                anchor=current.anchor,
                due=current.due,
                now=now,
                report=report,
                pending=pending,
                skip_date=row.skip_date,
                facts=facts,
            )
            if rule is None:
                break
            upcoming = next_occurrence(rule, now - grace, min_anchor=current.anchor)
            if upcoming is None or upcoming.due > now:
                break
            current, upcoming = upcoming, None
        if rule is not None and current is not None and (upcoming is None or upcoming.due <= now):
            upcoming = next_occurrence(rule, now, min_anchor=current.anchor)
        await self.store.advance_schedule(
            conn,
            row,
            next_due_utc=to_utc_iso(upcoming.due) if upcoming else None,
            occurrence=upcoming.anchor.isoformat() if upcoming else None,
            local_time=_local_hhmm(upcoming.due, tz) if upcoming and tz else None,
            now_iso=to_utc_iso(now),
        )

    async def _claim_occurrence(
        self,
        conn: aiosqlite.Connection,
        runner: RunnerSettings | None,
        kind: Kind,
        *,
        occurrence: str,
        anchor: date,
        due: datetime,
        now: datetime,
        report: SweepReport,
        pending: list[_Pending],
        skip_date: str | None,
        facts: _Facts,
        fuel_since: datetime | None = None,
    ) -> None:
        if runner is None:
            return  # the runner was deleted; the cascade removes their rows
        user_id = runner.user_id
        reason = ""
        tz = runner_zone(runner)
        if due < now - timedelta(minutes=self.settings.grace_minutes):
            reason = "stale"
        elif tz is None:
            reason = "unknown time zone"
        else:
            reason = await self._skip_reason(
                conn, runner, kind, anchor, due, tz, skip_date, facts, fuel_since
            )
        route: Identity | None = None
        if not reason:
            route = self._route(runner, facts.identities.get(user_id, []))
            if route is None:
                reason = "no reachable chat"
        status = "claimed" if route is not None else "skipped"
        if reason == "no reachable chat":
            status = "unreachable"
        delivery_id = await self.store.insert_delivery(
            conn,
            user_id=user_id,
            kind=kind.value,
            occurrence=occurrence,
            anchor=anchor.isoformat(),
            due_utc=to_utc_iso(due),
            claimed_at=to_utc_iso(now),
            status=status,
            reason=reason,
            platform=route.platform if route else None,
            platform_user_id=route.platform_user_id if route else None,
        )
        if delivery_id is None:
            return  # this occurrence was already claimed: never twice
        report.claimed += 1
        if route is None:
            report.skipped += 1
            report.stale += reason == "stale"
            return
        assert tz is not None
        ctx = await self._context(conn, runner, kind, delivery_id, anchor, due, tz)
        pending.append(
            _Pending(
                route.platform,
                Outgoing(
                    delivery_id=delivery_id,
                    platform_user_id=route.platform_user_id,
                    reply=nudge_reply(kind, ctx),
                    dedupe_key=f"nudge-{delivery_id}",
                ),
            )
        )

    async def _skip_reason(
        self,
        conn: aiosqlite.Connection,
        runner: RunnerSettings,
        kind: Kind,
        anchor: date,
        due: datetime,
        tz: tzinfo,
        skip_date: str | None,
        facts: _Facts,
        fuel_since: datetime | None,
    ) -> str:
        """Why this occurrence must not be sent, or "" to send it."""
        local = due.astimezone(tz)
        day = local.date()
        prefs = runner.prefs
        if prefs.paused_until and day.isoformat() < prefs.paused_until:
            return "paused"
        if skip_date is not None and skip_date in (anchor.isoformat(), day.isoformat()):
            return "skipped today"
        quiet = quiet_hours(runner)
        if quiet is not None and not kind.quiet_move and quiet.contains(local.time()):
            return "quiet hours"
        uid, iso = runner.user_id, day.isoformat()
        done = facts.checkins.get((uid, iso), set())
        if kind is Kind.SLEEP_CHECKIN and any(h == "sleep" for h, _ in done):
            return "done"
        if kind is Kind.PRE_RUN_MOBILITY:
            if ("mobility", "pre") in done:
                return "done"
            if (uid, iso) in facts.runs:
                return "run already logged"
        if kind is Kind.STRENGTH and any(h == "strength" for h, _ in done):
            return "done"
        if kind is Kind.POST_RUN_FUEL:
            since = (fuel_since or due) - timedelta(minutes=self.settings.fuel_lookback_minutes)
            if await self.store.fuel_since(conn, uid, to_utc_iso(since)):
                return "done"
        return ""

    def _route(self, runner: RunnerSettings, identities: Sequence[Identity]) -> Identity | None:
        """Where to send: the chosen platform, else the last one used, else any reachable one."""
        available = self.messengers()
        candidates = [
            i for i in identities if i.unreachable_since is None and i.platform in available
        ]
        for identity in candidates:
            if identity.platform == runner.nudge_platform:
                return identity
        return candidates[0] if candidates else None

    async def _context(
        self,
        conn: aiosqlite.Connection | None,
        runner: RunnerSettings,
        kind: Kind,
        delivery_id: int,
        anchor: date,
        due: datetime,
        tz: tzinfo,
    ) -> NudgeContext:
        prefs = runner.prefs
        days_left: int | None = None
        if prefs.race_date:
            # From the anchor: the evening a late wind-down belongs to, the morning.
            left = (date.fromisoformat(prefs.race_date) - anchor).days
            if 0 <= left <= RACE_WEEKS_DAYS:
                days_left = left
        plan = plan_on(runner, anchor) if kind is Kind.WIND_DOWN else None
        session = None
        if kind is Kind.STRENGTH:
            session = strength_session(await self.store.strength_sessions(conn, runner.user_id))
        return NudgeContext(
            delivery_id=delivery_id,
            seq=anchor.toordinal() + runner.user_id,
            bedtime=plan.this_week if plan else None,
            target_bedtime=plan.target if plan else None,
            run_time=parse_time_or_none(runner.run_time),
            race_days_left=days_left,
            race_name=prefs.race_name,
            session=session,
        )

    async def _record_outcome(self, outcome: Outcome) -> None:
        await self.store.record_outcome(
            outcome.delivery_id,
            status=outcome.status,
            reason=outcome.reason,
            attempts=outcome.attempts,
            sent_at=to_utc_iso(outcome.sent_at) if outcome.sent_at else None,
        )
        if outcome.status == "unreachable":
            await self.store.mark_unreachable(
                outcome.platform, outcome.platform_user_id, to_utc_iso(self.clock.now())
            )
            if self._on_unreachable is not None:
                await self._on_unreachable(
                    outcome.platform, outcome.platform_user_id, outcome.reason
                )

    # --- scheduling ----------------------------------------------------------------

    async def reschedule_user(self, user_id: int) -> None:
        """Recompute a runner's schedules after any settings change (zone, times, days, plan)."""
        await self.reschedule_users([user_id])

    async def reschedule_users(
        self, user_ids: Sequence[int] | None = None, *, chunk: int = 5000
    ) -> int:
        """Recompute schedules for runners (all when ``user_ids`` is None); return the count."""
        async with self._prefs_edit:
            now = self.clock.now()
            # A minute back, so an occurrence due this very moment is not pushed to
            # tomorrow; if it was already delivered its unique key makes it a no-op.
            after = now - timedelta(minutes=1)
            runners = await self.store.runners(user_ids)
            for start in range(0, len(runners), chunk):
                prefs_rows: list[NudgePrefs] = []
                rows: list[ScheduleRow] = []
                for runner in runners[start : start + chunk]:
                    tz = runner_zone(runner)
                    today = now.astimezone(tz or UTC).date()
                    prefs = refresh_plan(runner, today)
                    if prefs != runner.prefs:
                        prefs_rows.append(prefs)
                        runner = dataclasses.replace(runner, prefs=prefs)
                    rows.extend(_schedule_rows(runner, after, tz))
                async with self.db.transaction() as conn:
                    if prefs_rows:
                        await self.store.save_prefs(conn, prefs_rows, to_utc_iso(now))
                    await self.store.upsert_schedules(conn, rows, to_utc_iso(now))
            return len(runners)

    async def on_run_logged(
        self, user_id: int, run_id: int, logged_at: datetime, *, run_date: date | None = None
    ) -> datetime | None:
        """Plan the one post-run fuel nudge for a run just logged; returns when it is due (UTC).

        Nothing is planned for a run logged for an earlier day, when the kind is
        off, or twice for the same run. One snack nudge per burst: a fuel nudge
        of an earlier run of the same local day that is still pending is
        replaced by this run's (it comes back if this run is deleted).
        """
        runner = await self._runner(user_id)
        tz = runner_zone(runner)
        if tz is None or not await self._kind_enabled(user_id, Kind.POST_RUN_FUEL):
            return None
        today = logged_at.astimezone(tz).date()
        if run_date is not None:  # the caller knows the run: no need to read it back
            if run_date != today:
                return None
        else:
            run = await self.store.run(run_id)
            if run is not None and (run[0] != user_id or run[1] != today.isoformat()):
                return None
        due = logged_at + timedelta(minutes=runner.prefs.fuel_delay)
        async with self.db.transaction() as conn:
            added = await self.store.plan_fuel(
                conn,
                user_id=user_id,
                run_id=run_id,
                anchor=today.isoformat(),
                due_utc=to_utc_iso(due),
                since_utc=to_utc_iso(logged_at),
                now_iso=to_utc_iso(self.clock.now()),
            )
        return due if added else None

    async def on_run_deleted(self, user_id: int, run_id: int) -> None:
        """A run was deleted (/undo, /delete): its pending post-run fuel nudge is cancelled.

        If that nudge had replaced the pending one of an earlier run the same day
        (see :meth:`on_run_logged`), and that run is still there, the earlier
        run's nudge is planned again at its own time. A nudge already sent is
        left alone; an unknown run or runner is a no-op.
        """
        async with self.db.transaction() as conn:
            await self.store.drop_run_fuel(conn, user_id, run_id)

    # --- answers to a nudge ----------------------------------------------------------

    async def snooze(self, user_id: int, delivery_id: int, duration: str) -> SnoozeResult:
        """Send this nudge again in 20 min, 1 h or tomorrow at the same local time.

        A delivery can be answered once: snoozing one already answered (snoozed,
        skipped or done) raises :class:`NudgeError` ("You've already answered
        that one."), so a double tap never makes two snoozes. "Tomorrow" on
        pre-run mobility means the next run day's regular nudge: the delivery is
        answered, nothing extra is queued, and the result says when that comes.
        Post-run fuel cannot go to tomorrow: it is skipped for the day instead.
        """
        if duration not in SNOOZE_CHOICES:
            raise NudgeError(f"snooze for {', '.join(SNOOZE_CHOICES)}")
        delivery = await self._delivery(user_id, delivery_id)
        if delivery.answered_at is not None:
            raise NudgeError(ALREADY_ANSWERED)
        kind = Kind(delivery.kind)
        runner = await self._runner(user_id)
        tz = runner_zone(runner) or UTC
        now = self.clock.now()
        base = delivery.occurrence.split("~", 1)[0]
        anchor = date.fromisoformat(delivery.anchor)
        if duration == "tomorrow":
            if kind is Kind.POST_RUN_FUEL:
                await self.skip_today(user_id, delivery_id)
                return SnoozeResult(kind, None, "a snack tomorrow is too late for this run")
            if kind is Kind.PRE_RUN_MOBILITY:
                await self._answer(delivery)
                regular = await self._regular_due(user_id, kind)
                if regular is None:
                    return SnoozeResult(kind, None, "no run day is coming up")
                return SnoozeResult(kind, regular.astimezone(tz), "your next run day", True)
            original = from_utc_iso(delivery.due_utc).astimezone(tz).replace(tzinfo=None)
            due = localize(original + timedelta(days=1), tz)
            anchor = anchor + timedelta(days=1)
            regular = await self._regular_due(user_id, kind)
            merge = timedelta(hours=self.settings.tomorrow_merge_hours)
            if regular is not None and abs(regular - due) <= merge:
                await self._answer(delivery)
                return SnoozeResult(
                    kind, regular.astimezone(tz), "tomorrow's regular nudge", regular=True
                )
        else:
            due = now + _SNOOZE_DELAYS[duration]
        note = ""
        quiet = quiet_hours(runner)
        wall = due.astimezone(tz).replace(tzinfo=None)
        if quiet is not None and quiet.contains(wall.time()):
            if not kind.quiet_move:
                await self._answer(delivery)
                return SnoozeResult(kind, None, "that would be inside your quiet hours")
            due = localize(quiet.end_after(wall), tz)
            note = "moved to the end of your quiet hours"
        async with self.db.transaction() as conn:
            if not await self.store.answer_once(conn, delivery_id, to_utc_iso(now)):
                raise NudgeError(ALREADY_ANSWERED)  # a second tap got here first
            count = await self.store.count_snoozes(conn, user_id, kind.value, base)
            if count >= self.settings.max_snoozes:
                raise NudgeError("snoozed enough times already; skip it or do it now")
            await self.store.insert_oneoff(
                conn,
                user_id=user_id,
                kind=kind.value,
                occurrence=f"{base}~z{count + 1}",
                anchor=anchor.isoformat(),
                due_utc=to_utc_iso(due),
                now_iso=to_utc_iso(now),
            )
        return SnoozeResult(kind, due.astimezone(tz), note)

    async def skip_today(self, user_id: int, delivery_id: int) -> Kind:
        """No more of this nudge today: drops pending snoozes of that day's occurrence."""
        delivery = await self._delivery(user_id, delivery_id)
        kind = Kind(delivery.kind)
        async with self.db.transaction() as conn:
            await self.store.cancel_oneoffs(conn, user_id, kind.value, delivery.anchor)
            if kind.recurring:
                await self.store.set_skip_date(conn, user_id, kind.value, delivery.anchor)
            await self.store.mark_answered(conn, delivery_id, to_utc_iso(self.clock.now()))
        return kind

    async def acknowledge(self, user_id: int, delivery_id: int) -> Kind:
        """ "Done" on a nudge that has no check-in of its own (the wind-down)."""
        delivery = await self._delivery(user_id, delivery_id)
        await self._answer(delivery)
        return Kind(delivery.kind)

    async def skip_kind_today(self, user_id: int, kind: Kind) -> date:
        """Skip the next occurrence of a kind today (before it fires); returns the local date."""
        runner = await self._runner(user_id)
        today = self.clock.now().astimezone(runner_zone(runner) or UTC).date()
        async with self.db.transaction() as conn:
            await self.store.cancel_oneoffs(conn, user_id, kind.value, today.isoformat())
            if kind.recurring:
                await self.store.set_skip_date(conn, user_id, kind.value, today.isoformat())
        return today

    # --- settings --------------------------------------------------------------------

    async def stop_kind(self, user_id: int, kind: Kind) -> None:
        """Turn one kind of nudge off (pending snoozes of it are dropped)."""
        await self._runner(user_id)
        async with self.db.transaction() as conn:
            await self.store.set_enabled(
                conn, user_id, kind.value, False, to_utc_iso(self.clock.now())
            )
            await self.store.cancel_oneoffs(conn, user_id, kind.value, None)

    async def enable_kind(self, user_id: int, kind: Kind) -> None:
        """Turn one kind of nudge back on."""
        await self._runner(user_id)
        async with self.db.transaction() as conn:
            await self.store.set_enabled(
                conn, user_id, kind.value, True, to_utc_iso(self.clock.now())
            )
        await self.reschedule_user(user_id)

    async def pause_until(self, user_id: int, until: date | None) -> date | None:
        """Stop every nudge until a local date (they resume that day); None resumes now."""
        async with self._prefs_edit:
            runner = await self._runner(user_id)
            if until is not None:
                today = self.clock.now().astimezone(runner_zone(runner) or UTC).date()
                if until <= today:
                    raise NudgeError("pick a date after today")
            await self._save_prefs(
                dataclasses.replace(runner.prefs, paused_until=until.isoformat() if until else None)
            )
            return until

    async def set_race(self, user_id: int, race_date: date | None, name: str = "") -> RaceInfo:
        """Set (or clear, with None) the goal race; sleep nudges mention it in its last 14 days."""
        async with self._prefs_edit:
            runner = await self._runner(user_id)
            today = self.clock.now().astimezone(runner_zone(runner) or UTC).date()
            if race_date is not None and race_date < today:
                raise NudgeError("that race date is in the past")
            name = name.strip()[:60]
            await self._save_prefs(
                dataclasses.replace(
                    runner.prefs,
                    race_date=race_date.isoformat() if race_date else None,
                    race_name=name if race_date else "",
                )
            )
            return RaceInfo(race_date, name, (race_date - today).days if race_date else None)

    async def set_bedtime_step(self, user_id: int, minutes: int) -> BedtimePlan:
        """Change the weekly bedtime step (5-30 min); the plan goes on from this week's bedtime."""
        async with self._prefs_edit:
            if not MIN_STEP_MINUTES <= minutes <= MAX_STEP_MINUTES:
                raise NudgeError(f"the step must be {MIN_STEP_MINUTES}-{MAX_STEP_MINUTES} minutes")
            runner = await self._runner(user_id)
            today = self.clock.now().astimezone(runner_zone(runner) or UTC).date()
            runner = dataclasses.replace(runner, prefs=refresh_plan(runner, today))
            plan = plan_on(runner, today)
            if plan is None:
                raise NudgeError("set your bedtime first: /settings bedtime 23:30")
            prefs = dataclasses.replace(
                runner.prefs,
                bedtime_step=minutes,
                plan_start=today.isoformat(),
                plan_from=format_hhmm(plan.this_week),
                plan_first_step=0,
            )
            await self._save_prefs(prefs)
        await self.reschedule_user(user_id)
        result = plan_on(dataclasses.replace(runner, prefs=prefs), today)
        assert result is not None
        return result

    async def set_strength(self, user_id: int, days: str, at: str | None) -> None:
        """Choose strength days ("tue,fri") and time ("18:30"); empty days turn them off."""
        async with self._prefs_edit:
            try:
                parsed = parse_days(days)
                when = format_hhmm(parse_hhmm(at)) if at else None
            except ScheduleError as exc:
                raise NudgeError(str(exc)) from exc
            runner = await self._runner(user_id)
            await self._save_prefs(
                dataclasses.replace(
                    runner.prefs, strength_days=format_days(parsed), strength_time=when
                )
            )
        await self.reschedule_user(user_id)

    async def set_leads(
        self,
        user_id: int,
        *,
        wind_down: int | None = None,
        pre_run: int | None = None,
        fuel_delay: int | None = None,
    ) -> NudgePrefs:
        """Change how long before bedtime / the run, and after logging a run, nudges come."""
        async with self._prefs_edit:
            for value in (wind_down, pre_run, fuel_delay):
                if value is not None and not 0 <= value <= 180:
                    raise NudgeError("minutes must be between 0 and 180")
            runner = await self._runner(user_id)
            prefs = runner.prefs
            prefs = dataclasses.replace(
                prefs,
                wind_down_lead=prefs.wind_down_lead if wind_down is None else wind_down,
                pre_run_lead=prefs.pre_run_lead if pre_run is None else pre_run,
                fuel_delay=prefs.fuel_delay if fuel_delay is None else fuel_delay,
            )
            await self._save_prefs(prefs)
        await self.reschedule_user(user_id)
        return prefs

    # --- what the runner sees ----------------------------------------------------------

    async def bedtime_status(self, user_id: int) -> BedtimePlan | None:
        """This week's bedtime, the target and the weeks to go (None without a bedtime)."""
        runner = await self._runner(user_id)
        today = self.clock.now().astimezone(runner_zone(runner) or UTC).date()
        return plan_on(dataclasses.replace(runner, prefs=refresh_plan(runner, today)), today)

    async def race(self, user_id: int) -> RaceInfo:
        """The runner's goal race, if any; ``days_left`` is negative once it is over."""
        runner = await self._runner(user_id)
        today = self.clock.now().astimezone(runner_zone(runner) or UTC).date()
        race_date = date.fromisoformat(runner.prefs.race_date) if runner.prefs.race_date else None
        return RaceInfo(
            race_date, runner.prefs.race_name, (race_date - today).days if race_date else None
        )

    async def status(self, user_id: int) -> NudgeStatus:
        """Each kind with whether it is on and its next local time (for /nudges)."""
        runner = await self._runner(user_id)
        tz = runner_zone(runner) or UTC
        today = self.clock.now().astimezone(tz).date()
        rows = {r.kind: r for r in await self.store.schedules(user_id)}
        quiet = quiet_hours(runner)
        kinds: list[KindStatus] = []
        for kind in Kind:
            row = rows.get(kind.value)
            enabled = row.enabled if row is not None else True
            if kind is Kind.POST_RUN_FUEL:
                kinds.append(KindStatus(kind, enabled, True, None, note="after each logged run"))
                continue
            configured = rule_for(runner, kind) is not None
            next_local = None
            if row is not None and row.next_due_utc:
                next_local = from_utc_iso(row.next_due_utc).astimezone(tz)
            in_quiet = bool(
                next_local is not None
                and quiet is not None
                and not kind.quiet_move
                and quiet.contains(next_local.time())
            )
            kinds.append(
                KindStatus(
                    kind, enabled, configured, next_local, in_quiet, _needs(kind, configured)
                )
            )
        prefs = runner.prefs
        paused = date.fromisoformat(prefs.paused_until) if prefs.paused_until else None
        race_date = date.fromisoformat(prefs.race_date) if prefs.race_date else None
        return NudgeStatus(
            user_id=user_id,
            timezone=runner.timezone,
            paused_until=paused if paused is not None and paused > today else None,
            race_date=race_date if race_date is not None and race_date >= today else None,
            race_name=prefs.race_name if race_date is not None and race_date >= today else "",
            kinds=tuple(kinds),
        )

    async def send_test(self, user_id: int) -> list[SampleNudge]:
        """Queue one nudge of each kind now (ignores pause, quiet hours and check-ins)."""
        runner = await self._runner(user_id)
        tz = runner_zone(runner) or UTC
        now = self.clock.now()
        stamp = to_utc_iso(now)
        identities = await self.store.identities(None, [user_id])
        route = self._route(runner, identities[user_id])
        results: list[SampleNudge] = []
        for kind in Kind:
            if route is None:
                results.append(SampleNudge(kind, None, None, "no reachable chat"))
                continue
            async with self.db.transaction() as conn:
                delivery_id = await self.store.insert_delivery(
                    conn,
                    user_id=user_id,
                    kind=kind.value,
                    occurrence=f"test:{stamp}",
                    anchor=now.astimezone(tz).date().isoformat(),
                    due_utc=stamp,
                    claimed_at=stamp,
                    status="claimed",
                    reason="test",
                    platform=route.platform,
                    platform_user_id=route.platform_user_id,
                )
            if delivery_id is None:
                results.append(SampleNudge(kind, None, route.platform, "already sent this second"))
                continue
            ctx = await self._context(
                None, runner, kind, delivery_id, now.astimezone(tz).date(), now, tz
            )
            queue = self.queue(route.platform)
            assert queue is not None
            queue.put(
                Outgoing(
                    delivery_id,
                    route.platform_user_id,
                    nudge_reply(kind, ctx),
                    f"nudge-{delivery_id}",
                )
            )
            results.append(SampleNudge(kind, delivery_id, route.platform))
        return results

    # --- helpers ---------------------------------------------------------------------

    async def _runner(self, user_id: int) -> RunnerSettings:
        runner = await self.store.runner(user_id)
        if runner is None:
            raise NudgeNotFound("no such runner")
        return runner

    async def _delivery(self, user_id: int, delivery_id: int) -> Delivery:
        delivery = await self.store.delivery(delivery_id)
        if delivery is None or delivery.user_id != user_id:
            raise NudgeNotFound("that nudge is not yours or no longer exists")
        return delivery

    async def _save_prefs(self, prefs: NudgePrefs) -> None:
        async with self.db.transaction() as conn:
            await self.store.save_prefs(conn, [prefs], to_utc_iso(self.clock.now()))

    async def _kind_enabled(self, user_id: int, kind: Kind) -> bool:
        for row in await self.store.schedules(user_id):
            if row.kind == kind.value:
                return row.enabled
        return True

    async def _regular_due(self, user_id: int, kind: Kind) -> datetime | None:
        for row in await self.store.schedules(user_id):
            if row.kind == kind.value and row.next_due_utc:
                return from_utc_iso(row.next_due_utc)
        return None

    async def _answer(self, delivery: Delivery) -> None:
        """Record the tap and drop pending snoozes of the same occurrence day."""
        async with self.db.transaction() as conn:
            await self.store.cancel_oneoffs(conn, delivery.user_id, delivery.kind, delivery.anchor)
            await self.store.mark_answered(conn, delivery.id, to_utc_iso(self.clock.now()))


def _local_hhmm(when: datetime, tz: tzinfo | None) -> str:
    return format_hhmm(when.astimezone(tz or UTC).time())


def _needs(kind: Kind, configured: bool) -> str:
    if configured:
        return ""
    return {
        Kind.WIND_DOWN: "needs your bedtime (/settings bedtime 23:30)",
        Kind.SLEEP_CHECKIN: "needs your wake time (/settings wake_time 06:30)",
        Kind.PRE_RUN_MOBILITY: (
            "needs run days and run time "
            "(/settings run_days mon,wed,sat and /settings run_time 07:00)"
        ),
        Kind.STRENGTH: (
            "needs strength days and time "
            "(/settings strength_days tue,fri and /settings strength_time 18:30)"
        ),
    }.get(kind, "")


def _schedule_rows(runner: RunnerSettings, after: datetime, tz: tzinfo | None) -> list[ScheduleRow]:
    rows = []
    for kind in RECURRING_KINDS:
        rule = rule_for(runner, kind)
        occ = next_occurrence(rule, after) if rule is not None else None
        rows.append(
            ScheduleRow(
                user_id=runner.user_id,
                kind=kind.value,
                enabled=True,
                local_time=_local_hhmm(occ.due, tz) if occ else None,
                days=format_days(rule.days) if rule else "",
                occurrence=occ.anchor.isoformat() if occ else None,
                next_due_utc=to_utc_iso(occ.due) if occ else None,
            )
        )
    return rows
