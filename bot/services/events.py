"""Events other capabilities (nudges, challenges) listen to, unknown to the services.

Listeners run inside the unit of work of the change that raised the event, so
a settings change and its reschedule, or a deleted run and its dropped snack
nudge, commit together or not at all. A logged run is the exception: ``/log``
stores it in one statement (its snack nudge rides on the row), then says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.models import CheckIn, Run, User
from bot.storage.uow import UnitOfWork


class Listener(Protocol):
    """Reacts to what runners do."""

    async def on_run_logged(self, user: User, run: Run, now: datetime, shown_in: str = "") -> None:
        """A run was stored (and committed: a listener that writes opens its own unit of work).

        ``shown_in``: the group chat (``platform:chat id``) whose reply showed it, if any.
        """
        ...

    async def on_run_deleted(self, uow: UnitOfWork, user: User, run: Run, now: datetime) -> None:
        """A run was removed (/undo, /delete)."""
        ...

    async def on_checkin(
        self, uow: UnitOfWork, user: User, checkin: CheckIn, now: datetime
    ) -> None:
        """A habit check-in was stored."""
        ...

    async def on_settings_changed(self, uow: UnitOfWork, user: User, now: datetime) -> None:
        """Time zone, days, times or other schedule inputs changed."""
        ...


class Listeners:
    """Fans an event out to every registered listener, in the caller's unit of work."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def add(self, listener: Listener) -> None:
        """Register a listener."""
        self._listeners.append(listener)

    async def run_logged(self, user: User, run: Run, now: datetime, shown_in: str = "") -> None:
        """Tell listeners a run was stored (``/log`` itself is one statement, then this)."""
        for listener in self._listeners:
            await listener.on_run_logged(user, run, now, shown_in)

    async def run_deleted(self, uow: UnitOfWork, user: User, run: Run, now: datetime) -> None:
        """Tell listeners a run was removed."""
        for listener in self._listeners:
            await listener.on_run_deleted(uow, user, run, now)

    async def checkin(self, uow: UnitOfWork, user: User, checkin: CheckIn, now: datetime) -> None:
        """Tell listeners a check-in was stored."""
        for listener in self._listeners:
            await listener.on_checkin(uow, user, checkin, now)

    async def settings_changed(self, uow: UnitOfWork, user: User, now: datetime) -> None:
        """Tell listeners the runner's schedule inputs changed."""
        for listener in self._listeners:
            await listener.on_settings_changed(uow, user, now)
