"""The Telegram adapter: PTB ``Application`` started by hand on the app's event loop.

This module builds the application (budgeted sends, per-chat order) and runs its
lifecycle: start, activate when elected, stand by, stop, publish the command
menus. The update handlers are :mod:`adapters.telegram.handlers` (admin checks:
:mod:`adapters.telegram.admins`); Telegram's other quirks live beside them:
``/cmd@BotName`` and 64-byte callback data (``translate``), private replies in
groups (``replying``), HTML escaping and the 4096-character limit (``render``).
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import traceback
from collections.abc import Sequence

from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest

from adapters.telegram import redact
from adapters.telegram.commands_menu import command_menus, telegram_commands
from adapters.telegram.handlers import PacerCore, PTBApplication, TelegramHandlers
from adapters.telegram.messenger import TelegramMessenger
from adapters.telegram.processing import PerChatUpdateProcessor
from adapters.telegram.rate_limiter import BudgetLimiter
from adapters.telegram.receiving import lock_name, start_receiving, stop_receiving
from adapters.telegram.translate import PLATFORM
from bot.budget import SendBudget, limits_for
from bot.clock import SystemClock
from bot.config import Settings
from bot.core.commands import COMMANDS, CommandSpec
from bot.ports import TokenRefused

log = logging.getLogger(__name__)


def file_base_url(base_url: str) -> str:
    """``http://host/bot`` -> ``http://host/file/bot`` (how the Bot API lays out file URLs)."""
    head, sep, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{head}/file/bot" if sep else base_url


def build_application(
    settings: Settings, request: BaseRequest | None = None, budget: SendBudget | None = None
) -> PTBApplication:
    """A PTB ``Application``: no JobQueue (the core schedules), budgeted sends, per-chat order.

    Message sends take places of ``budget``, the platform's send budget shared
    with the outbound queue (replies are urgent); without one, a budget of its own.
    """
    budget = budget or SendBudget(limits_for(PLATFORM), SystemClock())
    builder = (
        Application.builder()
        .token(settings.telegram_token)
        .job_queue(None)
        .rate_limiter(BudgetLimiter(budget))
        .concurrent_updates(PerChatUpdateProcessor())
    )
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url
        builder = builder.base_url(base).base_file_url(file_base_url(base))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app: PTBApplication = builder.build()
    return app


class TelegramAdapter:
    """Runs Pacer on Telegram: polling by default, webhook when a URL is configured."""

    platform = PLATFORM

    def __init__(
        self,
        settings: Settings,
        core: PacerCore,
        *,
        commands: Sequence[CommandSpec] = COMMANDS,
        request: BaseRequest | None = None,
        budget: SendBudget | None = None,
        elected: bool = False,
    ) -> None:
        self._elected = elected  # stand by after start() until activate()
        if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
            # Without a secret anyone who finds the URL could post updates as any
            # runner; Telegram learns this one from setWebhook, so a random one works.
            settings = dataclasses.replace(
                settings, telegram_webhook_secret=secrets.token_urlsafe(32)
            )
            log.info("TELEGRAM_WEBHOOK_SECRET is empty: using a random secret for this run")
        self._settings = settings
        # Before PTB's Bot exists: its constructor logs the API URL (token included)
        # at DEBUG. Installed for the process lifetime; never uninstalled.
        self._redactor = redact.redactor_for(
            *redact.token_secrets(settings.telegram_token, settings.telegram_webhook_secret)
        )
        redact.install(self._redactor)
        self._commands = telegram_commands(commands)
        self._app = build_application(settings, request, budget)
        self._messenger = TelegramMessenger(self._app.bot)
        self.handlers = TelegramHandlers(core, self._commands, self._redactor)
        self.handlers.register(self._app)

    @property
    def application(self) -> PTBApplication:
        """The PTB application (tests feed it updates)."""
        return self._app

    @property
    def messenger(self) -> TelegramMessenger:
        """Direct messages for the core's outbound queue."""
        return self._messenger

    async def start(self) -> None:
        """Initialise, publish the command menus, start receiving updates.

        A failure is re-raised as a ``RuntimeError`` whose message has the
        secrets redacted, without the original exception attached: PTB puts
        the token into ``InvalidToken``'s message, and the app logs the error
        (or Python prints the traceback) after this adapter is gone.
        """
        redact.install(self._redactor)  # again: root handlers added since __init__
        try:
            await self._app.initialize()
            await self._app.start()
            if not self._elected:
                await self.activate()
        except Exception as exc:
            trace = self._redactor.redact("".join(traceback.format_exception(exc)))
            log.debug("Telegram start-up failed:\n%s", trace)
            await self._stop_quietly()
            reason = self._redactor.redact(f"{type(exc).__name__}: {exc}")
            message = f"Telegram adapter failed to start: {reason}"
            if isinstance(exc, InvalidToken):  # 401/404 on getMe: the token is wrong
                raise TokenRefused("Telegram", "TELEGRAM_TOKEN", message) from None
            raise RuntimeError(message) from None
        except BaseException:
            await self._stop_quietly()
            raise
        log.info("Telegram bot @%s is running", self._app.bot.username)

    @property
    def lock_name(self) -> str:
        """One receiver and one sender per bot token across processes."""
        return lock_name(self._settings.telegram_token)

    async def activate(self) -> None:
        """Elected: publish the menus, then poll (or set the webhook)."""
        await self.publish_commands()
        await start_receiving(self._app, self._settings)
        log.info("Telegram: receiving updates")

    async def stand_by(self) -> None:
        """Another process receives now: stop polling, keep the bot initialised."""
        await stop_receiving(self._app)

    async def stop(self) -> None:
        """Stop receiving, let running handlers finish, close the HTTP pools."""
        await stop_receiving(self._app)
        if self._app.running:
            await self._app.stop()
        await self._app.shutdown()

    async def _stop_quietly(self) -> None:
        """``stop()`` after a failed start; its own failure is logged, not raised."""
        try:
            await self.stop()
        except Exception as exc:
            log.warning(
                "cleaning up after a failed Telegram start: %s",
                self._redactor.redact(f"{type(exc).__name__}: {exc}"),
            )

    async def publish_commands(self) -> None:
        """``setMyCommands`` per scope; a failure is logged, not fatal."""
        for scope, commands in command_menus(self._commands.values()):
            try:
                await self._app.bot.set_my_commands(commands, scope=scope)
            except TelegramError as exc:
                log.warning("setMyCommands for %s failed: %s", scope.type, exc)
