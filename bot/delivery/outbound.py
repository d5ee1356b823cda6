"""An outbound queue per platform that loses nothing it need not lose.

Items go out in FIFO order, one at a time per chat, each holding a
:class:`~bot.budget.Place` of the platform's send budget, shared with the bot's
replies. Once the place is granted, just before the request, the caller hears
``on_sending`` (it records "sending", so after a crash only requests on the
wire are in doubt); every
final outcome goes to ``on_outcome``. A 429 holds the whole platform for
``retry_after`` and the item is retried as long as its deadline allows;
transient errors get a few retries with exponential backoff; a chat that
refuses takes its other queued items with it, untried. :meth:`stop` hands back
everything not on the wire, so the caller can make it due again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.budget import SendBudget, Sleep
from bot.clock import Clock
from bot.messages import Reply
from bot.ports import (
    DeliveryError,
    Messenger,
    RateLimited,
    TransientDeliveryError,
    Unreachable,
)

log = logging.getLogger(__name__)

Status = Literal["sent", "failed", "unreachable", "expired", "dropped"]
# How far into the queue to look for an item whose chat is not cooling down.
_SCAN = 256
NOT_TRIED = "chat refused; not tried"


@dataclass(eq=False, slots=True)
class Outgoing:
    """One message waiting to be sent (compared by identity)."""

    delivery_id: int
    chat_id: str
    reply: Reply
    dedupe_key: str
    group: bool = False
    deadline: datetime | None = None  # give up (``expired``) rather than start after this
    attempts: int = 0  # requests made
    rate_limited: int = 0  # of which answered 429
    transient_failures: int = 0
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """How sending one message ended."""

    delivery_id: int
    platform: str
    chat_id: str
    status: Status
    reason: str
    attempts: int
    sent_at: datetime | None
    rate_limited: int = 0  # of the attempts, how many were answered 429


# Returns False when the message must not go out any more (its record was settled or
# taken back elsewhere): it is then dropped without an outcome of its own.
OnSending = Callable[[Outgoing], Awaitable[bool]]
OnOutcome = Callable[[Outcome], Awaitable[None]]


@dataclass(eq=False, slots=True)
class _Running:
    item: Outgoing
    state: Literal["waiting", "on_wire", "settled"] = "waiting"


class OutboundQueue:
    """Sends queued messages through one messenger within the platform's :class:`SendBudget`."""

    def __init__(
        self,
        messenger: Messenger,
        clock: Clock,
        budget: SendBudget,
        on_sending: OnSending,
        on_outcome: OnOutcome,
        *,
        sleep: Sleep = asyncio.sleep,
        max_attempts: int = 3,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
    ) -> None:
        self.messenger = messenger
        self.platform = messenger.platform
        self.budget = budget
        self._clock = clock
        self._on_sending = on_sending
        self._on_outcome = on_outcome
        self._sleep = sleep
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._pending: deque[Outgoing] = deque()
        self._tasks: dict[asyncio.Task[None], _Running] = {}
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._worker: asyncio.Task[None] | None = None

    def put(self, item: Outgoing) -> None:
        """Queue a message."""
        self._pending.append(item)
        self._idle.clear()
        self._wakeup.set()

    @property
    def size(self) -> int:
        """Messages queued or being sent."""
        return len(self._pending) + len(self._tasks)

    def delivery_ids(self) -> set[int]:
        """Deliveries this queue still owns (queued or in flight)."""
        ids = {item.delivery_id for item in self._pending}
        return ids | {running.item.delivery_id for running in self._tasks.values()}

    def capacity(self, horizon_seconds: float) -> int:
        """How many more messages may be claimed to go out within the horizon."""
        return max(0, self.budget.capacity(horizon_seconds) - len(self._pending))

    async def wait_idle(self) -> None:
        """Return once nothing is queued or in flight (needs a running worker or drain)."""
        await self._idle.wait()

    def start(self) -> None:
        """Run a background worker that sends whatever is queued."""
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(
                self._pump(forever=True), name=f"outbound-{self.platform}"
            )

    async def stop(self, *, grace: float = 5.0) -> list[Outgoing]:
        """Stop sending; return every item not on the wire (never tried or awaiting a retry).

        Requests on the wire get ``grace`` seconds to finish and report; any
        still running then are cancelled, and their outcome stays in doubt.
        """
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            await asyncio.wait({worker})  # not `await worker`: its CancelledError is expected
        waiting = [(t, r) for t, r in self._tasks.items() if r.state == "waiting"]
        for task, _ in waiting:
            task.cancel()
        if waiting:
            await asyncio.wait([task for task, _ in waiting])
        on_wire = list(self._tasks)
        if on_wire:
            _, late = await asyncio.wait(on_wire, timeout=grace)
            if late:
                log.warning("%s: %d requests still on the wire at stop", self.platform, len(late))
                for task in late:
                    task.cancel()
                await asyncio.wait(late)
        untried = [r.item for _, r in waiting if r.state == "waiting"] + list(self._pending)
        self._pending.clear()
        self._idle.set()
        return untried

    async def drain(self) -> None:
        """Send everything queued now (and any retries), then return."""
        if self._worker is not None and not self._worker.done():
            await self.wait_idle()
        else:
            await self._pump(forever=False)

    async def _pump(self, *, forever: bool) -> None:
        while True:
            self._wakeup.clear()  # before looking, so a wake-up while we look is kept
            now = self._clock.now()
            item, wake_at, expired = self._pick(now)
            for gone in expired:
                await self._finish(gone, "expired", self._expiry_reason(gone))
            if item is not None:
                running = _Running(item)
                task = asyncio.create_task(self._attempt(running))
                self._tasks[task] = running
                task.add_done_callback(self._task_done)
                continue
            if not self._pending and not self._tasks:
                self._idle.set()
                if not forever:
                    return
            if not expired:
                await self._wait(wake_at, now)

    def _pick(self, now: datetime) -> tuple[Outgoing | None, datetime | None, list[Outgoing]]:
        """The first item that may go now, else when one may; and items past their deadline."""
        expired: list[Outgoing] = []
        if len(self._tasks) >= self.budget.limits.max_in_flight:
            return None, None, expired
        busy = {r.item.chat_id for r in self._tasks.values() if self._exclusive(r.item)}
        earliest: datetime | None = None
        index = 0
        while index < min(len(self._pending), _SCAN):
            item = self._pending[index]
            if item.deadline is not None and now > item.deadline:
                del self._pending[index]
                expired.append(item)
                continue
            index += 1
            if item.chat_id in busy and self._exclusive(item):
                continue  # one message at a time per chat: a task ending wakes us
            ready = item.not_before
            if ready is None or ready <= now:
                del self._pending[index - 1]
                return item, None, expired
            earliest = ready if earliest is None else min(earliest, ready)
        return None, earliest, expired

    def _exclusive(self, item: Outgoing) -> bool:
        limits = self.budget.limits
        return limits.per_chat_interval is not None or (
            item.group and limits.per_group_per_minute is not None
        )

    async def _wait(self, wake_at: datetime | None, now: datetime) -> None:
        """Until something is put, a request ends, or ``wake_at``."""
        waits: set[asyncio.Future[Any]] = {asyncio.ensure_future(self._wakeup.wait())}
        if wake_at is not None:
            waits.add(asyncio.ensure_future(self._sleep((wake_at - now).total_seconds())))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        self._wakeup.set()
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("%s: sending task failed", self.platform, exc_info=exc)

    async def _attempt(self, running: _Running) -> None:
        item = running.item
        ahead = False
        while True:
            error, skip = await self._request(running, ahead=ahead)
            # The place is given back: recording the outcome does not hold up the chat.
            if skip is not None:
                running.state = "settled"
                await self._finish(item, *skip)
                return
            if not isinstance(error, RateLimited):
                running.state = "settled"
                await self._settle(item, error)
                return
            wait = max(0.0, float(error.retry_after))
            # A 429 concerns the bot's budget, not one chat: hold the whole platform.
            self.budget.block_for(wait)
            item.rate_limited += 1
            retry_at = self._clock.now() + timedelta(seconds=wait)
            if item.deadline is not None and retry_at > item.deadline:
                running.state = "settled"
                await self._finish(item, "expired", f"rate limited ({wait:g} s) past the deadline")
                return
            log.info("%s: 429, waiting %.1f s", self.platform, wait)
            running.state = "waiting"
            ahead = True  # it had its turn: it goes first when the block ends

    async def _request(
        self, running: _Running, *, ahead: bool
    ) -> tuple[Exception | None, tuple[Status, str] | None]:
        """One message in a place of the budget: the error it raised, or why it was not sent."""
        item = running.item
        async with self.budget.place(item.chat_id, group=item.group, ahead=ahead) as place:
            if item.deadline is not None and self._clock.now() > item.deadline:
                return None, ("expired", self._expiry_reason(item))
            running.state = "on_wire"
            try:
                if not await self._on_sending(item):
                    return None, ("dropped", "no longer ours to send")
            except Exception:  # the DB is down: sending matters more than the mark
                log.exception(
                    "%s: recording delivery %s as sending failed", self.platform, item.delivery_id
                )
            item.attempts += 1
            send = self.messenger.send_group if item.group else self.messenger.send_direct
            try:
                await send(item.chat_id, item.reply, dedupe_key=item.dedupe_key, place=place)
            except Exception as exc:
                return exc, None
        return None, None

    async def _settle(self, item: Outgoing, error: Exception | None) -> None:
        now = self._clock.now()
        if error is None:
            await self._finish(item, "sent", "", sent_at=now)
        elif isinstance(error, Unreachable):
            await self._finish(item, "unreachable", str(error) or "refused")
            await self._drop_chat(item)
        elif isinstance(error, TransientDeliveryError):
            item.transient_failures += 1
            if item.transient_failures >= self.max_attempts:
                await self._finish(item, "failed", f"transient error: {error}")
                return
            delay = min(self.backoff_max, self.backoff_base * 2 ** (item.transient_failures - 1))
            retry_at = now + timedelta(seconds=delay)
            if item.deadline is not None and retry_at > item.deadline:
                reason = f"transient error: {error}; no retry before the deadline"
                await self._finish(item, "expired", reason)
            else:
                item.not_before = retry_at
                self._pending.append(item)
        elif isinstance(error, DeliveryError):
            log.warning("%s: delivery %s refused: %s", self.platform, item.delivery_id, error)
            await self._finish(item, "failed", str(error) or type(error).__name__)
        else:  # a bug in a messenger must not kill the queue
            log.error(
                "%s: unexpected error sending delivery %s",
                self.platform,
                item.delivery_id,
                exc_info=error,
            )
            await self._finish(item, "failed", f"error: {type(error).__name__}")

    async def _drop_chat(self, refused: Outgoing) -> None:
        """The chat refused: its other queued items end ``unreachable`` without being tried."""
        key = (refused.chat_id, refused.group)
        dropped = [i for i in self._pending if (i.chat_id, i.group) == key]
        if dropped:
            self._pending = deque(i for i in self._pending if (i.chat_id, i.group) != key)
        for task, running in self._tasks.items():
            other = running.item
            if running.state == "waiting" and (other.chat_id, other.group) == key:
                running.state = "settled"  # waiting for its place: never sent
                task.cancel()
                dropped.append(other)
        for item in dropped:
            reason = NOT_TRIED if item.attempts == 0 else "chat refused; not retried"
            await self._finish(item, "unreachable", reason)

    @staticmethod
    def _expiry_reason(item: Outgoing) -> str:
        if item.rate_limited:
            return "rate limited until past the deadline"
        return "deadline passed before sending"

    async def _finish(
        self, item: Outgoing, status: Status, reason: str, sent_at: datetime | None = None
    ) -> None:
        outcome = Outcome(
            item.delivery_id,
            self.platform,
            item.chat_id,
            status,
            reason,
            item.attempts,
            sent_at,
            item.rate_limited,
        )
        try:
            await self._on_outcome(outcome)
        except Exception:
            log.exception(
                "%s: recording the outcome of delivery %s failed", self.platform, item.delivery_id
            )
