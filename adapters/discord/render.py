"""Reply -> what discord.py sends: text chunks, persistent buttons, files."""

from __future__ import annotations

import io
import logging

import discord

from adapters.discord.buttons import ActionButton
from bot.messages import Button, Reply

log = logging.getLogger(__name__)

MAX_CONTENT = 2000
MAX_ROWS = 5
MAX_PER_ROW = 5
# Nothing Pacer says should ping anyone, whatever a display name contains.
NO_MENTIONS = discord.AllowedMentions.none()


def split_content(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` characters, at line breaks if possible."""
    text = text.strip() or "✓"
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n ")
    parts.append(text)
    return [p for p in parts if p] or ["✓"]


def content_parts(text: str) -> list[str]:
    """A reply's text as Discord messages: plain text, as on Telegram (whose renderer
    escapes HTML), so markdown a display name, a note or a challenge name holds ("# Ana",
    "**x**") shows as typed; then cut at Discord's 2,000 characters. Links are left whole."""
    return split_content(discord.utils.escape_markdown(text))


def button_rows(reply: Reply) -> list[list[Button]]:
    """The reply's buttons laid out within Discord's 5 rows of 5.

    The core's rows are kept when they fit. Otherwise (``/nudges`` has six
    one-button rows) the buttons flow into rows of five, in order, so none is
    lost; past 25 buttons the rest are dropped, with a warning.
    """
    rows = [list(row) for row in reply.buttons if row]
    if len(rows) <= MAX_ROWS and all(len(row) <= MAX_PER_ROW for row in rows):
        return rows
    flat = [button for row in rows for button in row]
    kept = flat[: MAX_ROWS * MAX_PER_ROW]
    if len(kept) < len(flat):
        log.warning(
            "reply has %d buttons, Discord shows at most %d; dropped: %s",
            len(flat),
            len(kept),
            ", ".join(b.label for b in flat[len(kept) :]),
        )
    return [kept[i : i + MAX_PER_ROW] for i in range(0, len(kept), MAX_PER_ROW)]


def build_view(reply: Reply) -> discord.ui.View | None:
    """The reply's buttons as persistent components, or None without buttons."""
    rows = button_rows(reply)
    if not rows:
        return None
    view = discord.ui.View(timeout=None)
    for row_index, row in enumerate(rows):
        for button in row:
            view.add_item(ActionButton(button.action, label=button.label, row=row_index))
    return view


def build_files(reply: Reply) -> list[discord.File]:
    """The reply's attachments as discord.py files."""
    return [discord.File(io.BytesIO(a.data), filename=a.filename) for a in reply.attachments]
