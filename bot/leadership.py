"""The posts this process stands for: held by one process at a time, taken over on a death.

A post is a role that must have exactly one active holder across processes:
a platform's sender (its send budget belongs to one bot token) or the
scheduler (due rows, recovery, clean-up run once). The election is a lock in
the database (:mod:`bot.storage.leases`); this loop tries for the posts not
held every ``interval`` seconds, so a standby takes over a few seconds after
the holder's database session ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.storage.leases import Election

log = logging.getLogger(__name__)

TRY_EVERY = 2.0  # seconds between tries: takeover well within 10 s of a holder's death


@dataclass(frozen=True, slots=True)
class Post:
    """One role with a single active holder, and what taking or losing it does here."""

    lock: str  # the lock's name (one per bot token for a platform)
    role: str  # telegram, discord or scheduler: for logs and metrics
    take: Callable[[], Awaitable[None]]
    leave: Callable[[], Awaitable[None]]


class Leadership:
    """Keeps trying for this process's posts and runs their take/leave hooks."""

    def __init__(
        self,
        election: Election,
        posts: Sequence[Post],
        *,
        interval: float = TRY_EVERY,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self._election = election
        self._posts = {p.lock: p for p in posts}
        self.interval = interval
        self._on_change = on_change
        self._task: asyncio.Task[None] | None = None
        self.active: set[str] = set()  # locks whose take() ran

    @property
    def roles_held(self) -> set[str]:
        """The roles this process is active for now."""
        return {self._posts[lock].role for lock in self.active}

    @property
    def roles_waiting(self) -> set[str]:
        """The roles this process stands by for."""
        return {p.role for lock, p in self._posts.items() if lock not in self.active}

    async def start(self) -> None:
        """Try once now (a lone process is active at once), then keep trying."""
        await self.tick()
        self._task = asyncio.create_task(self._loop(), name="leadership")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.tick()
            except Exception:
                log.exception("role election failed; trying again")

    async def tick(self) -> None:
        """One round: leave what was lost, take what was won."""
        changes = await self._election.poll()
        for lock in changes.lost:
            if lock in self.active:
                self.active.discard(lock)
                post = self._posts[lock]
                log.warning("lost the %s role (%s); standing by", post.role, lock)
                await self._run(post.leave, post, "leaving")
        for lock in changes.gained:
            post = self._posts[lock]
            if await self._run(post.take, post, "taking"):
                self.active.add(lock)
                log.info("active for the %s role (%s)", post.role, lock)
            else:
                # Let another process try: holding a lock without doing its job is worse.
                await self._election.release(lock)
        if changes.lost or changes.gained:
            self._on_change()

    async def _run(self, hook: Callable[[], Awaitable[None]], post: Post, doing: str) -> bool:
        try:
            await hook()
        except Exception:
            log.exception("%s the %s role failed", doing, post.role)
            return False
        return True

    async def stop(self) -> None:
        """Stop trying (the posts are left by stopping what they run, then closing)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close(self) -> None:
        """Give every lock up, so a standby takes over now rather than at a timeout."""
        await self.stop()
        self.active.clear()
        await self._election.close()
        self._on_change()
