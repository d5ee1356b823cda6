"""Fixtures: an initialised adapter whose Bot API calls go to a recording fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from telegram import Update

from adapters.telegram import TelegramAdapter
from bot.budget import SendBudget, limits_for
from bot.clock import FakeClock
from bot.config import Settings
from tests.fakes import FakeCore, Harness
from tests.telegram.club import TelegramGroup
from tests.telegram.fakes import TOKEN, RecordingRequest
from tests.telegram.updates import GROUP_ID, RUNNER_ID

Feed = Callable[[dict[str, Any]], Awaitable[None]]


@pytest.fixture
def fake_request() -> RecordingRequest:
    """The Bot API, as far as the adapter can tell."""
    return RecordingRequest()


@pytest.fixture
def fake_core() -> FakeCore:
    """A core that echoes and records."""
    return FakeCore()


@pytest.fixture
def budget_clock() -> FakeClock:
    """The send budget's clock: waiting moves it."""
    return FakeClock()


@pytest.fixture
def budget(budget_clock: FakeClock) -> SendBudget:
    """Telegram's limits on a fake clock: waiting for a chat's turn moves it, not the test."""
    clock = budget_clock

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    return SendBudget(limits_for("telegram"), clock, sleep=sleep)


@pytest.fixture
async def adapter(
    fake_request: RecordingRequest, fake_core: FakeCore, budget: SendBudget
) -> AsyncIterator[TelegramAdapter]:
    """An adapter with an initialised (not polling) PTB application."""
    tg = TelegramAdapter(
        Settings(telegram_token=TOKEN), fake_core, request=fake_request, budget=budget
    )
    await tg.application.initialize()
    try:
        yield tg
    finally:
        await tg.application.shutdown()


@pytest.fixture
def feed(adapter: TelegramAdapter) -> Feed:
    """Parse a payload with ``Update.de_json`` and run it through the application."""

    async def _feed(data: dict[str, Any]) -> None:
        app = adapter.application
        await app.process_update(Update.de_json(data, app.bot))

    return _feed


@pytest.fixture
def telegram_group(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest], harness: Harness
) -> TelegramGroup:
    """The Sunrise Runners group on the real core; Ada is its admin; club posts go out."""
    tg, request = telegram_on_core
    assert tg.messenger is not None
    harness.core.messengers["telegram"] = tg.messenger
    request.member_status[(GROUP_ID, RUNNER_ID)] = "administrator"
    return TelegramGroup(tg, request, harness)
