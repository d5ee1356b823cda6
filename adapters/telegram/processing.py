"""Concurrent updates, but one at a time per chat.

PTB's default processes every update in turn, so one slow chat holds up all
others. Fully concurrent processing could answer a runner's onboarding
answers out of order. This processor runs up to ``max_concurrent_updates``
updates at once while updates from the same chat keep their order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_key(update: object) -> int | None:
    """The chat (or, failing that, the user) an update belongs to."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat.

    PTB's ``process_update`` takes a concurrency slot and only then calls
    ``do_process_update``: queued updates of one busy chat would each hold a
    slot while waiting for that chat's lock, and with enough of them every
    other chat would stall. So the chat's lock is taken first, then the slot.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    # PTB marks process_update @final; the override keeps its contract (at most
    # max_concurrent_updates coroutines run at once) and only changes the order.
    async def process_update(  # type: ignore[misc]
        self, update: object, coroutine: Awaitable[Any]
    ) -> None:
        """Wait for the update's chat, then for a free slot, then run ``coroutine``."""
        key = chat_key(update)
        if key is None:
            async with self._semaphore:
                await self.do_process_update(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._semaphore:
                await self.do_process_update(update, coroutine)
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await ``coroutine`` (ordering and the slot are handled by ``process_update``)."""
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
