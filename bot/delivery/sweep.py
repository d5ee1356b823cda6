"""The sweep: turns what fell due into delivery records, claims them, hands them to the queues.

One APScheduler interval job calls :meth:`Sweeper.sweep`. The sweeper knows
nothing of nudges or challenges: *sources* write due rows (a nudge schedule
that fired, a post planned ahead) and word each claimed message.

Each sweep:
1. recovers claims whose lease ran out (a process died): never-tried claims go
   back to due; requests that were on the wire are resent only where the
   platform de-duplicates by nonce (Discord), never elsewhere (Telegram);
2. asks every source to write the delivery rows that fell due, a batch at a
   time;
3. after each batch, and at the end, expires due rows missed by more than the
   grace window and, per platform, claims only what its queue can send within
   the next few seconds of its budget, renders them, and queues them: the first
   messages of a large burst go out while the rest is still being written.

On PostgreSQL the rows a process sends may be written by another one (the
scheduler): between sweeps a sender also claims every ``claim_seconds``
(:meth:`Sweeper.claim_soon`), so a due mark's first messages leave within about a
second of the scheduler's first batch, not at the sender's next sweep.

Sending is :mod:`bot.delivery.queues`: each platform's budget and outbound queue,
and what each send writes (``sending``, then its outcome).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.budget import SendBudget
from bot.clock import Clock
from bot.delivery.outbound import Outgoing
from bot.delivery.queues import OnUnreachable, OutboundQueues, Sleep
from bot.messages import Reply
from bot.ports import Messenger
from bot.storage.database import Database
from bot.storage.deliveries import Delivery
from bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "delivery-sweep"
CLAIM_JOB_ID = "delivery-claim"


class MessageSource(Protocol):
    """Something that schedules messages: nudges, club posts."""

    kinds: frozenset[str]

    async def materialize(self, uow: UnitOfWork, now: datetime, limit: int) -> tuple[int, bool]:
        """Write delivery rows for what fell due; (rows written, more left)."""
        ...

    async def render(
        self, uow: UnitOfWork, items: Sequence[Delivery], now: datetime
    ) -> dict[int, Reply | str]:
        """The message of each claimed row, or the reason not to send it (skipped)."""
        ...


class JobScheduler(Protocol):
    """The part of an APScheduler 3 scheduler the sweeper uses."""

    def add_job(self, func: Callable[..., Any], trigger: str, **kwargs: Any) -> Any:
        """Add a job (APScheduler's ``add_job``)."""
        ...


@dataclass(frozen=True, slots=True)
class SweepSettings:
    """Tunables of the sweep."""

    sweep_seconds: float = 5.0
    grace_minutes: int = 120
    lease_seconds: float = 30.0  # a claim not renewed for this long belongs to a dead process
    horizon_seconds: float = 10.0  # claim what the platform budget can send this soon
    batch: int = 100  # rows written per transaction (short holds of SQLite's write lock)
    resend_in_doubt: frozenset[str] = frozenset({"discord"})  # platforms that dedupe by nonce
    stop_seconds: float = 3.0
    # Between sweeps, on a shared database: claim what another process wrote this often.
    claim_seconds: float = 1.0


@dataclass(slots=True)
class SweepReport:
    """What one sweep did."""

    written: int = 0  # delivery rows written by the sources
    claimed: int = 0
    queued: int = 0
    skipped: int = 0
    expired: int = 0
    recovered: int = 0
    in_doubt: int = 0
    by_platform: dict[str, int] = field(default_factory=dict)


class Sweeper:
    """Drives every scheduled message from the database to the outbound queues.

    ``queues`` (:class:`~bot.delivery.queues.OutboundQueues`) sends them and holds
    the process's claims: their ``owner``, the ``metrics`` they count into, each
    platform's ``budget``.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        messengers: Callable[[], Mapping[str, Messenger]],
        sources: Sequence[MessageSource],
        settings: SweepSettings | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        budgets: Mapping[str, SendBudget] | None = None,
        on_unreachable: OnUnreachable | None = None,
        before_sweep: Sequence[Callable[[], Awaitable[object]]] = (),
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings or SweepSettings()
        self.queues = OutboundQueues(
            db, clock, messengers, sleep=sleep, budgets=budgets, on_unreachable=on_unreachable
        )
        self._sources = list(sources)
        self._by_kind = {kind: s for s in self._sources for kind in s.kinds}
        # Write-behind buffers to flush first (last-seen times, which pick routes).
        self._before_sweep = list(before_sweep)
        self._stopping = False
        self._current: asyncio.Task[Any] | None = None
        self._first = True
        self._started = clock.now()
        self._sweeping = asyncio.Lock()
        # Platforms whose scheduled messages this process claims and sends (None: every
        # running one). Where processes share a bot token only the elected one does.
        self.senders: set[str] | None = None
        # Whether this process writes due rows and recovers claims (the scheduler role).
        self.scheduling = True

    # --- running ---------------------------------------------------------------------

    def start(self, scheduler: JobScheduler) -> None:
        """Register the sweep job and start the send workers."""
        scheduler.add_job(
            self.sweep,
            "interval",
            seconds=self.settings.sweep_seconds,
            id=SWEEP_JOB_ID,
            name="delivery sweep",
            max_instances=1,
            coalesce=True,
            replace_existing=True,
            # On a grid from a whole minute: a burst due at HH:MM is swept at once.
            start_date=datetime.now(UTC).replace(second=0, microsecond=0),
            next_run_time=datetime.now(UTC),
            misfire_grace_time=None,
        )
        if not self.db.is_sqlite and self.settings.claim_seconds < self.settings.sweep_seconds:
            # Another process writes due rows (the scheduler role): at a due mark this
            # process's sweep may run just before the first batch is committed, and the
            # next sweep is sweep_seconds away. On SQLite one process writes and sends.
            scheduler.add_job(
                self.claim_soon,
                "interval",
                seconds=self.settings.claim_seconds,
                id=CLAIM_JOB_ID,
                name="delivery claim",
                max_instances=1,
                coalesce=True,
                replace_existing=True,
                misfire_grace_time=None,
            )
        self.queues.start()

    async def stop(self) -> int:
        """Let a running sweep finish, stop the queues, put never-tried claims back to due.

        Returns how many claims went back. Quiet: a clean stop logs no error.
        """
        self._stopping = True
        try:
            await asyncio.wait_for(self._sweeping.acquire(), self.settings.stop_seconds)
        except TimeoutError:
            # A long sweep (a large backlog): end it; its transaction rolls back, and
            # what it claimed and did not queue goes back to due at the next start.
            sweep = self._current
            if sweep is not None and not sweep.done():
                log.info("stopping: ending a delivery sweep still running")
                sweep.cancel()
                await asyncio.wait({sweep})
        else:
            self._sweeping.release()
        return await self.queues.stop()

    async def drain(self) -> None:
        """Send everything queued now (tests, /nudges test)."""
        await self.queues.drain()

    def sending(self) -> list[str]:
        """The running platforms whose scheduled messages this process sends now."""
        running = self.queues.platforms()
        return running if self.senders is None else [p for p in running if p in self.senders]

    # --- the sweep ------------------------------------------------------------------------

    async def sweep(self) -> SweepReport:
        """One pass; runs one at a time, and never raises into the scheduler."""
        async with self._sweeping:
            self._current = asyncio.current_task()
            try:
                return await self._sweep()
            except asyncio.CancelledError:
                # Ended by stop() or the loop shutting down. Not re-raised: the scheduler
                # would log a cancelled job as an ERROR with a traceback.
                log.info("delivery sweep ended early (shutting down)")
                return SweepReport()
            except Exception:
                log.exception("delivery sweep failed; the next one tries again")
                return SweepReport()

    async def claim_soon(self) -> int:
        """Between sweeps: claim and queue what fell due or was written meanwhile; how many.

        Skipped while a sweep runs (it claims as it goes). Never raises into the scheduler.
        """
        if self._sweeping.locked() or self._stopping or not self.sending():
            return 0
        async with self._sweeping:
            self._current = asyncio.current_task()
            report = SweepReport()
            try:
                await self._claim_all(report)
            except asyncio.CancelledError:
                return 0  # ended by stop() or the loop shutting down
            except Exception:
                log.exception("delivery claim failed; the next one tries again")
                return 0
            if report.claimed:
                log.info(
                    "delivery claim: %d claimed, %d queued, %d skipped",
                    report.claimed,
                    report.queued,
                    report.skipped,
                )
            return report.claimed

    async def _sweep(self) -> SweepReport:
        for flush in self._before_sweep:
            await flush()
        report = SweepReport()
        now = self.clock.now()
        in_flight = self.queues.in_flight()
        if in_flight:  # before recovering: this process's own claims are alive
            async with self.db.uow(turn="sweep") as uow:
                await uow.deliveries.extend_leases(
                    in_flight, self._lease(), owner=self.queues.owner
                )
                await uow.commit()
        if self.scheduling:
            await self._recover(now, report)
            for source in self._sources:
                more = True
                while more and not self._stopping:
                    async with self.db.uow(turn="sweep") as uow:
                        written, more = await source.materialize(uow, now, self.settings.batch)
                        await uow.commit()
                    report.written += written
                    if written:
                        # Sending starts while the rest of a burst is still being written.
                        await self._claim_all(report)
        await self._claim_all(report)
        if report.claimed or report.written:
            log.info(
                "delivery sweep: %d written, %d claimed, %d queued, %d skipped, %d expired",
                report.written,
                report.claimed,
                report.queued,
                report.skipped,
                report.expired,
            )
        return report

    async def _claim_all(self, report: SweepReport) -> None:
        """Claim for every platform this process sends for what its budget can send soon."""
        for platform in self.sending():
            if self._stopping:
                break  # claim nothing more: the queues are closing
            await self._claim(platform, self.clock.now(), report)

    async def _recover(self, now: datetime, report: SweepReport) -> None:
        # Every sweep: with leases of ~30 s a dead process's claims come back within one
        # lease and one sweep. Cheap: an index holds only the claimed and sending rows.
        cutoff = now
        if self._first and self.db.is_sqlite:
            # One process owns a SQLite file: at start every claim made before this
            # sweeper existed is a dead one's. Not later ones: while a restart
            # overlaps, the old process may still be sending what it claimed.
            cutoff = max(now, self._started + timedelta(seconds=self.settings.lease_seconds))
        async with self.db.uow(turn="sweep") as uow:
            released, doubtful = await uow.deliveries.recover(cutoff, self.settings.resend_in_doubt)
            await uow.commit()
        self._first = False
        report.recovered, report.in_doubt = released, doubtful
        metrics = self.queues.metrics
        if metrics is not None:
            metrics.recovered.labels("due_again").inc(released)
            metrics.recovered.labels("in_doubt").inc(doubtful)
        if released or doubtful:
            log.warning(
                "recovered %d unsent claims (back to due); %d were on the wire, not resent",
                released,
                doubtful,
            )

    def _lease(self) -> datetime:
        """Until when a claim made now is this process's, unless renewed."""
        return self.clock.now() + timedelta(seconds=self.settings.lease_seconds)

    async def _claim(self, platform: str, now: datetime, report: SweepReport) -> None:
        queue = self.queues.queue(platform)
        if queue is None:
            return
        budget = queue.capacity(self.settings.horizon_seconds)
        if budget <= 0:
            return
        grace = timedelta(minutes=self.settings.grace_minutes)
        # The write lock is held for the claim only: wording the messages is reading,
        # and a send waiting to mark itself `sending` should not wait for it.
        async with self.db.uow(turn="sweep") as uow:
            report.expired += await uow.deliveries.expire_stale(now - grace)
            claimed = await uow.deliveries.claim(
                platform, now, self._lease(), budget, owner=self.queues.owner
            )
            await uow.commit()
        rendered: dict[int, Reply | str] = {}
        async with self.db.reader() as uow:
            for source, items in self._group(claimed).items():
                rendered.update(await source.render(uow, items, now))
        outgoing, skipped = [], []
        for item in claimed:
            message = rendered.get(item.id, "nobody renders this kind")
            if isinstance(message, str):
                skipped.append((item.id, message))
                continue
            assert item.chat_id is not None
            outgoing.append(
                Outgoing(
                    delivery_id=item.id,
                    chat_id=item.chat_id,
                    reply=message,
                    dedupe_key=f"pacer-{item.id}",
                    group=item.is_group_post,
                    deadline=item.due_at + grace,
                )
            )
        if skipped:
            epochs = {item.id: item.epoch for item in claimed}
            async with self.db.uow(turn="sweep") as uow:
                for delivery_id, reason in skipped:
                    await uow.deliveries.finish(
                        delivery_id,
                        "skipped",
                        reason,
                        None,
                        owner=self.queues.owner,
                        epoch=epochs[delivery_id],
                    )
                await uow.commit()
            report.skipped += len(skipped)
        report.claimed += len(claimed)
        report.by_platform[platform] = len(claimed)
        by_id = {item.id: item for item in claimed}
        for out in outgoing:
            self.queues.put(queue, by_id[out.delivery_id], out)
        report.queued += len(outgoing)

    def _group(self, items: Sequence[Delivery]) -> dict[MessageSource, list[Delivery]]:
        groups: dict[MessageSource, list[Delivery]] = {}
        for item in items:
            source = self._by_kind.get(item.kind)
            if source is not None:
                groups.setdefault(source, []).append(item)
        return groups
