"""The Discord adapter: a sharded discord.py client on the app's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Sequence

import discord

from adapters.discord.buttons import ActionButton
from adapters.discord.client import PacerClient
from adapters.discord.commands import install_commands
from adapters.discord.endpoints import apply_endpoints
from adapters.discord.handler import CoreLike, InteractionHandler
from adapters.discord.messenger import DiscordMessenger
from adapters.discord.sync import parse_id, sync_if_changed
from bot.budget import SendBudget
from bot.config import Settings
from bot.core.commands import CommandSpec
from bot.ports import Messenger, SyncedSchemas, TokenRefused

log = logging.getLogger(__name__)

STOP_TIMEOUT = 10.0
# How long stop() waits for interaction answers still being worked on.
DRAIN_TIMEOUT = 5.0


def shard_count(settings: Settings) -> int | None:
    """``DISCORD_SHARD_COUNT``: a number, or ``auto`` (None) for Discord's recommendation."""
    value = settings.discord_shard_count.strip().lower()
    return None if value in ("", "auto") else int(value)


def build_client(
    settings: Settings,
    handler: InteractionHandler,
    *,
    specs: Sequence[CommandSpec] | None = None,
) -> PacerClient:
    """A client with Pacer's commands and persistent buttons registered."""
    client = PacerClient(
        handler,
        shard_count=shard_count(settings),
        shard_ids=list(settings.discord_shard_ids) or None,
        application_id=parse_id(settings.discord_application_id),
    )
    tree = client.tree
    guild_id = parse_id(settings.discord_dev_guild_id)
    guild = discord.Object(id=guild_id) if guild_id is not None else None
    install_commands(tree, handler, specs, guild=guild)
    client.add_dynamic_items(ActionButton)
    return client


class DiscordAdapter:
    """``bot.ports.Adapter`` for Discord."""

    platform = "discord"

    def __init__(
        self,
        settings: Settings,
        core: CoreLike,
        request_shutdown: Callable[[], None] = lambda: None,
        budget: SendBudget | None = None,
        *,
        command_hashes: SyncedSchemas | None = None,
        elected: bool = False,
    ) -> None:
        self.settings = settings
        self._hashes = command_hashes
        self._elected = elected  # sync commands once activated, not at every start
        self.handler = InteractionHandler(core, budget=budget)
        self._request_shutdown = request_shutdown
        self._messenger = DiscordMessenger(settings.discord_token)
        self._client: PacerClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._restore_endpoints: Callable[[], None] | None = None
        self._stopping = False

    @property
    def messenger(self) -> Messenger:
        """Sends nudges as DMs."""
        return self._messenger

    @property
    def client(self) -> PacerClient:
        """The running discord.py client."""
        if self._client is None:
            raise RuntimeError("discord adapter is not started")
        return self._client

    async def start(self) -> None:
        """Log in, sync commands if their schema changed, connect in the background."""
        settings = self.settings
        self._restore_endpoints = apply_endpoints(
            settings.discord_api_base, settings.discord_gateway_url
        )
        client = self._client = build_client(settings, self.handler)
        try:
            await client.login(settings.discord_token)
            if client.shard_count is None and settings.discord_gateway_url:
                # With "auto", discord.py would connect to the gateway URL Discord
                # returns; ask for the count here so DISCORD_GATEWAY_URL still wins.
                client.shard_count, _, _ = await client.http.get_bot_gateway()
        except discord.LoginFailure:
            await self.stop()
            raise TokenRefused("Discord", "DISCORD_TOKEN") from None
        except BaseException:
            await self.stop()  # the app only stops adapters that started
            raise
        if not self._elected:
            await self.activate()
        self._task = asyncio.create_task(self._connect(client), name="discord-gateway")

    @property
    def lock_name(self) -> str:
        """One sender (and one command sync) per Discord application across processes."""
        app_id = self.settings.discord_application_id.strip()
        if app_id:
            return f"discord:{app_id}"
        return "discord:" + hashlib.sha256(self.settings.discord_token.encode()).hexdigest()[:16]

    async def activate(self) -> None:
        """Elected: upload the commands if their schema changed since the last upload.

        This process's shards keep serving interactions either way; what the
        election decides is who syncs and who sends the scheduled DMs and posts
        (over REST, :class:`DiscordMessenger`).
        """
        try:
            guild_id = parse_id(self.settings.discord_dev_guild_id)
            await sync_if_changed(self.client.tree, guild_id, self._hashes)
        except Exception:
            # Old commands keep working meanwhile; not worth refusing to start.
            log.exception("discord command sync failed; run `pacer discord-sync` later")

    async def stand_by(self) -> None:
        """Another process sends now; the gateway of this process's shards stays up."""

    async def _connect(self, client: PacerClient) -> None:
        try:
            await client.connect(reconnect=True)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("discord gateway connection failed")
        if self._stopping:
            return
        if self._only_platform():
            log.error("discord gateway stopped unexpectedly; shutting down")
            self._request_shutdown()
            return
        # Telegram or the console still serve runners: keep them running. Nudge DMs
        # still go out (the messenger uses REST, not the gateway).
        log.error(
            "discord gateway stopped unexpectedly; Discord commands are unavailable until "
            "Pacer is restarted, the other platforms keep running"
        )
        with contextlib.suppress(Exception):
            await client.close()

    def _only_platform(self) -> bool:
        """Whether Discord is the only platform this process serves."""
        return not self.settings.telegram_token and not self.settings.console_enabled

    async def stop(self) -> None:
        """Let answers in flight finish, close the gateway and HTTP, restore endpoints."""
        self._stopping = True
        try:
            if self._client is not None:
                # Before closing: the answers still need the HTTP session, and the
                # app closes the database right after this returns.
                await self.handler.drain(DRAIN_TIMEOUT)
                connected = self._client.is_ready()
                await asyncio.wait_for(self._client.close(), STOP_TIMEOUT)
                if self._task is not None and not connected:
                    # Never connected: discord.py retries the first connection every
                    # 5 s and close() does not end that loop. Nothing to wait for.
                    self._task.cancel()
            if self._task is not None:
                done, _ = await asyncio.wait({self._task}, timeout=STOP_TIMEOUT)
                if not done:
                    log.warning("discord gateway task did not stop in time")
        finally:
            await self._messenger.close()
            if self._restore_endpoints is not None:
                self._restore_endpoints()
                self._restore_endpoints = None
