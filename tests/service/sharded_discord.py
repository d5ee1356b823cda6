"""The fake Discord with a gateway that routes like Discord's: a server's events to one shard.

Discord sends a guild's events to shard ``(guild_id >> 22) % shard_count`` and
DMs to shard 0; every connection says which shard it is when it identifies.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tests.discord.fake_discord import FakeDiscord


def shard_of(guild_id: int | None, count: int) -> int:
    """The shard Discord sends a server's events to (DMs: shard 0)."""
    return 0 if guild_id is None else (guild_id >> 22) % count


class ShardedDiscord(FakeDiscord):
    """:class:`FakeDiscord` whose :meth:`dispatch` reaches only the event's shard."""

    def __init__(self) -> None:
        super().__init__()
        self._shards: dict[web.WebSocketResponse, tuple[int, int]] = {}

    async def _on_gateway_message(self, ws: web.WebSocketResponse, msg: dict[str, Any]) -> None:
        if msg.get("op") == 2:
            shard_id, count = msg["d"].get("shard") or (0, 1)
            self._shards[ws] = (int(shard_id), int(count))
        await super()._on_gateway_message(ws, msg)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH to the shard that owns its server (or shard 0 for a DM)."""
        message = {"op": 0, "t": event, "s": next(self._sequence), "d": data}
        guild = data.get("guild_id")
        for ws, (shard_id, count) in list(self._shards.items()):
            if ws.closed:
                continue
            if shard_id == shard_of(int(guild) if guild else None, count):
                await ws.send_str(json.dumps(message))
