"""Replying on Telegram: where an answer goes (the chat, or the DM for private ones) and how.

The handlers in :mod:`adapters.telegram.handlers` call :func:`answer` with the
core's ``Reply``; rendering (HTML, the 4096-character split, buttons) is
:mod:`adapters.telegram.render`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ExtBot

from adapters.telegram.messenger import map_error
from adapters.telegram.render import escape, render, send_part
from bot.core.ownership import owner_of
from bot.messages import Button, Reply
from bot.ports import Unreachable

log = logging.getLogger(__name__)

# Anonymous admins and "post as channel" all arrive as the same Telegram user
# (GroupAnonymousBot, Channel_Bot): they cannot be told apart, so they get this.
POST_AS_YOURSELF = "Post as yourself to use Pacer here."
# What an empty reply shows in a chat (Telegram refuses an empty message).
EMPTY_REPLY = "✓"


async def answer(bot: ExtBot[Any], update: Update, reply: Reply) -> None:
    """Show ``reply`` where the user asked; private content in a group goes to the DM, and
    so do a group answer's lines that are the runner's own (``private_note``)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None:
        return
    if chat is None or chat.type == Chat.PRIVATE:
        await send_reply(bot, chat.id if chat else user.id, reply)
        return
    quote = update.message.message_id if update.message is not None else None
    if update.message is not None and anonymous_in_group(update.message):
        # Only an admin-only command gets here (anyone else was asked to post as
        # themselves), for the club: the answer stays in the group, where every admin
        # can read it and tap its buttons (each tap is checked against the tapper).
        await send_reply(bot, chat.id, for_any_admin(reply), quote)
        return
    if not reply.private:
        await send_reply(bot, chat.id, reply, quote)
        if reply.private_note:
            await note_privately(bot, user.id, reply.private_note)
        return
    try:
        await send_reply(bot, user.id, reply)
    except TelegramError as exc:
        if not isinstance(map_error(exc), Unreachable):
            raise
        await notice_in_group(bot, chat.id, user, quote, delivered=False)
    else:
        await notice_in_group(bot, chat.id, user, quote, delivered=True)


async def note_privately(bot: ExtBot[Any], user_id: int, note: str) -> None:
    """The runner's own lines under a group answer, in their private chat, silently (they
    follow what the runner just did); none for a runner who has not started Pacer privately.
    The group answer stands either way: a failure is logged, not apologised for."""
    try:
        for part in render(Reply(note)):
            await send_part(bot, user_id, part, disable_notification=True)
    except TelegramError as exc:
        level = logging.INFO if isinstance(map_error(exc), Unreachable) else logging.WARNING
        log.log(level, "a private note to telegram user %s failed: %s", user_id, exc)


def anonymous_in_group(message: Message) -> bool:
    """Sent on behalf of a chat (anonymous admin, a channel): no telling who it was."""
    return message.sender_chat is not None and message.chat.type != Chat.PRIVATE


def for_any_admin(reply: Reply) -> Reply:
    """``reply`` with buttons that answer anyone: an anonymous admin taps as themselves,
    never as the group the core made them for (``~<GroupAnonymousBot> /challenge end``)."""
    rows = tuple(
        tuple(Button(b.label, owner_of(b.action)[1]) for b in row) for row in reply.buttons
    )
    return replace(reply, buttons=rows, private=False)


async def post_as_yourself(bot: ExtBot[Any], message: Message) -> None:
    """Tell an anonymous sender in a group to write as themselves."""
    await bot.send_message(
        message.chat.id,
        escape(POST_AS_YOURSELF),
        parse_mode=ParseMode.HTML,
        reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
    )


async def send_reply(
    bot: ExtBot[Any], chat_id: int, reply: Reply, quote: int | None = None
) -> None:
    """Send every part of ``reply``; the first one quotes the command in groups."""
    for index, part in enumerate(render(reply, fallback=EMPTY_REPLY)):
        kwargs: dict[str, Any] = {}
        if index == 0 and quote is not None:
            kwargs["reply_parameters"] = ReplyParameters(quote, allow_sending_without_reply=True)
        await send_part(bot, chat_id, part, **kwargs)


async def notice_in_group(
    bot: ExtBot[Any], chat_id: int, user: User, quote: int | None, *, delivered: bool
) -> None:
    """Say in the group where the private answer went, or how to make it possible."""
    name = escape(user.first_name)
    markup = None
    if delivered:
        text = f"{name}, I sent you the answer in a private message."
    else:
        text = (
            f"{name}, that answer is private and I can't message you yet. "
            "Open a private chat with me, press Start, then ask again."
        )
        if bot.username:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton("Open private chat", url=f"https://t.me/{bot.username}")]]
            )
    await bot.send_message(
        chat_id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        reply_parameters=ReplyParameters(quote, allow_sending_without_reply=True)
        if quote is not None
        else None,
    )
