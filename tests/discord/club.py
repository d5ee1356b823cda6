"""A Discord server (its #running-club channel) in front of the real core: members' slash
commands and button presses in, the interaction answers and the club's channel posts out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.discord.client import PacerClient
from tests.discord import payloads
from tests.discord.fake_discord import FakeDiscord, user_payload
from tests.discord.harness import CapturedHTTP, deliver
from tests.fakes import Harness

ADA = payloads.RUNNER_ID
BOB = "400000000000000009"
CY = "400000000000000010"
NAMES = {ADA: "ada", BOB: "bob", CY: "cy"}
EPHEMERAL = 1 << 6


def as_member(data: dict[str, Any], user: str) -> dict[str, Any]:
    """``data`` sent by ``user`` (with their name), in the server or in their DM."""
    who = user_payload(user, NAMES.get(user, "member"))
    if "member" in data:
        data["member"]["user"] = who
    else:
        data["user"] = who
    return data


def sub(
    group: str, name: str, options: dict[str, Any], *, admin: bool, user: str, kind: int = 2
) -> dict[str, Any]:
    """``/group name option:value ...`` in the server's channel, as the gateway sends it."""
    data = as_member(payloads.slash(group, guild=True, admin=admin, user_id=user), user)
    typed = []
    for key, value in options.items():
        option: dict[str, Any] = {"name": key, "type": 3, "value": value}
        if key == "channel":
            option["type"] = 7
        if kind == 4 and key == "name":
            option["focused"] = True
        typed.append(option)
    data["type"] = kind
    data["data"]["options"] = [{"name": name, "type": 1, "options": typed}]
    return data


async def answer(client: PacerClient, http: CapturedHTTP, data: dict[str, Any]) -> dict[str, Any]:
    """Deliver an interaction; the JSON of its first answer."""
    deliver(client, data)
    call = await http.wait_for(lambda c: f"/interactions/{data['id']}/" in c.path)
    body: dict[str, Any] = call.json
    return body


def buttons(data: dict[str, Any]) -> dict[str, str]:
    """A message's buttons: label -> custom_id."""
    return {
        b["label"]: b["custom_id"] for row in data.get("components", []) for b in row["components"]
    }


@dataclass
class DiscordServer:
    """The server, its members (Ada manages it) and what Discord was asked to show."""

    client: PacerClient
    http: CapturedHTTP
    fake: FakeDiscord
    harness: Harness
    cdn: dict[str, bytes]

    async def ask(self, data: dict[str, Any]) -> dict[str, Any]:
        """The ``data`` of the interaction's answer (content, components, flags)."""
        body = await answer(self.client, self.http, data)
        shown: dict[str, Any] = body["data"]
        return shown

    async def command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: str = ADA,
        guild: bool = True,
    ) -> dict[str, Any]:
        """``/name`` or ``/group sub`` (``name`` with a space) with typed options."""
        admin = user == ADA
        if " " in name:
            group, _, subcommand = name.partition(" ")
            return await self.ask(sub(group, subcommand, options or {}, admin=admin, user=user))
        data = payloads.slash(name, options, guild=guild, admin=admin, user_id=user)
        return await self.ask(as_member(data, user))

    async def log_file(
        self, name: str, content: bytes, *, user: str = ADA, guild: bool = True
    ) -> dict[str, Any]:
        """``/log file:<name>`` with the file attached, as ``user``."""
        event = payloads.slash_with_file(name, len(content), guild=guild, user_id=user)
        self.cdn[payloads.attachment_url(event)] = content
        return await self.ask(as_member(event, user))

    async def press(self, label: str, *, on: dict[str, Any], user: str = ADA) -> dict[str, Any]:
        """``user`` presses the button labelled ``label`` under ``on`` in the channel."""
        press = payloads.button_press(
            buttons(on)[label], label=label, guild=True, admin=user == ADA, user_id=user
        )
        return await self.ask(as_member(press, user))

    def posts(self) -> list[dict[str, Any]]:
        """Every message posted to the club's channel through the REST API, in order."""
        path = f"/channels/{payloads.CHANNEL_ID}/messages"
        return [r.body for r in self.fake.requests if r.method == "POST" and r.path == path]

    async def posts_at(self, when: datetime) -> list[dict[str, Any]]:
        """Move the clock there, sweep once, send what is due: the channel's new messages."""
        self.harness.clock.set(when)
        before = len(self.posts())
        await self.harness.core.sweeper.sweep()
        await self.harness.core.sweeper.drain()
        return self.posts()[before:]
