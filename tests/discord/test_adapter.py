"""The adapter started for real against the fake Discord: shutdown and gateway failures."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.messages import Incoming, Reply
from bot.ports import ProgressNote
from tests.discord import payloads
from tests.discord.fake_discord import FakeDiscord
from tests.discord.harness import settings
from tests.fakes import FakeCore

pytestmark = pytest.mark.slow  # wall-clock time: the adapter against a fake Discord gateway server


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


def adapter_for(
    fake: FakeDiscord, core: FakeCore, shutdowns: list[str], **overrides: str
) -> DiscordAdapter:
    config = settings(
        discord_api_base=fake.api_base, discord_gateway_url=fake.gateway_url, **overrides
    )
    return DiscordAdapter(config, core, lambda: shutdowns.append("requested"))


class StartedCore(FakeCore):
    """A FakeCore that tells when it has started on a command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started = asyncio.Event()

    async def handle(self, incoming: Incoming, progress: ProgressNote | None = None) -> Reply:
        self.started.set()
        return await super().handle(incoming)


async def test_stop_waits_for_an_answer_in_flight(fake: FakeDiscord) -> None:
    core = StartedCore(Reply("Logged."), delay=0.5)
    adapter = adapter_for(fake, core, [])
    await adapter.start()
    try:
        await fake.wait_until(lambda: bool(fake.identifies))
        payload = payloads.slash("log", {"distance": "5k", "duration": "25:00"})
        await fake.dispatch("INTERACTION_CREATE", payload)
        await asyncio.wait_for(core.started.wait(), 5)
        assert not [r for r in fake.requests if "/interactions/" in r.path]  # still working
    finally:
        await adapter.stop()  # the app closes the database right after this

    # The answer went out before stop() returned (not cut off by the closed session).
    answers = [r for r in fake.requests if r.path.startswith(f"/interactions/{payload['id']}/")]
    assert [a.body["data"]["content"] for a in answers] == ["Logged."]


async def test_stop_is_quick_when_the_gateway_never_connected(fake: FakeDiscord) -> None:
    async with FakeDiscord() as gone:
        dead_gateway = gone.gateway_url  # nothing listens there any more
    config = settings(discord_api_base=fake.api_base, discord_gateway_url=dead_gateway)
    shutdowns: list[str] = []
    adapter = DiscordAdapter(config, FakeCore(), lambda: shutdowns.append("requested"))
    await adapter.start()
    await asyncio.sleep(0.2)  # discord.py is now retrying the connection every 5 s

    began = time.monotonic()
    await adapter.stop()

    assert time.monotonic() - began < 3.0  # not STOP_TIMEOUT (10 s)
    assert shutdowns == []


class Signals:
    """``request_shutdown`` and the adapter's ERROR lines, as events a test can await."""

    def __init__(self) -> None:
        self.shutdown = asyncio.Event()
        self.errors: list[str] = []
        self.error_logged = asyncio.Event()
        self.handler = logging.Handler(logging.ERROR)
        self.handler.emit = self._emit  # type: ignore[method-assign]

    def _emit(self, record: logging.LogRecord) -> None:
        if record.name == "adapters.discord.adapter":
            self.errors.append(record.getMessage())
            if "stopped unexpectedly" in record.getMessage():
                self.error_logged.set()


@pytest.fixture
def signals() -> Iterator[Signals]:
    found = Signals()
    logging.getLogger("adapters.discord.adapter").addHandler(found.handler)
    yield found
    logging.getLogger("adapters.discord.adapter").removeHandler(found.handler)


async def test_fatal_gateway_close_stops_a_discord_only_process(
    fake: FakeDiscord, signals: Signals
) -> None:
    config = settings(discord_api_base=fake.api_base, discord_gateway_url=fake.gateway_url)
    adapter = DiscordAdapter(config, FakeCore(), signals.shutdown.set)
    await adapter.start()
    try:
        await fake.wait_until(lambda: bool(fake.identifies))
        await fake.close_gateway(4004)  # authentication failed
        await asyncio.wait_for(signals.error_logged.wait(), 5)
    finally:
        await adapter.stop()

    assert signals.shutdown.is_set()
    assert "discord gateway stopped unexpectedly; shutting down" in signals.errors


async def test_fatal_gateway_close_leaves_telegram_running(
    fake: FakeDiscord, signals: Signals
) -> None:
    config = settings(
        discord_api_base=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        telegram_token="123:abc",
    )
    adapter = DiscordAdapter(config, FakeCore(), signals.shutdown.set)
    await adapter.start()
    try:
        await fake.wait_until(lambda: bool(fake.identifies))
        await fake.close_gateway(4004)
        await asyncio.wait_for(signals.error_logged.wait(), 5)
    finally:
        await adapter.stop()

    assert not signals.shutdown.is_set()
    assert any("other platforms keep running" in e for e in signals.errors)
