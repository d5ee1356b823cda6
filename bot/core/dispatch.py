"""The core: one entry point that every adapter calls."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.core.messages import Incoming, Reply
from bot.storage.database import Database


@dataclass(frozen=True, slots=True)
class Choice:
    """An autocomplete suggestion: what to show and the value to fill in."""

    label: str
    value: str


class Core:
    """Turns an :class:`Incoming` into a :class:`Reply`. Work in progress."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def handle(self, incoming: Incoming) -> Reply:
        """Answer one command, plain message or button press."""
        raise NotImplementedError

    async def autocomplete(self, incoming: Incoming, option: str, partial: str) -> list[Choice]:
        """Suggestions for a typed-option value (at most 25)."""
        raise NotImplementedError

    async def mark_unreachable(self, platform: str, platform_user_id: str, reason: str) -> None:
        """Remember that direct messages to this identity are refused."""
        raise NotImplementedError
