"""The send side of scheduled messages, per platform: its budget, its outbound queue,
and what each send writes.

The sweep (:mod:`bot.delivery.sweep`) claims due rows and hands each claimed
message here (:meth:`OutboundQueues.put`); the platform's queue
(:mod:`bot.delivery.outbound`) sends it within the platform's send budget. Each
send is marked ``sending`` just before its request and its outcome recorded after
it: a refused chat cancels whatever else is due for it, marks the runner
unreachable and pauses a group's club posts. On stop, never-tried claims go back to
due.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from bot.budget import SendBudget, limits_for
from bot.clock import Clock
from bot.delivery.outbound import OutboundQueue, Outcome, Outgoing
from bot.operations.metrics import Metrics
from bot.ports import Messenger
from bot.storage.database import Database
from bot.storage.deliveries import Delivery
from bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

Sleep = Callable[[float], Any]
OnUnreachable = Callable[[str, str], Any]


class OutboundQueues:
    """Every running platform's budget and outbound queue, and the claims they hold."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        messengers: Callable[[], Mapping[str, Messenger]],
        *,
        sleep: Sleep = asyncio.sleep,
        budgets: Mapping[str, SendBudget] | None = None,
        on_unreachable: OnUnreachable | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self._messengers = messengers
        self._sleep = sleep
        self.budgets: dict[str, SendBudget] = dict(budgets or {})
        self._on_unreachable = on_unreachable
        self._queues: dict[str, OutboundQueue] = {}
        self._running = False
        self.metrics: Metrics | None = None
        # Who this process is to the claims it makes (the app puts the process name first).
        self.owner = uuid.uuid4().hex[:12]
        self._claims: dict[int, Delivery] = {}  # queued deliveries: their epoch and due time

    def platforms(self) -> list[str]:
        """The platforms running in this process (those with a messenger)."""
        return list(self._messengers())

    def budget(self, platform: str) -> SendBudget:
        """The platform's send budget, shared by its replies and its scheduled messages."""
        budget = self.budgets.get(platform)
        if budget is None:
            budget = SendBudget(limits_for(platform), self.clock, sleep=self._sleep)
            self.budgets[platform] = budget
        return budget

    def queue(self, platform: str) -> OutboundQueue | None:
        """The outbound queue of a running platform (created on first use)."""
        messenger = self._messengers().get(platform)
        if messenger is None:
            return None
        queue = self._queues.get(platform)
        if queue is None or queue.messenger is not messenger:
            queue = OutboundQueue(
                messenger,
                self.clock,
                self.budget(platform),
                self._mark_sending,
                self._record,
                sleep=self._sleep,
            )
            self._queues[platform] = queue
            if self._running:
                queue.start()
        return queue

    def in_flight(self) -> set[int]:
        """Delivery ids this process's queues own."""
        ids: set[int] = set()
        for queue in self._queues.values():
            ids |= queue.delivery_ids()
        return ids

    def start(self) -> None:
        """Start the send workers (queues made later start at once)."""
        self._running = True
        for queue in self._queues.values():
            queue.start()

    async def stop(self) -> int:
        """Stop the queues and put their never-tried claims back to due; how many went back."""
        self._running = False
        untried: list[Outgoing] = []
        for queue in self._queues.values():
            untried.extend(await queue.stop())
        if not untried:
            return 0
        async with self.db.uow(turn="sweep") as uow:
            released = await uow.deliveries.release(
                [o.delivery_id for o in untried], owner=self.owner
            )
            await uow.commit()
        self._claims.clear()
        log.info("stopping: %d unsent messages go back to due", released)
        return released

    async def drain(self) -> None:
        """Send everything queued now (tests, /nudges test)."""
        for queue in list(self._queues.values()):
            await queue.drain()

    def put(self, queue: OutboundQueue, claim: Delivery, out: Outgoing) -> None:
        """Hand a claimed message to its platform's queue; ``claim`` keeps its epoch."""
        self._claims[out.delivery_id] = claim
        queue.put(out)

    # --- outcomes ---------------------------------------------------------------------------

    async def _mark_sending(self, item: Outgoing) -> bool:
        # One statement, no transaction: the shortest hold of SQLite's write lock. Its
        # turn comes after runners' writes but before the sweep's batches and records:
        # the send holds a place of the budget until it is marked. False: the record was
        # settled or taken back meanwhile (cancelled for a refused chat, recovered).
        claim = self._claims.get(item.delivery_id)
        if claim is None:
            return False  # not a claim of this process (any more)
        async with self.db.single(turn="send") as uow:
            return await uow.deliveries.mark_sending(
                item.delivery_id, self.clock.now(), owner=self.owner, epoch=claim.epoch
            )

    async def _record(self, outcome: Outcome) -> None:
        claim = self._claims.pop(outcome.delivery_id, None)
        if self.metrics is not None:
            due_at = None if claim is None else claim.due_at
            self.metrics.outcome(
                outcome.platform, outcome.status, outcome.rate_limited, due_at, outcome.sent_at
            )
        if outcome.status == "dropped" or claim is None:
            return  # someone else settled it or took it back: nothing of ours to record
        now = self.clock.now()
        refused = outcome.status == "unreachable" and outcome.attempts > 0
        owner, epoch = self.owner, claim.epoch
        if not refused:
            async with self.db.single(turn="sweep") as uow:
                await _finish(uow, outcome, owner, epoch)
            return
        async with self.db.uow(turn="sweep") as uow:
            await _finish(uow, outcome, owner, epoch)
            # Everything else due for that chat is cancelled untried, now.
            await uow.deliveries.cancel_chat(
                outcome.platform, outcome.chat_id, "chat refused; not tried"
            )
            await uow.runners.set_unreachable(outcome.platform, outcome.chat_id, now)
            record = await uow.deliveries.get(outcome.delivery_id)
            if record is not None and record.is_group_post:
                # A group that removed the bot, a deleted channel: its club posts pause.
                await uow.clubs.pause_posts(
                    outcome.platform, outcome.chat_id, now, outcome.reason or "chat refused"
                )
            await uow.commit()
        log.info("%s chat %s unreachable: %s", outcome.platform, outcome.chat_id, outcome.reason)
        if self._on_unreachable is not None:
            await self._on_unreachable(outcome.platform, outcome.chat_id)


async def _finish(uow: UnitOfWork, outcome: Outcome, owner: str, epoch: int) -> bool:
    """Record how a claim's sending ended (False: it is no longer this claim's)."""
    return await uow.deliveries.finish(
        outcome.delivery_id,
        outcome.status,
        outcome.reason,
        outcome.sent_at,
        owner=owner,
        epoch=epoch,
    )
