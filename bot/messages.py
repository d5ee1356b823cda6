"""Boundary objects exchanged between adapters and the core.

Adapters turn a platform event into an :class:`Incoming`, call
``Core.handle`` and render the :class:`Reply` they get back. Nothing here
knows about Discord or Telegram.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Telegram limits callback data to 64 bytes; action ids must fit everywhere.
MAX_ACTION_BYTES = 64


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message (a chart image, an export)."""

    filename: str
    data: bytes
    mime_type: str = "application/octet-stream"
    # The size the platform announced, for a file too big to download (``data`` empty).
    size: int | None = None

    @property
    def is_image(self) -> bool:
        """True when the platform should show it as a picture."""
        return self.mime_type.startswith("image/")


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a user did: a command, a plain message or a button press.

    ``command`` is the command name without the slash (``"log"``), or ``""``
    for a plain message. ``text`` is the raw argument text as typed; platforms
    with typed options (Discord) pass ``options`` instead, keyed by option
    name. A button press arrives as ``action`` (the button's action id) and
    the core routes it itself.
    """

    platform: str
    user_id: str
    chat_id: str
    is_private: bool = True
    is_admin: bool = False
    display_name: str = ""
    command: str = ""
    text: str = ""
    options: Mapping[str, str] | None = None
    action: str | None = None
    attachments: tuple[Attachment, ...] = ()
    idempotency_key: str | None = None
    # The club a group chat belongs to: the Discord server id (empty: the chat itself),
    # and the group's or server's name as the platform shows it.
    club_id: str = ""
    chat_title: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    """A one-tap answer. ``action`` is short (<= 64 bytes) and routed by the core."""

    label: str
    action: str

    def __post_init__(self) -> None:
        if len(self.action.encode()) > MAX_ACTION_BYTES:
            raise ValueError(f"action id longer than {MAX_ACTION_BYTES} bytes: {self.action!r}")


@dataclass(frozen=True, slots=True)
class Reply:
    """What the core answers. ``private`` replies must only be shown to the user.

    ``private_note``: lines of a reply the group reads that are the runner's own (the
    coach's word after a check-in, their week under a logged run), shown to them alone the
    way a private reply is (ephemeral on Discord, their private chat on Telegram). Only a
    public reply in a group carries one; anywhere else they are part of ``text``.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    private: bool = False
    private_note: str = ""
    # Free-form hints for adapters that can show more (e.g. Discord embeds).
    meta: Mapping[str, str] = field(default_factory=dict)

    @property
    def all_buttons(self) -> tuple[Button, ...]:
        """Buttons flattened row by row."""
        return tuple(b for row in self.buttons for b in row)


@dataclass(frozen=True, slots=True)
class Choice:
    """An autocomplete suggestion: what to show and the value to fill in."""

    label: str
    value: str
