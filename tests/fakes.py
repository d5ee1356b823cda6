"""Hand-written fakes: a chat that talks to the real core, and a scripted core for adapters."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bot.bootstrap import build_core
from bot.clock import FakeClock
from bot.core.dispatch import Core
from bot.messages import Choice, Incoming, Reply
from bot.models import CheckIn, Run, User
from bot.ports import ProgressNote
from bot.storage.database import Database

_keys = itertools.count(1)


@dataclass
class Harness:
    """The core and its database, as the app would wire them."""

    db: Database
    clock: FakeClock
    core: Core

    def chat(
        self, user: str = "ana", platform: str = "console", *, private: bool = True
    ) -> FakeChat:
        """A chat as ``user`` on ``platform``."""
        return FakeChat(self.core, platform, user, private=private)

    async def user(self, chat: FakeChat) -> User:
        """The stored runner behind a chat."""
        return (await self.core.accounts.identify(chat.platform, chat.user_id, "")).user

    async def runs(self, chat: FakeChat) -> list[Run]:
        """Every stored run of the chat's runner, newest first."""
        user = await self.user(chat)
        async with self.db.reader() as uow:
            return await uow.activity.recent_runs(user.id, 1000)

    async def checkins(self, chat: FakeChat, habit: str | None = None) -> list[CheckIn]:
        """Every stored check-in of the chat's runner."""
        user = await self.user(chat)
        async with self.db.reader() as uow:
            return await uow.activity.checkins_between(
                user.id, date(2000, 1, 1), date(2100, 1, 1), habit
            )


def make_harness(db: Database, clock: FakeClock) -> Harness:
    """A harness on an opened database; nudge pacing moves the fake clock."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    return Harness(db, clock, build_core(db, clock, sleep=sleep))


@dataclass
class FakeChat:
    """Says things to the core as one runner and keeps the replies."""

    core: Core
    platform: str
    user_id: str
    private: bool = True
    admin: bool = False
    replies: list[Reply] = field(default_factory=list)

    def incoming(self, line: str, **extra: Any) -> Incoming:
        """What an adapter would build from a typed line."""
        base = Incoming(
            platform=self.platform,
            user_id=self.user_id,
            chat_id=self.user_id if self.private else "group-1",
            is_private=self.private,
            is_admin=self.admin,
            display_name=self.user_id.capitalize(),
            idempotency_key=str(next(_keys)),
        )
        if line.startswith("/"):
            name, _, text = line[1:].partition(" ")
            base = replace(base, command=name, text=text)
        else:
            base = replace(base, text=line)
        return replace(base, **extra)

    async def say(self, line: str, **extra: Any) -> Reply:
        """Send a line (``/log 5k 25:00`` or plain text) and return the reply."""
        reply = await self.core.handle(self.incoming(line, **extra))
        self.replies.append(reply)
        return reply

    async def press(self, label: str) -> Reply:
        """Tap a button of the last reply by (part of) its label."""
        last = self.replies[-1]
        for button in last.all_buttons:
            if label.lower() in button.label.lower():
                return await self.say("", action=button.action)
        raise AssertionError(f"no button {label!r} in {[b.label for b in last.all_buttons]}")


async def fire(harness: Harness) -> None:
    """One sweep, then let the outbound queues send what it claimed."""
    await harness.core.sweeper.sweep()
    await harness.core.sweeper.drain()


def _echo(incoming: Incoming) -> Reply:
    return Reply(text=f"ok {incoming.command} {incoming.text}".strip())


class FakeCore:
    """What an adapter sees of the core: records every call, answers with ``reply``.

    ``reply`` is a fixed ``Reply`` or a function of the ``Incoming`` (an echo,
    ``ok <command> <text>``, by default); ``delay`` holds each answer back,
    ``fail`` makes ``handle`` raise.
    """

    def __init__(
        self,
        reply: Reply | Callable[[Incoming], Reply] = _echo,
        *,
        delay: float = 0.0,
        suggestions: Sequence[Choice] = (),
        suggest_delay: float = 0.0,
        fail: bool = False,
    ) -> None:
        self.reply = reply
        self.delay = delay
        self.suggestions = list(suggestions)
        self.suggest_delay = suggest_delay
        self.fail = fail
        self.received: list[Incoming] = []
        self.autocompleted: list[tuple[Incoming, str, str]] = []
        self.unreachable: list[tuple[str, str, str]] = []

    async def handle(self, incoming: Incoming, progress: ProgressNote | None = None) -> Reply:
        """Record, wait ``delay``, answer."""
        self.received.append(incoming)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("core exploded")
        return self.reply(incoming) if callable(self.reply) else self.reply

    async def autocomplete(self, incoming: Incoming, option: str, partial: str) -> list[Choice]:
        """Record and return the configured suggestions."""
        self.autocompleted.append((incoming, option, partial))
        if self.suggest_delay:
            await asyncio.sleep(self.suggest_delay)
        return list(self.suggestions)

    async def mark_unreachable(self, platform: str, platform_user_id: str, reason: str) -> None:
        """Record."""
        self.unreachable.append((platform, platform_user_id, reason))
