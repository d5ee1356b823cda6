"""Pacer on Telegram (python-telegram-bot 22)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.messenger import TelegramMessenger

if TYPE_CHECKING:
    from bot.ports import AdapterContext

__all__ = ["TelegramAdapter", "TelegramMessenger", "create_adapter"]


def create_adapter(ctx: AdapterContext) -> TelegramAdapter:
    """The adapter the app starts when ``TELEGRAM_TOKEN`` is set.

    Its Bot API sends share ``ctx.budget("telegram")`` with the outbound queue.
    """
    return TelegramAdapter(
        ctx.settings, ctx.core, budget=ctx.budget("telegram"), elected=ctx.elected
    )
