"""The Telegram adapter: PTB ``Application`` started by hand on the app's event loop.

Handlers are thin: translate the ``Update`` into an ``Incoming``, ask the core,
render the ``Reply``. Telegram's quirks live here: ``/cmd@BotName``, 64-byte
callback data, admin checks through ``getChatMember``, private replies in
groups, HTML escaping, the 4096-character limit.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeAlias, runtime_checkable

from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    Message,
    Update,
)
from telegram.error import InvalidToken, TelegramError
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
from telegram.request import BaseRequest

from adapters.telegram import redact
from adapters.telegram.commands_menu import command_menus, telegram_commands
from adapters.telegram.messenger import TelegramMessenger
from adapters.telegram.processing import PerChatUpdateProcessor
from adapters.telegram.rate_limiter import BudgetLimiter
from adapters.telegram.receiving import lock_name, start_receiving, stop_receiving
from adapters.telegram.replying import anonymous_in_group, answer, post_as_yourself
from adapters.telegram.translate import (
    PLATFORM,
    incoming_action,
    incoming_command,
    incoming_document,
    incoming_text,
    is_import_caption,
    is_log_caption,
    sender,
    split_command,
)
from bot.budget import SendBudget, limits_for
from bot.clock import SystemClock
from bot.config import Settings
from bot.core.commands import COMMANDS, CommandSpec, find_command, resolve_subcommand
from bot.core.ownership import ALERT, OWNER_MARK
from bot.messages import Attachment, Incoming, Reply
from bot.ports import ProgressNote, TokenRefused
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


ADMIN_CACHE_SECONDS = 300.0  # a demoted admin may create for a few minutes more
ADMIN_CACHE_SIZE = 10_000


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
        self._core = core
        # Before PTB's Bot exists: its constructor logs the API URL (token included)
        # at DEBUG. Installed for the process lifetime; never uninstalled.
        self._redactor = redact.redactor_for(
            *redact.token_secrets(settings.telegram_token, settings.telegram_webhook_secret)
        )
        redact.install(self._redactor)
        self._commands = telegram_commands(commands)
        # getChatMember answers, cached a few minutes: (chat, user) -> (is admin, until).
        self._admins: dict[tuple[int, int], tuple[bool, float]] = {}
        self._app = build_application(settings, request, budget)
        self._messenger = TelegramMessenger(self._app.bot)
        self._register_handlers()

    @property
    def application(self) -> PTBApplication:
        """The PTB application (tests feed it updates)."""
        return self._app

    @property
    def messenger(self) -> TelegramMessenger:
        """Direct messages for the core's outbound queue."""
        return self._messenger

    def _register_handlers(self) -> None:
        """Every handler, in one place."""
        new_message = filters.UpdateType.MESSAGE  # edited messages never reach the core
        for name in self._commands:
            self._app.add_handler(CommandHandler(name, self.on_command, new_message))
        self._app.add_handlers(
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
        self._app.add_error_handler(self.on_error)

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

    # --- handlers: translate, call the core, render ---

    async def on_command(self, update: Update, context: Context) -> None:
        """``/command args``, also ``/command@BotName`` in groups."""
        message = _message(update)
        name, _, args = split_command(message.text or "")
        spec = find_command(resolve_subcommand(name, args)[0]) or self._commands.get(name)
        admin_only = spec is not None and spec.admin_only
        if anonymous_in_group(message) and not admin_only:
            await post_as_yourself(context.bot, message)
            return
        is_admin = admin_only and await self._is_admin(context.bot, message)
        reply = await self._core.handle(incoming_command(update, message, is_admin=is_admin))
        await answer(context.bot, update, reply)

    async def _is_admin(self, bot: ExtBot[Any], message: Message) -> bool:
        """Whether the sender administers the group; asked once per few minutes per member."""
        if message.chat.type == Chat.PRIVATE or message.from_user is None:
            return await _is_admin(bot, message)
        return await self._cached_admin(
            (message.chat.id, message.from_user.id), lambda: _is_admin(bot, message)
        )

    async def _presser_is_admin(self, bot: ExtBot[Any], query: CallbackQuery) -> bool:
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
        return await self._cached_admin(
            (chat.id, user), lambda: _member_is_admin(bot, chat.id, user)
        )

    async def _cached_admin(self, key: tuple[int, int], ask: Callable[[], Awaitable[bool]]) -> bool:
        """The cached answer for (chat, member), else ``ask()``'s (kept a few minutes)."""
        cached = self._admins.get(key)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        answer = await ask()
        if len(self._admins) > ADMIN_CACHE_SIZE:
            self._admins.clear()
        self._admins[key] = (answer, now + ADMIN_CACHE_SECONDS)
        return answer

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
            if await self._presser_is_admin(context.bot, query):
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
                self._admins = {k: v for k, v in self._admins.items() if k[0] != change.chat.id}
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
        key = (change.chat.id, change.new_chat_member.user.id)
        admin = status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)
        self._admins[key] = (admin, time.monotonic() + ADMIN_CACHE_SECONDS)

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
    if action.startswith(OWNER_MARK):  # ``~<owner> /challenge end #3 confirm``
        owner, _, action = action.partition(" ")
        if owner != f"{OWNER_MARK}{presser}":
            return False
    if not action.startswith("/"):
        return False
    name, _, rest = action[1:].partition(" ")
    spec = find_command(resolve_subcommand(name.lower(), rest)[0])
    return spec is not None and spec.admin_only
