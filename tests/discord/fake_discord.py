"""A small fake Discord on 127.0.0.1: the REST endpoints Pacer uses and a gateway websocket.

Point discord.py at it with ``DISCORD_API_BASE=<fake.api_base>`` and
``DISCORD_GATEWAY_URL=<fake.gateway_url>``. It records every REST request,
answers like Discord does (JSON shapes included), can be told to fail the
next matching request (403 50007, 429, 5xx), and dispatches gateway events
such as ``INTERACTION_CREATE`` to the connected shards.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
BOT_USER_ID = "900000000000000001"
APPLICATION_ID = "900000000000000002"
OWNER_ID = "900000000000000003"

_snowflakes = itertools.count(1_300_000_000_000_000_000)


def _json(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response with Discord's exact content type (discord.py compares it verbatim)."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def snowflake() -> str:
    """A fresh, increasing id."""
    return str(next(_snowflakes))


def user_payload(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A Discord user object."""
    return {
        "id": user_id,
        "username": name,
        "global_name": name.capitalize(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def message_payload(
    channel_id: str, content: str, *, author: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """A Discord message object."""
    payload: dict[str, Any] = {
        "id": snowflake(),
        "channel_id": channel_id,
        "author": author or user_payload(BOT_USER_ID, "pacer", bot=True),
        "content": content,
        "timestamp": "2026-11-26T12:00:00.000000+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
        "components": [],
    }
    payload.update(extra)
    return payload


@dataclass
class Recorded:
    """One REST request as the fake received it."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    form: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)  # when it arrived

    @property
    def body(self) -> Any:
        """The JSON payload, whether sent as JSON or as ``payload_json`` in a form."""
        if self.json is not None:
            return self.json
        raw = self.form.get("payload_json")
        return json.loads(raw) if isinstance(raw, str) else None


@dataclass
class Failure:
    """Answer the next request matching ``method`` and ``path`` with this error."""

    method: str
    path: str  # a regex, fully matched
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeDiscord:
    """REST + gateway fake. Use ``async with FakeDiscord() as fake``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.failures: list[Failure] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.identifies: list[dict[str, Any]] = []
        self.dm_channels: dict[str, str] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def api_base(self) -> str:
        """Value for ``DISCORD_API_BASE``."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Value for ``DISCORD_GATEWAY_URL``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close gateway sockets and the server."""
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def fail_next(
        self,
        method: str,
        path: str,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        """Make the next matching request fail (once)."""
        self.failures.append(Failure(method, path, status, body, headers or {}))

    async def wait_for(
        self, predicate: Callable[[Recorded], bool], *, within: float = 10.0
    ) -> Recorded:
        """The first recorded request matching ``predicate``, waiting up to ``within`` seconds."""
        async with asyncio.timeout(within), self._changed:
            while True:
                for request in self.requests:
                    if predicate(request):
                        return request
                await self._changed.wait()

    async def wait_until(self, check: Callable[[], bool], *, within: float = 10.0) -> None:
        """Wait until ``check()`` holds (re-checked on every request or gateway event)."""
        async with asyncio.timeout(within), self._changed:
            while not check():
                await self._changed.wait()

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway DISPATCH to every connected shard."""
        message = {"op": 0, "t": event, "s": next(self._sequence), "d": data}
        for ws in list(self._sockets):
            await ws.send_str(json.dumps(message))

    async def close_gateway(self, code: int) -> None:
        """Close every shard's websocket with ``code`` (4004: authentication failed)."""
        for ws in list(self._sockets):
            await ws.close(code=code)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # REST -----------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        recorded = Recorded(
            request.method, path, dict(request.query), dict(request.headers.items())
        )
        if request.content_type == "application/json":
            recorded.json = await request.json()
        elif request.content_type.startswith("multipart/"):
            form = await request.post()
            recorded.form = {
                k: (v if isinstance(v, str) else getattr(v, "filename", "file"))
                for k, v in form.items()
            }
        self.requests.append(recorded)
        await self._notify()
        for failure in self.failures:
            if failure.method == request.method and re.fullmatch(failure.path, path):
                self.failures.remove(failure)
                return _json(failure.body, status=failure.status, headers=failure.headers)
        return self._answer(recorded)

    def _answer(self, req: Recorded) -> web.StreamResponse:
        m, p = req.method, req.path
        if (m, p) == ("GET", "/users/@me"):
            return _json(user_payload(BOT_USER_ID, "pacer", bot=True))
        if (m, p) == ("GET", "/oauth2/applications/@me"):
            return _json(self._application())
        if (m, p) == ("GET", "/gateway/bot"):
            return _json(
                {
                    "url": self.gateway_url,
                    "shards": 1,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 999,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        if m == "PUT" and (match := re.fullmatch(r"/applications/\d+(/guilds/(\d+))?/commands", p)):
            scope = f"guild:{match.group(2)}" if match.group(2) else "global"
            self.commands[scope] = list(req.json or [])
            answer = [
                {**c, "id": snowflake(), "application_id": APPLICATION_ID, "version": "1"}
                for c in req.json or []
            ]
            return _json(answer)
        if (m, p) == ("POST", "/users/@me/channels"):
            recipient = str((req.json or {}).get("recipient_id"))
            channel_id = self.dm_channels.setdefault(recipient, snowflake())
            recipients = [user_payload(recipient, f"user{recipient[-4:]}")]
            return _json({"id": channel_id, "type": 1, "recipients": recipients})
        if m == "POST" and (match := re.fullmatch(r"/channels/(\d+)/messages", p)):
            body = req.body or {}
            return _json(message_payload(match.group(1), body.get("content", "")))
        if m == "POST" and (match := re.fullmatch(r"/interactions/(\d+)/[^/]+/callback", p)):
            body = req.body or {}
            interaction = {"id": match.group(1), "type": 2}
            data = body.get("data") or {}
            resource: dict[str, Any] = {"type": body.get("type", 4)}
            if body.get("type") in (4, 5, 7):
                resource["message"] = message_payload(
                    snowflake(), data.get("content") or "", flags=data.get("flags", 0)
                )
            return _json({"interaction": interaction, "resource": resource})
        if match := re.fullmatch(r"/webhooks/\d+/[^/]+(/messages/(@original|\d+))?", p):
            if m == "DELETE":
                return web.Response(status=204)
            body = req.body or {}
            return _json(message_payload(snowflake(), body.get("content") or ""))
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _application(self) -> dict[str, Any]:
        return {
            "id": APPLICATION_ID,
            "name": "Pacer",
            "description": "Training-habit coach",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_payload(OWNER_ID, "owner"),
            "verify_key": "0" * 64,
            "flags": 0,
        }

    # Gateway --------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        try:
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                await self._on_gateway_message(ws, json.loads(msg.data))
        finally:
            self._sockets.remove(ws)
        return ws

    async def _on_gateway_message(self, ws: web.WebSocketResponse, msg: dict[str, Any]) -> None:
        op = msg.get("op")
        if op == 1:  # heartbeat
            await ws.send_str(json.dumps({"op": 11}))
        elif op == 2:  # identify
            data = msg["d"]
            self.identifies.append(data)
            shard = data.get("shard") or [0, 1]
            ready = {
                "v": 10,
                "user": user_payload(BOT_USER_ID, "pacer", bot=True),
                "guilds": [],
                "session_id": "fake-session",
                "resume_gateway_url": self.gateway_url,
                "shard": shard,
                "application": {"id": APPLICATION_ID, "flags": 0},
                "private_channels": [],
            }
            await ws.send_str(
                json.dumps({"op": 0, "t": "READY", "s": next(self._sequence), "d": ready})
            )
            await self._notify()
