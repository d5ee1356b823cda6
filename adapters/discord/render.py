"""Reply -> what discord.py sends: text chunks, persistent buttons, files."""

from __future__ import annotations

import io

import discord

from adapters.discord.buttons import ActionButton
from bot.core.messages import Reply

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


def build_view(reply: Reply) -> discord.ui.View | None:
    """The reply's buttons as persistent components, or None without buttons."""
    if not reply.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for row_index, row in enumerate(reply.buttons[:MAX_ROWS]):
        for button in row[:MAX_PER_ROW]:
            view.add_item(ActionButton(button.action, label=button.label, row=row_index))
    return view


def build_files(reply: Reply) -> list[discord.File]:
    """The reply's attachments as discord.py files."""
    return [discord.File(io.BytesIO(a.data), filename=a.filename) for a in reply.attachments]
