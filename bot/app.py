"""The app: starts the adapters, the scheduler and storage on one event loop, and stops them.

The app owns the event loop. Discord, Telegram, the console and the scheduler
are started by it, side by side, and stopped together.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.config import ROLES, Settings
from bot.core.dispatch import Core
from bot.delivery.ceiling import check_ceiling
from bot.leadership import Leadership, Post
from bot.operations import heap
from bot.operations.http import OpsServer
from bot.operations.logs import describe
from bot.operations.metrics import CountedInbound, Metrics
from bot.ports import Adapter, AdapterContext, Elected, Messenger, TokenRefused
from bot.services.command_sync import CommandHashes
from bot.storage.database import Database, safe_url
from bot.storage.health import ping
from bot.storage.leases import Election, SqliteOwner
from bot.storage.problems import DatabaseUnavailable, explain

log = logging.getLogger(__name__)

SCHEDULER_LOCK = "scheduler"
# Seconds a new sender waits: the platform's one-second window of the last holder's sends.
TAKEOVER_PAUSE = 1.5
SQLITE_REFUSED = (
    "another Pacer process already sweeps and serves {path}: SQLite allows one; "
    "use PostgreSQL (DATABASE_URL=postgresql://...) to run several"
)

WEBHOOK_NEEDS_SECRET = (
    "TELEGRAM_WEBHOOK_SECRET must be set for webhook mode on PostgreSQL: every process "
    "that may take over the webhook has to check the same secret"
)


class StartRefused(RuntimeError):
    """This process must not run as configured; ``str()`` is the one line to show."""


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
    leadership: Leadership | None = None
    owner: SqliteOwner | None = None
    chat_only: bool = False  # a second process on a SQLite file: the console, nothing else
    metrics: Metrics = field(default_factory=lambda: Metrics("pacer"))
    ops: OpsServer | None = None
    wanted: list[str] = field(default_factory=list)

    @property
    def messengers(self) -> dict[str, Messenger]:
        """Direct-message senders by platform."""
        return {a.platform: m for a in self.adapters if (m := a.messenger) is not None}

    def request_shutdown(self) -> None:
        """Ask ``run()`` to stop everything (Ctrl-C, end of console input)."""
        self.stopping.set()

    def enabled_platforms(self) -> list[str]:
        """Which adapters the settings ask for, among this process's roles."""
        names = []
        if self.settings.telegram_token and self.settings.has_role("telegram"):
            names.append("telegram")
        if self.settings.discord_token and self.settings.has_role("discord"):
            names.append("discord")
        if self.settings.console_enabled:
            names.append("console")
        return names

    @property
    def roles_held(self) -> set[str]:
        """The single-holder roles this process is active for now."""
        return self.leadership.roles_held if self.leadership is not None else set()

    @property
    def roles_waiting(self) -> set[str]:
        """The single-holder roles this process stands by for."""
        return self.leadership.roles_waiting if self.leadership is not None else set()

    def describe_roles(self) -> str:
        """The roles held and stood by for, as logs show them."""
        return describe(self.roles_held, self.roles_waiting)

    async def readiness(self) -> list[str]:
        """What keeps this process from being ready (empty: ready)."""
        problems = []
        try:
            await ping(self.db)
        except Exception as exc:
            problems.append(f"database unreachable: {type(exc).__name__}")
        running = {a.platform for a in self.adapters}
        problems += [f"{name} adapter not running" for name in self.wanted if name not in running]
        webhook = bool(self.settings.telegram_webhook_url) and "telegram" in running
        if webhook and "telegram" not in self.roles_held:
            # Telegram posts updates to one process: the load balancer must pick this one.
            problems.append("standing by for telegram: another process receives its webhook")
        return problems

    async def _refresh_metrics(self) -> None:
        self.metrics.roles(self.roles_held)
        now = self.clock.now()
        async with self.db.reader() as uow:
            self.metrics.due(now, await uow.deliveries.backlog(now))

    def _own_sqlite_file(self, wanted: list[str]) -> None:
        """SQLite: one process sweeps and connects platforms; a second one may only chat."""
        path = self.settings.sqlite_path
        if not self.db.is_sqlite or path is None or path == ":memory:":
            return
        owner = SqliteOwner(path)
        if owner.take():
            self.owner = owner
            return
        if any(name != "console" for name in wanted):
            raise StartRefused(SQLITE_REFUSED.format(path=path))
        log.info("another process owns %s: chatting only, it sends the nudges", path)
        self.chat_only = True

    async def start(self, platforms: list[str] | None = None) -> None:
        """Open storage, start the adapters, then stand for this process's roles."""
        try:
            await self.db.open()
        except Exception as error:
            # Dispose of what was opened first: an aiosqlite thread left running would
            # answer into a closed event loop and print a traceback after the one line.
            await self.db.close()
            line = explain(error, self.settings.database_url)
            if line is None:
                raise
            raise DatabaseUnavailable(line) from error
        log.info("database: %s", safe_url(self.settings.database_url))
        wanted = self.enabled_platforms() if platforms is None else platforms
        s = self.settings
        webhook = "telegram" in wanted and bool(s.telegram_webhook_url)
        # PostgreSQL: several processes may take the webhook over, so none may invent one.
        if webhook and not s.telegram_webhook_secret and not self.db.is_sqlite:
            raise StartRefused(WEBHOOK_NEEDS_SECRET)
        self._own_sqlite_file(wanted)
        self.wanted = list(wanted)
        self.metrics = Metrics(s.name)
        self.core.sweeper.queues.metrics = self.metrics
        # Claims name the process that holds them (operators see who; a test checks who
        # sent), and a random part keeps them apart when two processes share a name.
        self.core.sweeper.queues.owner = f"{s.name}:{uuid.uuid4().hex[:8]}"
        if s.has_role("http") and s.http_port:
            self.ops = OpsServer(
                self.metrics, self.readiness, self._refresh_metrics, s.http_listen, s.http_port
            )
            await self.ops.start()
        ctx = AdapterContext(
            self.settings,
            CountedInbound(self.core, self.metrics),
            self.request_shutdown,
            self.core.sweeper.queues.budget,
            elected=True,
            command_hashes=CommandHashes(self.db, self.clock),
        )
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
        # What start-up made (modules, the command list, the clients) lives as long as the
        # process: kept out of the collector's full passes, which a big read (an /export)
        # sets off, so a pass scans what came since, not the whole heap (that took
        # 180-240 ms on the loop, measured by bench/loop_bench.py).
        heap.settle()
        if self.chat_only:
            return  # the owner of the file sweeps; this process only answers its chat
        sweeper = self.core.sweeper
        # Sending and scheduling wait for the election (at once for a lone process).
        sweeper.senders = {a.platform for a in self.adapters if not isinstance(a, Elected)}
        sweeper.scheduling = False
        # One sweep job on this event loop drives every nudge; the schedule lives in the DB.
        sweeper.start(self.scheduler)
        self.scheduler.start()
        self._scheduling = True
        posts = self._posts()
        self.leadership = Leadership(
            Election(self.db, [p.lock for p in posts]),
            posts,
            on_change=lambda: self.metrics.roles(self.roles_held),
        )
        await self.leadership.start()

    def _posts(self) -> list[Post]:
        """The single-holder roles this process stands for."""
        posts = [self._sender_post(a) for a in self.adapters if isinstance(a, Elected)]
        if self.settings.has_role("scheduler"):
            posts.append(Post(SCHEDULER_LOCK, "scheduler", self._take_schedule, self._leave))
        return posts

    def _sender_post(self, adapter: Elected) -> Post:
        senders = self.core.sweeper.senders
        assert senders is not None

        async def take() -> None:
            # The previous holder may have sent until a moment ago, and the platform
            # counts its sends for a second more: start after that second is over.
            await asyncio.sleep(TAKEOVER_PAUSE)
            await adapter.activate()
            senders.add(adapter.platform)

        async def leave() -> None:
            senders.discard(adapter.platform)
            await adapter.stand_by()

        return Post(adapter.lock_name, adapter.platform, take, leave)

    async def _check_ceiling(self) -> None:
        """Log and count the nudges the day ahead plans past the platforms' budgets."""
        grace = timedelta(minutes=self.settings.nudge_grace_minutes)
        platforms = self.settings.deployment_platforms
        for short in await check_ceiling(self.db, self.clock.now(), platforms, grace):
            self.metrics.over_capacity.labels(short.platform).set(short.beyond)

    async def _take_schedule(self) -> None:
        self.core.sweeper.scheduling = True
        self.scheduler.add_job(
            self._check_ceiling,
            "interval",
            hours=24,
            id="ceiling",
            name="daily capacity check",
            max_instances=1,
            coalesce=True,
            replace_existing=True,
            next_run_time=datetime.now(UTC) + timedelta(minutes=1),
        )
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

    async def _leave(self) -> None:
        self.core.sweeper.scheduling = False
        for job in ("prune", "ceiling"):
            with contextlib.suppress(Exception):  # not scheduled (never taken): nothing to do
                self.scheduler.remove_job(job)

    async def stop(self) -> None:
        """Stop the scheduler and the nudge queues, then the adapters, the roles, storage."""
        if self.leadership is not None:
            await self.leadership.stop()  # no role changes hands while stopping
        if self._scheduling:
            self._scheduling = False
            # No job starts from now on; one already handed to the loop ends by itself once
            # the sweeper is stopping. Shutting down cancels whatever job is still pending,
            # and a job cancelled before its first step is logged as a failed job.
            self.scheduler.pause()
            await self.core.sweeper.stop()
            await asyncio.sleep(0)  # a job submitted just now takes its first step
            self.scheduler.shutdown(wait=False)
        await self.core.accounts.flush()
        self.core.messengers.clear()
        for adapter in reversed(self.adapters):
            try:
                await adapter.stop()
            except Exception:
                log.exception("error stopping %s adapter", adapter.platform)
        self.adapters.clear()
        for budget in self.core.sweeper.queues.budgets.values():
            budget.close()  # its timers, once nothing sends any more
        self.core.services.charts.close()  # the chart worker process, if one was started
        if self.leadership is not None:
            # After the adapters: a standby starts polling only once this one stopped.
            await self.leadership.close()
            self.leadership = None
        if self.owner is not None:
            self.owner.release()
            self.owner = None
        if self.ops is not None:
            await self.ops.stop()
            self.ops = None
        await self.db.close()

    async def run(self) -> None:
        """Start, wait for a shutdown request or a signal, stop."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_shutdown)
        try:
            await self.start()
            if not self.adapters and self.settings.roles == frozenset(ROLES):
                # A process given roles explicitly (a scheduler) runs without adapters.
                log.warning(
                    "nothing to run: set TELEGRAM_TOKEN or DISCORD_TOKEN, or PACER_CONSOLE=1"
                )
                return
            await self.stopping.wait()
        finally:
            await self.stop()
