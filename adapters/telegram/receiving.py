"""Receiving from Telegram: long polling or a webhook, by one process per bot token.

Telegram hands a bot token's updates to one ``getUpdates`` caller at a time
(a second one gets ``409 Conflict``) and to one webhook URL. So where several
processes share a token, only the elected one receives; the others stand by
with the bot initialised. A poller that takes over starts without an offset:
Telegram then serves every update nobody confirmed, the dead poller's too.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any
from urllib.parse import urlsplit

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


def lock_name(token: str) -> str:
    """The election lock of a bot token: its bot id, never the secret half."""
    bot_id = token.partition(":")[0]
    if bot_id.isdigit():
        return f"telegram:{bot_id}"
    return "telegram:" + hashlib.sha256(token.encode()).hexdigest()[:16]


async def start_receiving(app: Application[Any, Any, Any, Any, Any, Any], s: Settings) -> None:
    """Poll, or set the webhook and serve it (``setWebhook`` happens here, once elected)."""
    updater = app.updater
    if updater is None:
        raise RuntimeError("PTB application has no updater")
    if updater.running:
        return
    if not s.telegram_webhook_url:
        await updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=POLL_SECONDS)
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
