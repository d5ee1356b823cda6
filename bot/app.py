"""The app: starts the adapters, the scheduler and storage on one event loop, and stops them.

The app owns the event loop. Discord, Telegram, the console and the scheduler
are started by it, side by side, and stopped together.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import signal
from dataclasses import dataclass, field

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.config import Settings
from bot.core.dispatch import Core
from bot.ports import Adapter, AdapterContext, Messenger, TokenRefused
from bot.storage.database import Database, safe_url
from bot.storage.problems import DatabaseUnavailable, explain

log = logging.getLogger(__name__)

# Adapter packages are imported by name, and only when configured, so that
# bot/ itself never imports discord or telegram.
ADAPTER_MODULES = {
    "console": "adapters.console",
    "telegram": "adapters.telegram",
    "discord": "adapters.discord",
}


@dataclass
class App:
    """Everything that runs in one Pacer process."""

    settings: Settings
    db: Database
    clock: Clock
    core: Core
    scheduler: AsyncIOScheduler
    adapters: list[Adapter] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _scheduling: bool = False

    @property
    def messengers(self) -> dict[str, Messenger]:
        """Direct-message senders by platform."""
        return {a.platform: m for a in self.adapters if (m := a.messenger) is not None}

    def request_shutdown(self) -> None:
        """Ask ``run()`` to stop everything (Ctrl-C, end of console input)."""
        self.stopping.set()

    def enabled_platforms(self) -> list[str]:
        """Which adapters the settings ask for."""
        names = []
        if self.settings.telegram_token:
            names.append("telegram")
        if self.settings.discord_token:
            names.append("discord")
        if self.settings.console_enabled:
            names.append("console")
        return names

    async def start(self, platforms: list[str] | None = None) -> None:
        """Open storage and start the adapters."""
        try:
            await self.db.open()
        except Exception as error:
            line = explain(error, self.settings.database_url)
            if line is None:
                raise
            raise DatabaseUnavailable(line) from error
        log.info("database: %s", safe_url(self.settings.database_url))
        ctx = AdapterContext(
            self.settings, self.core, self.request_shutdown, self.core.sweeper.budget
        )
        wanted = self.enabled_platforms() if platforms is None else platforms
        for name in wanted:
            module = importlib.import_module(ADAPTER_MODULES[name])
            adapter: Adapter = module.create_adapter(ctx)
            try:
                await adapter.start()
            except TokenRefused:
                raise  # a wrong token is fixed in the settings, never run around
            except Exception:
                if len(wanted) == 1:
                    raise
                # One platform being down must not take the others with it.
                log.exception("%s adapter failed to start; running without it", name)
                continue
            self.adapters.append(adapter)
            log.info("%s adapter started", name)
        self.core.messengers.update(self.messengers)
        # One sweep job on this event loop drives every nudge; the schedule lives in the DB.
        self.core.sweeper.start(self.scheduler)
        self.scheduler.add_job(
            self.core.retention.prune,
            "interval",
            hours=24,
            id="prune",
            name="daily clean-up",
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )
        self.scheduler.start()
        self._scheduling = True
        # What start-up made (modules, the command list, the clients) lives as long as the
        # process: kept out of the collector's full passes, which a big read (an /export)
        # sets off, so a pass scans what came since, not the whole heap (that took
        # 180-240 ms on the loop, measured by bench/loop_bench.py).
        gc.freeze()

    async def stop(self) -> None:
        """Stop the scheduler and the nudge queues, then the adapters, then storage."""
        if self._scheduling:
            self._scheduling = False
            self.scheduler.shutdown(wait=False)
            await self.core.sweeper.stop()
        await self.core.accounts.flush()
        self.core.messengers.clear()
        for adapter in reversed(self.adapters):
            try:
                await adapter.stop()
            except Exception:
                log.exception("error stopping %s adapter", adapter.platform)
        self.adapters.clear()
        for budget in self.core.sweeper.budgets.values():
            budget.close()  # its timers, once nothing sends any more
        self.core.services.charts.close()  # the chart worker process, if one was started
        await self.db.close()

    async def run(self) -> None:
        """Start, wait for a shutdown request or a signal, stop."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_shutdown)
        try:
            await self.start()
            if not self.adapters:
                log.warning(
                    "nothing to run: set TELEGRAM_TOKEN or DISCORD_TOKEN, or PACER_CONSOLE=1"
                )
                return
            await self.stopping.wait()
        finally:
            await self.stop()
