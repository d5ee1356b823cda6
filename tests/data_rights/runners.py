"""Runners for the data-rights tests: distinctive ids and names, so a search finds only theirs."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import text

from bot.clock import FakeClock
from bot.messages import Incoming, Reply
from bot.storage.database import Database
from bot.storage.tables import users
from tests.fakes import FakeChat, Harness

# Platform ids and names no other value in the database could contain by chance.
TELEGRAM_ID = "7003141592"
DISCORD_ID = "881234567890123456"
NAME_TG = "Wilhelmina Quasar"
NAME_DC = "Wilhelmina Qx"
OTHER_ID = "5550009999"
OTHER_NAME = "Bartholomew Zed"
# Internal ids start here, so "987651" can only be a runner's id, never a distance or a date.
FIRST_USER_ID = 987_650


@dataclass
class NamedChat(FakeChat):
    """A fake chat whose runner has a display name of their own."""

    name: str = ""

    def incoming(self, line: str, **extra: Any) -> Incoming:
        """As FakeChat, under this chat's display name."""
        return replace(super().incoming(line, **extra), display_name=self.name)


def chat(
    harness: Harness, platform: str, user_id: str, name: str, *, private: bool = True
) -> NamedChat:
    """A runner's chat on one platform."""
    return NamedChat(harness.core, platform, user_id, private=private, name=name)


async def start_ids_high(db: Database, clock: FakeClock) -> None:
    """The next runner gets id FIRST_USER_ID + 1 (a placeholder runner holds the one before)."""
    async with db.engine.begin() as conn:
        await conn.execute(
            users.insert().values(
                id=FIRST_USER_ID, display_name="placeholder", created_at=clock.now()
            )
        )
        if not db.is_sqlite:
            await conn.execute(
                text("SELECT setval(pg_get_serial_sequence('users', 'id'), :n)"),
                {"n": FIRST_USER_ID},
            )


async def link(home: FakeChat, other: FakeChat) -> None:
    """Join ``other``'s account to ``home``'s runner with /link."""
    code = (await home.say("/link")).text.split()[3]
    linked = await other.say(f"/link {code}")
    assert linked.text.startswith("Linked"), linked.text


def archive(reply: Reply) -> zipfile.ZipFile:
    """The one ZIP attached to an /export reply."""
    [attachment] = reply.attachments
    assert attachment.mime_type == "application/zip"
    assert attachment.filename.endswith(".zip")
    return zipfile.ZipFile(io.BytesIO(attachment.data))
