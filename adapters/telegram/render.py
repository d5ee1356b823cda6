"""Reply -> Telegram messages: HTML escaping, 4096-character chunks, keyboards, files.

The core speaks plain text. Everything it says is escaped for Telegram's HTML
parse mode, so a note containing ``<b>`` or ``&`` shows literally.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, replace
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import MessageLimit, ParseMode
from telegram.ext import ExtBot

from bot.messages import Attachment, Reply

log = logging.getLogger(__name__)

# Telegram counts message length after entity parsing, in UTF-16 code units.
MAX_MESSAGE_UNITS: int = MessageLimit.MAX_TEXT_LENGTH


@dataclass(frozen=True, slots=True)
class OutgoingPart:
    """One Bot API call needed to show a reply: a text chunk or a file."""

    text: str = ""
    attachment: Attachment | None = None
    keyboard: InlineKeyboardMarkup | None = None


def _units(ch: str) -> int:
    """UTF-16 code units of one code point."""
    return 2 if ord(ch) > 0xFFFF else 1


def split_text(text: str, limit: int = MAX_MESSAGE_UNITS) -> list[str]:
    """Split plain text into non-empty chunks of at most ``limit`` UTF-16 units.

    Prefers to cut after a newline, then after a space, and only then mid-word.
    Leading and trailing whitespace of each chunk is dropped (Telegram trims it
    anyway and refuses an all-blank message).
    """
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        used = 0
        end = 0
        while end < len(rest) and used + _units(rest[end]) <= limit:
            used += _units(rest[end])
            end += 1
        end = max(end, 1)  # always make progress, even if one character exceeds the limit
        if end < len(rest):
            cut = rest.rfind("\n", 0, end)
            if cut <= 0:
                cut = rest.rfind(" ", 0, end)
            if cut > 0:
                end = cut + 1
        chunk = rest[:end].strip()
        if chunk:
            chunks.append(chunk)
        rest = rest[end:].strip()
    return chunks


def escape(text: str) -> str:
    """Escape plain text for ``parse_mode=HTML``."""
    return html.escape(text, quote=False)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard; each action goes in callback_data."""
    rows = [
        [InlineKeyboardButton(b.label, callback_data=b.action) for b in row]
        for row in reply.buttons
        if row
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def render(reply: Reply, *, fallback: str | None = None) -> list[OutgoingPart]:
    """The Bot API calls that show ``reply``: text chunks, then files; keyboard on the last text.

    A reply with neither text nor files renders to nothing, or to ``fallback``
    (with the buttons, if any) when one is given.
    """
    chunks = [escape(c) for c in split_text(reply.text)]
    if not chunks and not reply.attachments and fallback:
        chunks = [escape(fallback)]
    parts = [OutgoingPart(text=c) for c in chunks]
    parts.extend(OutgoingPart(attachment=a) for a in reply.attachments)
    markup = keyboard(reply)
    if markup is not None:
        # On the last text chunk; with no text at all, on the last file.
        last = len(chunks) - 1 if chunks else len(parts) - 1
        if last < 0:
            log.warning("reply has buttons but nothing to attach them to; dropped")
        else:
            parts[last] = replace(parts[last], keyboard=markup)
    return parts


async def send_part(
    bot: ExtBot[Any], chat_id: int | str, part: OutgoingPart, **kwargs: Any
) -> Message:
    """Make the one Bot API call for ``part``; ``kwargs`` go to the PTB method."""
    if part.attachment is None:
        return await bot.send_message(
            chat_id,
            part.text,
            parse_mode=ParseMode.HTML,
            reply_markup=part.keyboard,
            **kwargs,
        )
    file = InputFile(part.attachment.data, filename=part.attachment.filename)
    if part.attachment.is_image:
        return await bot.send_photo(chat_id, file, reply_markup=part.keyboard, **kwargs)
    return await bot.send_document(
        chat_id, file, filename=part.attachment.filename, reply_markup=part.keyboard, **kwargs
    )
