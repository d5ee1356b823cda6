"""Who administers a Telegram group: ``getChatMember`` answers, kept a few minutes.

Admin-only commands (``/challenge new``...) and admin-only buttons (``🏁 End it now``)
ask :class:`Admins`; member updates from Telegram (a promotion, a demotion, the bot
losing its own admin rights) correct what it remembers at once.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import CallbackQuery, Chat, ChatMember, Message
from telegram.ext import ExtBot

from adapters.telegram.translate import sender
from bot.core.commands import find_command, resolve_subcommand
from bot.core.ownership import owner_of

ADMIN_CACHE_SECONDS = 300.0  # a demoted admin may create for a few minutes more
ADMIN_CACHE_SIZE = 10_000


class Admins:
    """The admin checks of one bot, with their answers cached per (chat, member)."""

    def __init__(self) -> None:
        # getChatMember answers, cached a few minutes: (chat, user) -> (is admin, until).
        self._known: dict[tuple[int, int], tuple[bool, float]] = {}

    async def sent_by_admin(self, bot: ExtBot[Any], message: Message) -> bool:
        """Whether the sender administers the group; asked once per few minutes per member."""
        if message.chat.type == Chat.PRIVATE or message.from_user is None:
            return await _is_admin(bot, message)
        return await self._cached(
            (message.chat.id, message.from_user.id), lambda: _is_admin(bot, message)
        )

    async def pressed_by_admin(self, bot: ExtBot[Any], query: CallbackQuery) -> bool:
        """Whether a button in a group was pressed by one of its admins, when the button's
        command is for admins only (``🏁 End it now`` under ``/challenge end``)."""
        chat = query.message.chat if query.message is not None else None
        if (
            chat is None
            or chat.type == Chat.PRIVATE
            or not _admin_only(query.data or "", query.from_user.id)
        ):
            return False
        user = query.from_user.id
        return await self._cached((chat.id, user), lambda: _member_is_admin(bot, chat.id, user))

    def learn(self, chat_id: int, user_id: int, admin: bool) -> None:
        """Telegram told us a member's status: admin commands follow it at once."""
        self._known[(chat_id, user_id)] = (admin, time.monotonic() + ADMIN_CACHE_SECONDS)

    def forget_chat(self, chat_id: int) -> None:
        """The bot is no longer an admin there: member changes stop coming, so forget."""
        self._known = {k: v for k, v in self._known.items() if k[0] != chat_id}

    async def _cached(self, key: tuple[int, int], ask: Callable[[], Awaitable[bool]]) -> bool:
        """The cached answer for (chat, member), else ``ask()``'s (kept a few minutes)."""
        cached = self._known.get(key)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        answer = await ask()
        if len(self._known) > ADMIN_CACHE_SIZE:
            self._known.clear()
        self._known[key] = (answer, now + ADMIN_CACHE_SECONDS)
        return answer


async def _is_admin(bot: ExtBot[Any], message: Message) -> bool:
    """Creator or administrator of the group (one ``getChatMember`` call)."""
    if message.chat.type == Chat.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
        return True  # an anonymous admin posting as the group
    return await _member_is_admin(bot, message.chat.id, sender(message).id)


async def _member_is_admin(bot: ExtBot[Any], chat_id: int, user_id: int) -> bool:
    """Whether ``user_id`` is the group's creator or one of its administrators."""
    member = await bot.get_chat_member(chat_id, user_id)
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


def _admin_only(action: str, presser: int) -> bool:
    """Whether a button's action runs a command only admins may use in a group (and the
    presser is the one it was made for: anyone else's press is refused without asking)."""
    owner, action = owner_of(action)  # ``~<owner> /challenge end #3 confirm``
    if owner is not None and owner != str(presser):
        return False
    if not action.startswith("/"):
        return False
    name, _, rest = action[1:].partition(" ")
    spec = find_command(resolve_subcommand(name.lower(), rest)[0])
    return spec is not None and spec.admin_only
