"""Events other capabilities (nudges) listen to, without the services knowing them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.models import CheckIn, Run, User


class Listener(Protocol):
    """Reacts to what runners do; every method is optional to care about."""

    async def on_run_logged(self, user: User, run: Run, now: datetime) -> None:
        """A run was stored."""
        ...

    async def on_checkin(self, user: User, checkin: CheckIn, now: datetime) -> None:
        """A habit check-in was stored."""
        ...

    async def on_settings_changed(self, user: User, now: datetime) -> None:
        """Time zone, days, times or other schedule inputs changed."""
        ...


class Listeners:
    """Fans an event out to every registered listener."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def add(self, listener: Listener) -> None:
        """Register a listener."""
        self._listeners.append(listener)

    async def run_logged(self, user: User, run: Run, now: datetime) -> None:
        """Tell listeners a run was stored."""
        for listener in self._listeners:
            await listener.on_run_logged(user, run, now)

    async def checkin(self, user: User, checkin: CheckIn, now: datetime) -> None:
        """Tell listeners a check-in was stored."""
        for listener in self._listeners:
            await listener.on_checkin(user, checkin, now)

    async def settings_changed(self, user: User, now: datetime) -> None:
        """Tell listeners the runner's schedule inputs changed."""
        for listener in self._listeners:
            await listener.on_settings_changed(user, now)
