"""Events other capabilities (nudges) listen to, without the services knowing them."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from bot.models import CheckIn, Run, User


class Listener(Protocol):
    """Reacts to what runners do; every method is optional to care about."""

    async def on_run_logged(self, user: User, run: Run, now: datetime) -> None:
        """A run was stored."""
        ...

    async def on_run_deleted(self, user: User, run: Run, now: datetime) -> None:
        """A run was removed (/undo, /delete)."""
        ...

    async def on_checkin(self, user: User, checkin: CheckIn, now: datetime) -> None:
        """A habit check-in was stored."""
        ...

    async def on_settings_changed(self, user: User, now: datetime) -> None:
        """Time zone, days, times or other schedule inputs changed."""
        ...


log = logging.getLogger(__name__)


class Listeners:
    """Fans an event out to every registered listener.

    A listener that fails is logged and skipped: what the runner did is already
    stored, and a nudge that could not be planned must not turn that into an error.
    """

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def add(self, listener: Listener) -> None:
        """Register a listener."""
        self._listeners.append(listener)

    async def _notify(self, event: str, call: Callable[[Listener], Awaitable[None]]) -> None:
        for listener in self._listeners:
            try:
                await call(listener)
            except Exception:
                log.exception("%s failed in %s", type(listener).__name__, event)

    async def run_logged(self, user: User, run: Run, now: datetime) -> None:
        """Tell listeners a run was stored."""
        await self._notify("run_logged", lambda li: li.on_run_logged(user, run, now))

    async def run_deleted(self, user: User, run: Run, now: datetime) -> None:
        """Tell listeners a run was removed."""
        await self._notify("run_deleted", lambda li: li.on_run_deleted(user, run, now))

    async def checkin(self, user: User, checkin: CheckIn, now: datetime) -> None:
        """Tell listeners a check-in was stored."""
        await self._notify("checkin", lambda li: li.on_checkin(user, checkin, now))

    async def settings_changed(self, user: User, now: datetime) -> None:
        """Tell listeners the runner's schedule inputs changed."""
        await self._notify("settings_changed", lambda li: li.on_settings_changed(user, now))
