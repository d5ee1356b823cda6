"""Telegram ``Update`` -> :class:`~bot.messages.Incoming`."""

from __future__ import annotations

from dataclasses import replace

from telegram import Chat, Message, Update, User

from bot.messages import Attachment, Incoming

PLATFORM = "telegram"
# An admin writing anonymously, as the group: Telegram names the sender "Group"
# (GroupAnonymousBot), which reads as nobody in "Group ended Winter Miles".
ANONYMOUS_ADMIN = "An admin"


def split_command(text: str) -> tuple[str, str, str]:
    """``"/log@PacerBot 5k 25:00"`` -> ``("log", "PacerBot", "5k 25:00")``."""
    # Arguments may start on the next line: split on the first whitespace of any kind.
    parts = text.strip().split(None, 1)
    head = parts[0] if parts else ""
    rest = parts[1].strip() if len(parts) > 1 else ""
    name, _, target = head.removeprefix("/").partition("@")
    return name.lower(), target, rest


def _incoming(
    update: Update,
    user: User,
    chat: Chat | None,
    *,
    is_admin: bool,
    command: str = "",
    text: str = "",
    action: str | None = None,
    display_name: str = "",
) -> Incoming:
    """Fill the fields every kind of update shares; no chat means the private chat."""
    private = chat is None or chat.type == Chat.PRIVATE
    return Incoming(
        platform=PLATFORM,
        user_id=str(user.id),
        chat_id=str(user.id if chat is None else chat.id),
        is_private=private,
        is_admin=True if private else is_admin,
        display_name=display_name or user.full_name,
        command=command,
        text=text,
        action=action,
        idempotency_key=str(update.update_id),
        chat_title=(chat.title or "") if chat is not None else "",
    )


def sender(message: Message) -> User:
    """Who wrote ``message`` (the handlers' filters only let user messages through)."""
    if message.from_user is None:
        raise ValueError("message without a sender")
    return message.from_user


def shown_name(message: Message) -> str:
    """Who wrote ``message``, as the group reads them: their name; an admin writing as the
    group "An admin"; a channel its title."""
    chat = message.sender_chat
    if chat is None:
        return sender(message).full_name
    if chat.id == message.chat.id:
        return ANONYMOUS_ADMIN
    return chat.effective_name or sender(message).full_name


def incoming_command(update: Update, message: Message, *, is_admin: bool = False) -> Incoming:
    """A ``/command args`` message (PTB has already checked any ``@BotName``)."""
    name, _, args = split_command(message.text or "")
    return _incoming(
        update,
        sender(message),
        message.chat,
        is_admin=is_admin,
        command=name,
        text=args,
        display_name=shown_name(message),
    )


def incoming_text(update: Update, message: Message) -> Incoming:
    """A plain private message: an onboarding answer."""
    return _incoming(update, sender(message), message.chat, is_admin=True, text=message.text or "")


def incoming_action(update: Update) -> Incoming:
    """A button press: the callback data is the core's action id, passed on untouched.

    ``is_admin`` is False here; the adapter asks ``getChatMember`` (cached) only
    for a press whose command is for admins (``🏁 End it now``).
    """
    query = update.callback_query
    if query is None:
        raise ValueError("not a callback query")
    chat = query.message.chat if query.message is not None else None
    return _incoming(update, query.from_user, chat, is_admin=False, action=query.data or "")


def is_log_caption(caption: str | None) -> bool:
    """A file's caption that says ``/log`` (how a file is logged in a group)."""
    return split_command(caption or "")[0] == "log" and (caption or "").startswith("/")


def is_import_caption(caption: str | None) -> bool:
    """A file's caption that says ``/import`` (a Strava export sent in)."""
    return split_command(caption or "")[0] == "import" and (caption or "").startswith("/")


def incoming_document(update: Update, message: Message, attachment: Attachment) -> Incoming:
    """A file sent in the chat: ``/log`` with it (a caption after ``/log`` is the note), or
    ``/import`` when the caption says so."""
    caption = message.caption or ""
    if is_import_caption(caption):
        base = _incoming(update, sender(message), message.chat, is_admin=False, command="import")
        return replace(base, text=split_command(caption)[2], attachments=(attachment,))
    note = split_command(caption)[2] if is_log_caption(caption) else caption.strip()
    base = _incoming(update, sender(message), message.chat, is_admin=False, command="log")
    return replace(base, options={"note": note} if note else {}, attachments=(attachment,))
