"""A club in the fake chat: members in a Telegram group or a Discord server, and their DMs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.messages import Incoming
from tests.fakes import FakeChat, Harness


@dataclass
class ClubChat(FakeChat):
    """A member talking in a club's group chat (Telegram) or server channel (Discord)."""

    group: str = "group-1"
    server: str = ""  # Discord: the server the channel belongs to
    title: str = "Run Club"

    def incoming(self, line: str, **extra: Any) -> Incoming:
        """The group's chat id, the server and its name on top of the fake chat's."""
        base = super().incoming(line)
        base = replace(
            base,
            chat_id=self.group,
            is_private=False,
            club_id=self.server,
            chat_title=self.title,
        )
        return replace(base, **extra)


def club_chat(
    harness: Harness,
    user: str,
    platform: str = "telegram",
    *,
    admin: bool = False,
    group: str = "group-1",
    server: str = "",
) -> ClubChat:
    """``user`` in the club's group on ``platform``."""
    return ClubChat(
        harness.core, platform, user, private=False, admin=admin, group=group, server=server
    )
