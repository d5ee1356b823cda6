"""Shared fixtures: the real core on a real database (SQLite, PostgreSQL), a fake chat, and
each platform's adapter in front of that core."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from adapters.discord.adapter import build_client
from adapters.discord.client import PacerClient
from adapters.discord.handler import InteractionHandler
from adapters.telegram import TelegramAdapter
from bot.clock import FakeClock
from bot.config import Settings
from bot.storage.database import Database
from tests.databases import BACKENDS, open_database, release_databases
from tests.discord.harness import CapturedHTTP, settings
from tests.fakes import Harness, make_harness
from tests.telegram.fakes import TOKEN, RecordingRequest


@pytest.fixture
def clock() -> FakeClock:
    """Thursday 26 Nov 2026, 12:00 UTC; tests move it."""
    return FakeClock()


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this test process keeps its migrated SQLite template."""
    return tmp_path_factory.mktemp("template")


@pytest.fixture(params=BACKENDS)
async def db(
    request: pytest.FixtureRequest, tmp_path: Path, template_dir: Path
) -> AsyncIterator[Database]:
    """An opened, migrated, empty database: every test using it runs on both backends."""
    async for database in open_database(request.param, tmp_path, template_dir):
        yield database


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Let go of the PostgreSQL databases this test process used (they stay for the next run)."""
    release_databases()


@pytest.fixture
async def harness(db: Database, clock: FakeClock) -> AsyncIterator[Harness]:
    """A core on the test database."""
    yield make_harness(db, clock)


@pytest.fixture
def telegram_request() -> RecordingRequest:
    """The Bot API as the Telegram adapter sees it: in process, every call recorded."""
    return RecordingRequest()


@pytest.fixture
async def telegram_on_core(
    harness: Harness, telegram_request: RecordingRequest
) -> AsyncIterator[tuple[TelegramAdapter, RecordingRequest]]:
    """The Telegram adapter in front of the real core and its send budget, as the app wires it."""
    core = harness.core
    tg = TelegramAdapter(
        Settings(telegram_token=TOKEN),
        core,
        request=telegram_request,
        budget=core.sweeper.queues.budget("telegram"),
    )
    await tg.application.initialize()
    try:
        yield tg, telegram_request
    finally:
        await tg.application.shutdown()


@pytest.fixture
def discord_http(monkeypatch: pytest.MonkeyPatch) -> CapturedHTTP:
    """discord.py's HTTP captured and answered like Discord would."""
    captured = CapturedHTTP()
    captured.install(monkeypatch)
    return captured


@pytest.fixture
def cdn(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Discord's attachment CDN: URL -> bytes; a download of anything else fails the test."""
    served: dict[str, bytes] = {}

    async def get_from_cdn(http: discord.http.HTTPClient, url: str) -> bytes:
        return served[url]

    monkeypatch.setattr(discord.http.HTTPClient, "get_from_cdn", get_from_cdn)
    return served


@pytest.fixture
async def discord_on_core(
    discord_http: CapturedHTTP, harness: Harness
) -> AsyncIterator[PacerClient]:
    """The Discord client in front of the real core, logged in through the captured HTTP."""
    bot = build_client(settings(), InteractionHandler(harness.core))
    await bot.login("fake-token")
    try:
        yield bot
    finally:
        await bot.close()
