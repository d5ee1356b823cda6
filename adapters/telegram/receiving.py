"""Receiving from Telegram: long polling or a webhook, by one process per bot token.

Telegram hands a bot token's updates to one ``getUpdates`` caller at a time
(a second one gets ``409 Conflict``) and to one webhook URL. So where several
processes share a token, only the elected one receives; the others stand by
with the bot initialised. A poller that takes over starts without an offset:
Telegram then serves every update nobody confirmed, the dead poller's too.

A 409 heard while polling all the same (a paused process resumed before its election
round made it stand by, or anything else polling with the token) is one warning line
for the operator, through PTB's documented ``error_callback``; polling goes on.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from telegram.error import Conflict, TelegramError
from telegram.ext import Application

from bot.config import Settings

log = logging.getLogger(__name__)

# Only what the handlers use; edited messages are not even requested (see README, Telegram).
# chat_member: admins promoted or demoted (sent while the bot administers the group).
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member", "chat_member"]
# Long-poll length: short enough that a stop never waits long for getUpdates to return.
POLL_SECONDS = 5
# Stopping the poller confirms the last updates with one more call: bounded all the same.
STOP_SECONDS = 8.0
# Two pollers end each other's getUpdates for as long as both poll: one line a minute.
CONFLICT_LOG_EVERY = 60.0


def lock_name(token: str) -> str:
    """The election lock of a bot token: its bot id, never the secret half."""
    bot_id = token.partition(":")[0]
    if bot_id.isdigit():
        return f"telegram:{bot_id}"
    return "telegram:" + hashlib.sha256(token.encode()).hexdigest()[:16]


class PollErrors:
    """PTB's ``error_callback`` for polling: a 409 Conflict is one warning line, at most
    one a minute (with how many were heard since), never a traceback; any other error is
    logged with its traceback as PTB would. PTB keeps polling after either."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: float | None = None  # when the last conflict line was logged
        self._unlogged = 0  # conflicts heard since that line

    def __call__(self, exc: TelegramError) -> None:
        if not isinstance(exc, Conflict):
            log.error("polling Telegram for updates failed", exc_info=exc)
            return
        now = self._clock()
        self._unlogged += 1
        if self._last is not None and now - self._last < CONFLICT_LOG_EVERY:
            return
        heard, self._unlogged, self._last = self._unlogged, 0, now
        log.warning(
            "Telegram answered getUpdates with 409 Conflict%s: another process polls with "
            "this bot token. Check that only one process per TELEGRAM_TOKEN receives (the "
            "others stand by, docs/operating.md): a paused process that resumed stands by "
            "at its next election round; stop anything else using the token. Still polling.",
            "" if heard == 1 else f" ({heard} times since the last warning)",
        )


async def start_receiving(app: Application[Any, Any, Any, Any, Any, Any], s: Settings) -> None:
    """Poll, or set the webhook and serve it (``setWebhook`` happens here, once elected)."""
    updater = app.updater
    if updater is None:
        raise RuntimeError("PTB application has no updater")
    if updater.running:
        return
    if not s.telegram_webhook_url:
        await updater.start_polling(
            allowed_updates=ALLOWED_UPDATES, timeout=POLL_SECONDS, error_callback=PollErrors()
        )
        return
    await updater.start_webhook(
        listen=s.telegram_webhook_listen,
        port=s.telegram_webhook_port,
        url_path=urlsplit(s.telegram_webhook_url).path.strip("/"),
        webhook_url=s.telegram_webhook_url,
        secret_token=s.telegram_webhook_secret,
        allowed_updates=ALLOWED_UPDATES,
    )


async def stop_receiving(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop polling or the webhook server, within :data:`STOP_SECONDS` whatever it is doing."""
    updater = app.updater
    if updater is None or not updater.running:
        return
    try:
        await asyncio.wait_for(updater.stop(), STOP_SECONDS)
    except TimeoutError:
        # A getUpdates or a back-off that would not end: the last updates are simply
        # served again to whoever polls next (handled ones are recognised by id).
        log.warning("telegram receiving did not stop within %.0f s; left behind", STOP_SECONDS)
