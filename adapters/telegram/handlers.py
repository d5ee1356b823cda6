"""Update -> Incoming -> core -> Reply -> Telegram. Every handler stays thin.

:class:`TelegramHandlers` holds the update handlers and registers them, all in
one place, on the PTB application that :mod:`adapters.telegram.adapter` builds
and runs: commands (``/cmd@BotName`` in groups), private text, run files,
button presses, member changes, and the apology when a handler fails.
"""

from __future__ import annotations

import dataclasses
import logging
import traceback
from collections.abc import Mapping
from typing import Any, Protocol, TypeAlias, runtime_checkable

from telegram import Chat, ChatMember, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackContext,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ExtBot,
    MessageHandler,
    filters,
)

from adapters.telegram.admins import Admins
from adapters.telegram.redact import TokenRedactor
from adapters.telegram.replying import anonymous_in_group, answer, post_as_yourself
from adapters.telegram.translate import (
    PLATFORM,
    incoming_action,
    incoming_command,
    incoming_document,
    incoming_text,
    is_import_caption,
    is_log_caption,
    split_command,
)
from bot.core.commands import CommandSpec, find_command, resolve_subcommand
from bot.core.ownership import ALERT
from bot.messages import Attachment, Incoming, Reply
from bot.ports import ProgressNote
from bot.runfiles import MAX_FILE_BYTES

log = logging.getLogger(__name__)

Context: TypeAlias = CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
PTBApplication: TypeAlias = Application[
    ExtBot[Any], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], None
]

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


class PacerCore(Protocol):
    """What the adapter needs from the core (``ctx.core``, a :class:`bot.ports.Inbound`)."""

    async def handle(self, incoming: Incoming, progress: ProgressNote | None = None) -> Reply:
        """Answer one command, plain message or button press."""
        ...


@runtime_checkable
class MarksUnreachable(Protocol):
    """A core that can be told at once that a runner blocked the bot (optional)."""

    async def mark_unreachable(self, platform: str, platform_user_id: str, reason: str) -> None:
        """Remember that direct messages to this identity are refused."""
        ...


class TelegramHandlers:
    """The update handlers: translate, call the core, render."""

    def __init__(
        self, core: PacerCore, commands: Mapping[str, CommandSpec], redactor: TokenRedactor
    ) -> None:
        self._core = core
        self._commands = commands
        self._redactor = redactor
        self._admins = Admins()

    def register(self, app: PTBApplication) -> None:
        """Every handler, in one place."""
        new_message = filters.UpdateType.MESSAGE  # edited messages never reach the core
        for name in self._commands:
            app.add_handler(CommandHandler(name, self.on_command, new_message))
        app.add_handlers(
            [
                MessageHandler(new_message & filters.COMMAND, self.on_other_command),
                MessageHandler(
                    new_message & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
                    self.on_text,
                ),
                # A run file: any document in the private chat, one captioned /log in groups.
                MessageHandler(new_message & filters.Document.ALL, self.on_document),
                CallbackQueryHandler(self.on_button),
                ChatMemberHandler(self.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
                ChatMemberHandler(self.on_chat_member, ChatMemberHandler.CHAT_MEMBER),
            ]
        )
        app.add_error_handler(self.on_error)

    async def on_command(self, update: Update, context: Context) -> None:
        """``/command args``, also ``/command@BotName`` in groups."""
        message = _message(update)
        name, _, args = split_command(message.text or "")
        spec = find_command(resolve_subcommand(name, args)[0]) or self._commands.get(name)
        admin_only = spec is not None and spec.admin_only
        if anonymous_in_group(message) and not admin_only:
            await post_as_yourself(context.bot, message)
            return
        is_admin = admin_only and await self._admins.sent_by_admin(context.bot, message)
        reply = await self._core.handle(incoming_command(update, message, is_admin=is_admin))
        await answer(context.bot, update, reply)

    async def on_other_command(self, update: Update, context: Context) -> None:
        """A command the core does not list: the core explains, unless meant for another bot."""
        message = _message(update)
        _, target, _ = split_command(message.text or "")
        addressed = target.lower() == (context.bot.username or "").lower()
        if message.chat.type == Chat.PRIVATE or addressed:
            await self.on_command(update, context)

    async def on_text(self, update: Update, context: Context) -> None:
        """A plain private message: an onboarding answer."""
        reply = await self._core.handle(incoming_text(update, _message(update)))
        await answer(context.bot, update, reply)

    async def on_document(self, update: Update, context: Context) -> None:
        """A file sent in the chat: downloaded (never past the core's limit) and logged."""
        message = _message(update)
        document = message.document
        if document is None:
            return
        if message.chat.type != Chat.PRIVATE and not (
            is_log_caption(message.caption) or is_import_caption(message.caption)
        ):
            return  # files shared in a group are not meant for Pacer
        if anonymous_in_group(message):  # whose run would it be?
            await post_as_yourself(context.bot, message)
            return
        name = document.file_name or "file"
        mime = document.mime_type or "application/octet-stream"
        size = document.file_size
        if size is not None and size > MAX_FILE_BYTES:
            attachment = Attachment(name, b"", mime, size=size)
        else:
            file = await document.get_file()
            attachment = Attachment(name, bytes(await file.download_as_bytearray()), mime, size)
        note = ChatNote(context.bot, message.chat.id)
        reply = await self._core.handle(incoming_document(update, message, attachment), note)
        await answer(context.bot, update, reply)

    async def on_button(self, update: Update, context: Context) -> None:
        """A button press: stop the spinner, route the action id to the core."""
        query = update.callback_query
        if query is None:
            return
        reply = None
        if query.data is not None:  # else not one of Pacer's buttons (e.g. a game)
            incoming = incoming_action(update)
            if await self._admins.pressed_by_admin(context.bot, query):
                incoming = dataclasses.replace(incoming, is_admin=True)
            reply = await self._core.handle(incoming)
        # A press on someone else's button is answered on the press itself, to the presser.
        alert = reply.text[:200] if reply is not None and reply.meta.get(ALERT) else None
        try:
            # Always, or the client shows a spinner for a while.
            await query.answer(text=alert, show_alert=alert is not None)
        except TelegramError as exc:  # e.g. "query is too old": still do what was asked
            log.info("answerCallbackQuery failed: %s", exc)
        if reply is not None and alert is None:
            await answer(context.bot, update, reply)

    async def on_my_chat_member(self, update: Update, context: Context) -> None:
        """A runner blocked the bot: nudges to them cannot be delivered any more."""
        change = update.my_chat_member
        if change is not None and change.chat.type != Chat.PRIVATE:
            # No longer an admin there: member changes stop coming, so forget what we knew.
            if change.new_chat_member.status != ChatMember.ADMINISTRATOR:
                self._admins.forget_chat(change.chat.id)
            return
        if change is None:
            return
        if change.new_chat_member.status != ChatMember.BANNED:
            return
        user_id = str(change.from_user.id)
        if isinstance(self._core, MarksUnreachable):
            await self._core.mark_unreachable(PLATFORM, user_id, "blocked the bot on Telegram")
        else:  # the outbound queue learns it from the next refused message
            log.info("telegram user %s blocked the bot", user_id)

    async def on_chat_member(self, update: Update, context: Context) -> None:
        """Telegram says a member was promoted or demoted: admin commands follow at once."""
        change = update.chat_member
        if change is None:
            return
        status = change.new_chat_member.status
        admin = status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)
        self._admins.learn(change.chat.id, change.new_chat_member.user.id, admin)

    async def on_error(self, update: object, context: Context) -> None:
        """Log the failure (the token is redacted) and apologise to the user."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        trace = "".join(traceback.format_exception(error)) if error else "unknown error"
        # Redacted here too, not only by the root-handler filter: that one only
        # sits on the root handlers that existed when the adapter was built.
        log.error("error handling Telegram update %s: %s", update_id, self._redactor.redact(trace))
        if not isinstance(update, Update) or (update.message or update.callback_query) is None:
            return
        where = update.effective_chat or update.effective_user
        if where is None:
            return
        target = where.id
        try:
            await context.bot.send_message(target, SORRY)
        except TelegramError as exc:
            log.warning("could not apologise in chat %s: %s", target, exc)


class ChatNote:
    """A progress note in one chat: sent once, then edited in place."""

    def __init__(self, bot: ExtBot[Any], chat_id: int) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.message_id: int | None = None

    async def show(self, text: str) -> None:
        """Send the note the first time, edit it after."""
        if self.message_id is None:
            sent = await self.bot.send_message(self.chat_id, text)
            self.message_id = sent.message_id
        else:
            await self.bot.edit_message_text(text, chat_id=self.chat_id, message_id=self.message_id)


def _message(update: Update) -> Message:
    if update.message is None:  # the handlers' filters only pass new messages
        raise ValueError("update without a message")
    return update.message
