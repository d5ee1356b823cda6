"""The Telegram :class:`~bot.ports.Messenger`: one attempt per call, errors mapped to ports."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from adapters.telegram.rate_limiter import BudgetLimiter, retry_after_seconds
from adapters.telegram.render import render, send_part
from bot.budget import Place
from bot.messages import Reply
from bot.ports import DeliveryError, RateLimited, TransientDeliveryError, Unreachable

log = logging.getLogger(__name__)

PLATFORM = "telegram"

# Bot API descriptions that mean "this private chat will never work", sent as 400.
_UNREACHABLE_400 = ("chat not found", "user not found", "user is deactivated", "peer_id_invalid")


def map_error(exc: TelegramError) -> DeliveryError:
    """Translate a PTB error into the port's delivery errors."""
    if isinstance(exc, Forbidden):
        return Unreachable(str(exc))
    if isinstance(exc, RetryAfter):
        return RateLimited(retry_after_seconds(exc), str(exc))
    if isinstance(exc, BadRequest):  # a NetworkError subclass: check it first
        if any(s in exc.message.lower() for s in _UNREACHABLE_400):
            return Unreachable(str(exc))
        return DeliveryError(str(exc))
    if isinstance(exc, NetworkError):  # includes TimedOut and 5xx answers
        return TransientDeliveryError(str(exc))
    return DeliveryError(str(exc))


class TelegramMessenger:
    """Sends scheduled messages (nudges, digests) to a private chat or a group chat.

    Exactly one attempt per call: the core's outbound queue retries. The queue
    holds the message's place of the send budget and hands it over; each Bot
    API call carries it as ``rate_limit_args``, so PTB's rate limiter
    (:class:`~adapters.telegram.rate_limiter.BudgetLimiter`, which never retries)
    makes the call inside ``place.request()``. A reply that needs several Bot API
    calls (long text, files) remembers per ``dedupe_key`` how many parts went
    out, so a retry by the queue continues where the failed attempt stopped
    instead of sending the first parts twice.
    """

    platform = PLATFORM
    _MAX_REMEMBERED = 10_000

    def __init__(self, bot: ExtBot[Any]) -> None:
        self._bot = bot
        self._sent_parts: OrderedDict[str, int] = OrderedDict()
        # PTB refuses rate_limit_args on a bot without a rate limiter.
        self._budgeted = isinstance(bot.rate_limiter, BudgetLimiter)

    async def send_direct(
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Deliver ``reply`` to the user's private chat (its id equals the user id)."""
        await self._send(int(platform_user_id), reply, dedupe_key, place)

    async def send_group(
        self,
        chat_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Post ``reply`` in a group, supergroup or channel (numeric id or ``@username``)."""
        target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        await self._send(target, reply, dedupe_key, place)

    async def _send(
        self, chat_id: int | str, reply: Reply, dedupe_key: str | None, place: Place | None
    ) -> None:
        kwargs: dict[str, Any] = {}
        if place is not None and self._budgeted:
            kwargs["rate_limit_args"] = place
        parts = render(reply)
        if not parts:
            # Nothing Telegram would accept; reporting success would hide a core bug.
            raise DeliveryError("empty reply: no text and no attachments")
        done = self._sent_parts.get(dedupe_key, 0) if dedupe_key else 0
        for index in range(done, len(parts)):
            try:
                await send_part(self._bot, chat_id, parts[index], **kwargs)
            except TelegramError as exc:
                if dedupe_key and index > 0:
                    self._remember(dedupe_key, index)
                raise map_error(exc) from exc
        if dedupe_key:
            self._sent_parts.pop(dedupe_key, None)

    def _remember(self, key: str, parts_sent: int) -> None:
        self._sent_parts[key] = parts_sent
        self._sent_parts.move_to_end(key)
        while len(self._sent_parts) > self._MAX_REMEMBERED:
            self._sent_parts.popitem(last=False)
