"""The one place that wires Pacer: config, database, clock, services, sweep, core, scheduler.

Tests call :func:`build_core` with fakes (a fake clock, a sleep that moves it,
a temporary database); the app calls :func:`bootstrap` with the real parts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from bot.chart_pool import ChartPainter
from bot.clock import Clock, SystemClock
from bot.clubs.feed import FeedPostSource
from bot.clubs.posts import ClubPostSource
from bot.config import Settings
from bot.core.context import Services
from bot.core.dispatch import Core
from bot.delivery.sweep import Sweeper, SweepSettings
from bot.digests import DigestSource
from bot.nudges.source import NudgeSource, NudgeSourceSettings
from bot.ports import Messenger
from bot.services.accounts import AccountService
from bot.services.challenges import ChallengeService
from bot.services.club_feed import ClubFeedService
from bot.services.data_rights import DataRightsService
from bot.services.digest import DigestService
from bot.services.events import Listeners
from bot.services.habits import HabitService
from bot.services.nudge_answers import NudgeAnswers
from bot.services.nudges import NudgeSettingsService
from bot.services.profile import ProfileService
from bot.services.runfiles import RunFileService
from bot.services.runs import RunService
from bot.services.stats import StatsService
from bot.storage.database import Database

Sleep = Callable[[float], Awaitable[None]]


def build_core(
    db: Database,
    clock: Clock,
    sweep: SweepSettings | None = None,
    *,
    sleep: Sleep = asyncio.sleep,
    charts: ChartPainter | None = None,
    platforms: Collection[str] | None = None,
) -> Core:
    """The core and every part it needs, on an (unopened) database.

    ``charts``: the worker processes that draw charts and build exports (default: a
    thread; the app passes a process pool).
    ``platforms``: where messages may be routed, the deployment's platforms (default:
    the platforms running in this process).
    """
    sweep = sweep or SweepSettings()
    charts = charts or ChartPainter(processes=0)
    messengers: dict[str, Messenger] = {}
    routes: Callable[[], Collection[str]] = (
        (lambda: messengers.keys()) if platforms is None else (lambda: platforms)
    )
    listeners = Listeners()
    nudge_settings = NudgeSettingsService(db, clock)
    listeners.add(nudge_settings)
    nudge_answers = NudgeAnswers(db, clock, routes)
    listeners.add(nudge_answers)  # a check-in answers that day's nudges of its habit
    nudge_source = NudgeSource(routes, NudgeSourceSettings(grace_minutes=sweep.grace_minutes))
    club_feed = ClubFeedService(db, clock)
    listeners.add(club_feed)
    accounts = AccountService(db, clock, listeners)
    digest = DigestService(db, clock)
    listeners.add(digest)
    digest_source = DigestSource(routes, charts, sweep.grace_minutes)
    runs = RunService(db, clock, listeners)
    sweeper = Sweeper(
        db,
        clock,
        lambda: messengers,
        [nudge_source, digest_source, ClubPostSource(sweep.grace_minutes), FeedPostSource()],
        sweep,
        sleep=sleep,
        before_sweep=[accounts.flush],
    )
    services = Services(
        accounts=accounts,
        runs=runs,
        runfiles=RunFileService(db, clock, runs),
        habits=HabitService(db, clock, listeners),
        profile=ProfileService(db, clock, listeners),
        stats=StatsService(db, clock),
        nudge_settings=nudge_settings,
        nudge_answers=nudge_answers,
        data=DataRightsService(db, clock, accounts, lambda: messengers, charts),
        digest=digest,
        challenges=ChallengeService(db, clock),
        charts=charts,
        club_feed=club_feed,
    )
    return Core(db, clock, services, sweeper, messengers)


def sweep_settings(settings: Settings) -> SweepSettings:
    """The sweep's tunables from the app's settings."""
    return SweepSettings(
        sweep_seconds=settings.sweep_seconds,
        grace_minutes=settings.nudge_grace_minutes,
        lease_seconds=settings.lease_seconds,
    )


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> Core:
    """The production core: settings from the environment, the system clock."""
    settings = settings or Settings.from_env()
    return build_core(
        Database(settings.database_url),
        clock or SystemClock(),
        sweep_settings(settings),
        charts=ChartPainter(processes=1),
        platforms=settings.deployment_platforms,
    )


def build_app(settings: Settings | None = None, clock: Clock | None = None) -> App:
    """The whole process: the core, and the APScheduler that drives its sweep, on one loop."""
    settings = settings or Settings.from_env()
    core = bootstrap(settings, clock)
    core.retention.deliveries_kept = timedelta(days=settings.delivery_retention_days)
    return App(
        settings=settings,
        db=core.db,
        clock=core.clock,
        core=core,
        scheduler=AsyncIOScheduler(timezone=UTC),
    )
