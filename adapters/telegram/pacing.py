"""PTB's rate limiter, backed by the platform's shared :class:`~bot.delivery.pacing.Pacer`.

Every Bot API call that puts a message in a chat (send*, copy*, forward*,
edit*) takes a slot from the same pacer as the outbound queue, so replies and
scheduled messages share one budget: 30 a second overall, one a second per
chat counted from the end of the previous request, 20 a minute per group.
Replies are urgent: they go before queued bulk. A call made with
``rate_limit_args=PACED`` comes from the outbound queue, which already holds
the slot: it goes straight through (a further call under the same slot, a
reply in several parts, waits its per-chat turn). Anything else (getUpdates,
answerCallbackQuery, getChatMember, setMyCommands...) is not paced.

A 429 blocks the whole pacer for ``retry_after`` and is raised to the caller:
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

from bot.delivery.pacing import Pacer

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
RateLimitArgs = dict[str, bool]
# ``rate_limit_args`` of a call the outbound queue already took the slot for.
PACED: RateLimitArgs = {"paced": True}

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
    """The pacer's key for a ``chat_id`` and whether it is a group (or channel)."""
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


class PacedRateLimiter(BaseRateLimiter[RateLimitArgs]):
    """Routes message-sending Bot API calls through the platform's :class:`Pacer`."""

    __slots__ = ("_pacer",)

    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer

    @property
    def pacer(self) -> Pacer:
        """The shared pacer."""
        return self._pacer

    async def initialize(self) -> None:
        """Nothing to open: the pacer belongs to the app."""

    async def shutdown(self) -> None:
        """Nothing to close: the outbound queue may still use the pacer."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Make the call in a pacer slot if it sends a message; block the pacer on a 429."""
        chat_id = data.get("chat_id")
        if chat_id is None or not is_message_call(endpoint):
            # Inline-message edits have no chat; the rest is not a message.
            return await callback(*args, **kwargs)
        key, group = chat_key(chat_id)
        try:
            if rate_limit_args and rate_limit_args.get("paced"):
                async with self._pacer.paced(key):
                    return await callback(*args, **kwargs)
            async with self._pacer.slot(key, group=group, urgent=True):
                return await callback(*args, **kwargs)
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            log.info("telegram: 429 on %s, holding every send for %.1f s", endpoint, seconds)
            self._pacer.block_for(seconds)
            raise
