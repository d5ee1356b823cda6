"""A club in the fake chat: members in a Telegram group or a Discord server, and their DMs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from bot.budget import Place
from bot.messages import Incoming, Reply
from bot.ports import Unreachable
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


@dataclass
class GroupPosts:
    """A messenger that records the posts a platform would show, and can refuse a chat."""

    platform: str
    posts: list[tuple[str, Reply]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def send_direct(
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """DMs (nudges) are not what these tests look at."""

    async def send_group(
        self,
        chat_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Record a post, or refuse it as a group that removed the bot would."""
        if chat_id in self.refuse:
            raise Unreachable("Forbidden: bot was kicked from the group chat")
        self.posts.append((chat_id, reply))


async def sweep_at(harness: Harness, when: datetime, posts: GroupPosts) -> list[str]:
    """Move the clock, run one sweep, send what it queued; the texts posted meanwhile."""
    harness.clock.set(when)
    before = len(posts.posts)
    await harness.core.sweeper.sweep()
    await harness.core.sweeper.drain()
    return [reply.text for _, reply in posts.posts[before:]]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)
