"""A paced outbound queue per platform in front of a :class:`~bot.ports.Messenger`.

The queue keeps the platform's limits (Telegram: 30 messages in any one
second overall and one per second per chat; Discord: 45 requests a second),
waits out ``retry_after`` when the platform says 429, retries transient errors
a bounded number of times with exponential backoff, and reports every final
outcome through a callback. Time and sleeping are injected, so tests move a
fake clock instead of waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.core.messages import Reply
from bot.ports import Messenger, RateLimited, TransientDeliveryError, Unreachable

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
ONE_SECOND = timedelta(seconds=1)
# How far into the queue to look for an item whose chat is not cooling down.
_SCAN = 256


@dataclass(frozen=True, slots=True)
class RateLimits:
    """A platform's sending limits."""

    per_second: int | None = None  # messages in any one-second window, overall
    per_chat_interval: float | None = None  # seconds between two messages to one chat
    max_in_flight: int = 8  # concurrent requests, so latency does not cap the rate


def limits_for(platform: str) -> RateLimits:
    """The documented limits of a platform (unlimited for the console)."""
    if platform == "telegram":
        return RateLimits(per_second=30, per_chat_interval=1.0)
    if platform == "discord":
        return RateLimits(per_second=45)
    return RateLimits(per_second=None, max_in_flight=1)


@dataclass(slots=True)
class Outgoing:
    """One message waiting to be sent."""

    delivery_id: int
    platform_user_id: str
    reply: Reply
    dedupe_key: str
    attempts: int = 0
    rate_limited: int = 0
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """How sending one message ended: ``sent``, ``failed`` or ``unreachable``."""

    delivery_id: int
    platform: str
    platform_user_id: str
    status: str
    reason: str
    attempts: int
    sent_at: datetime | None


OnOutcome = Callable[[Outcome], Awaitable[None]]


class OutboundQueue:
    """Sends queued messages through one messenger within the platform's limits."""

    def __init__(
        self,
        messenger: Messenger,
        clock: Clock,
        on_outcome: OnOutcome,
        *,
        limits: RateLimits | None = None,
        sleep: Sleep = asyncio.sleep,
        max_attempts: int = 3,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        max_rate_limited: int = 5,
    ) -> None:
        self.messenger = messenger
        self.platform = messenger.platform
        self.clock = clock
        self.limits = limits or limits_for(self.platform)
        self._on_outcome = on_outcome
        self._sleep = sleep
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_rate_limited = max_rate_limited
        self._pending: deque[Outgoing] = deque()
        self._in_flight: dict[asyncio.Task[None], Outgoing] = {}
        self._starts: deque[datetime] = deque()
        self._last_by_chat: dict[str, datetime] = {}
        self._blocked_until: datetime | None = None
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
        return len(self._pending) + len(self._in_flight)

    def delivery_ids(self) -> set[int]:
        """Deliveries this queue still owns (queued or in flight)."""
        return {i.delivery_id for i in self._pending} | {
            i.delivery_id for i in self._in_flight.values()
        }

    async def wait_idle(self) -> None:
        """Return once nothing is queued or in flight (needs a running worker or drain)."""
        await self._idle.wait()

    def start(self) -> None:
        """Run a background worker that sends whatever is queued."""
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(
                self._pump(forever=True), name=f"outbound-{self.platform}"
            )

    async def stop(self) -> None:
        """Stop the worker; queued messages stay unsent (their claims will be failed later)."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        for task in list(self._in_flight):
            task.cancel()
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def drain(self) -> None:
        """Send everything queued now (and any retries), then return."""
        await self._pump(forever=False)

    async def _pump(self, *, forever: bool) -> None:
        while True:
            if not self._pending and not self._in_flight:
                self._idle.set()
                if not forever:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            if len(self._in_flight) >= self.limits.max_in_flight:
                await asyncio.wait(list(self._in_flight), return_when=asyncio.FIRST_COMPLETED)
                continue
            now = self.clock.now()
            item, wait = self._pick(now)
            if item is None:
                if self._in_flight:
                    # A running send may finish or requeue; look again after it.
                    await asyncio.wait(list(self._in_flight), return_when=asyncio.FIRST_COMPLETED)
                elif wait is not None:
                    await self._sleep(max(wait, 0.001))
                continue
            self._starts.append(now)
            if self.limits.per_chat_interval is not None:
                self._last_by_chat[item.platform_user_id] = now
            task = asyncio.create_task(self._attempt(item))
            self._in_flight[task] = item
            task.add_done_callback(self._in_flight.pop)

    def _pick(self, now: datetime) -> tuple[Outgoing | None, float | None]:
        """The first item allowed to go now, else how long until one may."""
        if self._blocked_until is not None and now < self._blocked_until:
            return None, (self._blocked_until - now).total_seconds()
        limit = self.limits.per_second
        while self._starts and self._starts[0] <= now - ONE_SECOND:
            self._starts.popleft()
        if limit is not None and len(self._starts) >= limit:
            return None, (self._starts[0] + ONE_SECOND - now).total_seconds()
        interval = self.limits.per_chat_interval
        if interval is not None and len(self._last_by_chat) > 4 * _SCAN:
            horizon = now - timedelta(seconds=interval)
            self._last_by_chat = {c: t for c, t in self._last_by_chat.items() if t > horizon}
        earliest: datetime | None = None
        for index, item in enumerate(self._pending):
            if index >= _SCAN:
                break
            ready_at = item.not_before
            if interval is not None:
                last = self._last_by_chat.get(item.platform_user_id)
                if last is not None:
                    chat_ready = last + timedelta(seconds=interval)
                    ready_at = chat_ready if ready_at is None else max(ready_at, chat_ready)
            if ready_at is None or ready_at <= now:
                del self._pending[index]
                return item, None
            earliest = ready_at if earliest is None else min(earliest, ready_at)
        return None, None if earliest is None else (earliest - now).total_seconds()

    async def _attempt(self, item: Outgoing) -> None:
        item.attempts += 1
        try:
            await self.messenger.send_direct(
                item.platform_user_id, item.reply, dedupe_key=item.dedupe_key
            )
        except Unreachable as exc:
            await self._finish(item, "unreachable", str(exc) or "refused")
        except RateLimited as exc:
            item.rate_limited += 1
            retry_after = max(0.0, float(exc.retry_after))
            until = self.clock.now() + timedelta(seconds=retry_after)
            # A 429 concerns the bot's budget, not one chat: hold the whole queue.
            if self._blocked_until is None or until > self._blocked_until:
                self._blocked_until = until
            if item.rate_limited > self.max_rate_limited:
                await self._finish(item, "failed", f"rate limited {item.rate_limited} times")
            else:
                log.info("%s: 429, waiting %.1f s", self.platform, retry_after)
                self._pending.appendleft(item)
        except TransientDeliveryError as exc:
            transient = item.attempts - item.rate_limited
            if transient >= self.max_attempts:
                await self._finish(item, "failed", f"transient error: {exc}")
            else:
                delay = min(self.backoff_max, self.backoff_base * 2 ** (transient - 1))
                item.not_before = self.clock.now() + timedelta(seconds=delay)
                self._pending.append(item)
        except Exception as exc:  # a bug in a messenger must not kill the queue
            log.exception(
                "%s: unexpected error sending delivery %s", self.platform, item.delivery_id
            )
            await self._finish(item, "failed", f"error: {type(exc).__name__}")
        else:
            await self._finish(item, "sent", "", sent_at=self.clock.now())

    async def _finish(
        self, item: Outgoing, status: str, reason: str, sent_at: datetime | None = None
    ) -> None:
        outcome = Outcome(
            delivery_id=item.delivery_id,
            platform=self.platform,
            platform_user_id=item.platform_user_id,
            status=status,
            reason=reason,
            attempts=item.attempts,
            sent_at=sent_at,
        )
        try:
            await self._on_outcome(outcome)
        except Exception:
            log.exception(
                "%s: recording the outcome of delivery %s failed", self.platform, item.delivery_id
            )
