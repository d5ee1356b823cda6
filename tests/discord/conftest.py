"""Fixtures: a fake Discord on 127.0.0.1 for the REST calls Pacer makes itself (DMs, posts)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.discord.client import PacerClient
from adapters.discord.endpoints import apply_endpoints
from adapters.discord.messenger import DiscordMessenger
from tests.discord.club import DiscordServer
from tests.discord.fake_discord import FakeDiscord
from tests.discord.harness import CapturedHTTP
from tests.fakes import Harness


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fake Discord REST API that discord.py's ``Route`` points at for the test."""
    async with FakeDiscord() as server:
        restore = apply_endpoints(server.api_base)
        try:
            yield server
        finally:
            restore()


@pytest.fixture
async def discord_server(
    discord_on_core: PacerClient,
    discord_http: CapturedHTTP,
    fake_discord: FakeDiscord,
    harness: Harness,
    cdn: dict[str, bytes],
) -> AsyncIterator[DiscordServer]:
    """The club's server on the real core; Ada manages it; club posts go to the fake Discord."""
    messenger = DiscordMessenger("fake-token", timeout=5.0)
    harness.core.messengers["discord"] = messenger
    try:
        yield DiscordServer(discord_on_core, discord_http, fake_discord, harness, cdn)
    finally:
        await messenger.close()
