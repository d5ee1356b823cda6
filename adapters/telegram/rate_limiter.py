"""PTB's rate limiter hook: every Bot API call that puts a message in a chat takes its places.

The places are the platform's :class:`~bot.budget.SendBudget`, shared with the
outbound queue, so replies and scheduled messages share one budget. A call's
``rate_limit_args`` (PTB's documented per-call argument) tells them apart: a
:class:`~bot.budget.Place` is a scheduled message whose places the outbound
queue holds (its calls go inside ``place.request()``); none is a reply to
someone who just typed, which takes urgent places of its own. Calls that put
no message in a chat (getUpdates, answerCallbackQuery, getChatMember,
setMyCommands, sendChatAction...) pass straight through.

A 429 stops the whole budget for ``retry_after`` and is raised to the caller:
this limiter never retries by itself (``max_retries=0`` in PTB's terms).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.budget import Place, SendBudget

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]

# Endpoints that put a message in a chat (or change one there), by prefix.
_MESSAGE_PREFIXES = ("send", "copyMessage", "forwardMessage", "editMessage")
_MESSAGE_EXTRA = frozenset({"stopPoll", "stopMessageLiveLocation"})
# "typing..." and the like: nothing the receiver counts as a message.
_NOT_MESSAGES = frozenset({"sendChatAction"})


def is_message_call(endpoint: str) -> bool:
    """True for Bot API methods that put a message in a chat."""
    if endpoint in _NOT_MESSAGES:
        return False
    return endpoint.startswith(_MESSAGE_PREFIXES) or endpoint in _MESSAGE_EXTRA


def chat_key(chat_id: object) -> tuple[str, bool]:
    """The budget's key for a ``chat_id`` and whether it is a group (or channel)."""
    key = str(chat_id)
    try:
        return key, int(key) < 0  # groups, supergroups and channels have negative ids
    except ValueError:
        return key, True  # "@channelusername": only channels and supergroups have one


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (PTB 22 gives int or timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class BudgetLimiter(BaseRateLimiter[Place]):
    """Makes message-sending Bot API calls inside places of the platform's send budget."""

    __slots__ = ("_budget",)

    def __init__(self, budget: SendBudget) -> None:
        self._budget = budget

    @property
    def budget(self) -> SendBudget:
        """The shared send budget."""
        return self._budget

    async def initialize(self) -> None:
        """Nothing to open: the budget belongs to the app."""

    async def shutdown(self) -> None:
        """Nothing to close: the outbound queue may still use the budget."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Place | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Make the call inside its places if it sends a message; stop the budget on a 429."""
        chat_id = data.get("chat_id")
        if chat_id is None or not is_message_call(endpoint):
            # Inline-message edits have no chat; the rest is not a message.
            return await callback(*args, **kwargs)
        try:
            if rate_limit_args is not None:  # a scheduled message: the queue holds its place
                async with rate_limit_args.request():
                    return await callback(*args, **kwargs)
            key, group = chat_key(chat_id)
            async with self._budget.place(key, group=group, urgent=True):
                return await callback(*args, **kwargs)
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            log.info("telegram: 429 on %s, holding every send for %.1f s", endpoint, seconds)
            self._budget.block_for(seconds)
            raise
