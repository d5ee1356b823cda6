"""Fakes for adapter tests: a recording core and discord.py's HTTP layer captured.

Both places discord.py sends HTTP from are replaced: ``HTTPClient.request``
(REST: login, command sync) and ``AsyncWebhookAdapter.request`` (interaction
callbacks and followups). Payloads still go through discord.py's own
building; the tests assert on the JSON it would have sent.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord
import pytest
from discord.http import Route
from discord.webhook.async_ import AsyncWebhookAdapter

from adapters.discord.adapter import build_client
from adapters.discord.client import PacerClient
from adapters.discord.handler import InteractionHandler
from bot.config import Settings
from bot.core.commands import CommandSpec
from tests.discord.fake_discord import (
    APPLICATION_ID,
    BOT_USER_ID,
    OWNER_ID,
    message_payload,
    snowflake,
    user_payload,
)
from tests.fakes import FakeCore as FakeCore  # re-exported for older imports


@dataclass
class Call:
    """One HTTP request discord.py tried to make."""

    via: str  # "rest" or "webhook"
    method: str
    path: str
    json: Any
    query: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


class CapturedHTTP:
    """Records requests and answers them like Discord would."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: list[tuple[Callable[[Call], bool], BaseException]] = []
        self._changed = asyncio.Condition()

    def fail_next(self, predicate: Callable[[Call], bool], error: BaseException) -> None:
        """Raise ``error`` (once) from the next request matching ``predicate``."""
        self.failures.append((predicate, error))

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Replace discord.py's two HTTP entry points for the test's duration."""
        captured = self

        async def rest(
            http: discord.http.HTTPClient,
            route: Route,
            *,
            files: Sequence[discord.File] | None = None,
            form: Sequence[dict[str, Any]] | None = None,
            **kwargs: Any,
        ) -> Any:
            body = kwargs.get("json")
            if form:
                body = _payload_json(form)
            return await captured._record(
                "rest", route, body, [f.filename or "" for f in files or []]
            )

        async def webhook(
            adapter: AsyncWebhookAdapter,
            route: Route,
            session: Any,
            *,
            payload: dict[str, Any] | None = None,
            multipart: list[dict[str, Any]] | None = None,
            files: Sequence[discord.File] | None = None,
            params: dict[str, Any] | None = None,
            **kwargs: Any,
        ) -> Any:
            body = _payload_json(multipart) if multipart else payload
            names = [f.filename or "" for f in files or []]
            return await captured._record("webhook", route, body, names, params or {})

        monkeypatch.setattr(discord.http.HTTPClient, "request", rest)
        monkeypatch.setattr(AsyncWebhookAdapter, "request", webhook)

    async def _record(
        self,
        via: str,
        route: Route,
        body: Any,
        files: list[str],
        query: dict[str, Any] | None = None,
    ) -> Any:
        path = route.url.removeprefix(Route.BASE)
        call = Call(via, route.method, path, body, query or {}, files)
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()
        for failure in self.failures:
            if failure[0](call):
                self.failures.remove(failure)
                raise failure[1]
        return _answer(call)

    async def wait_for(self, predicate: Callable[[Call], bool], *, within: float = 5.0) -> Call:
        """The first call matching ``predicate``."""
        async with asyncio.timeout(within), self._changed:
            while True:
                for call in self.calls:
                    if predicate(call):
                        return call
                await self._changed.wait()

    def interaction_calls(self, interaction_id: str | None = None) -> list[Call]:
        """Callback and followup calls (optionally for one interaction's callback)."""
        return [
            c
            for c in self.calls
            if c.via == "webhook"
            and (interaction_id is None or f"/interactions/{interaction_id}/" in c.path)
        ]


def _payload_json(form: Sequence[dict[str, Any]]) -> Any:
    for part in form:
        if part.get("name") == "payload_json":
            return json.loads(part["value"])
    return None


def _answer(call: Call) -> Any:
    m, p, body = call.method, call.path, call.json or {}
    if (m, p) == ("GET", "/users/@me"):
        return user_payload(BOT_USER_ID, "pacer", bot=True)
    if (m, p) == ("GET", "/oauth2/applications/@me"):
        return {
            "id": APPLICATION_ID,
            "name": "Pacer",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_payload(OWNER_ID, "owner"),
            "verify_key": "0" * 64,
            "flags": 0,
        }
    if m == "PUT" and p.endswith("/commands"):
        return [{**c, "id": snowflake(), "application_id": APPLICATION_ID} for c in call.json]
    if match := re.fullmatch(r"/interactions/(\d+)/[^/]+/callback", p):
        resource: dict[str, Any] = {"type": body.get("type", 4)}
        if body.get("type") in (4, 5):
            data = body.get("data") or {}
            resource["message"] = message_payload(snowflake(), data.get("content") or "")
        return {"interaction": {"id": match.group(1), "type": 2}, "resource": resource}
    if m == "POST" and re.fullmatch(r"/channels/\d+/messages", p):
        return message_payload(p.split("/")[2], body.get("content") or "")
    if p.startswith("/webhooks/"):
        return None if m == "DELETE" else message_payload(snowflake(), body.get("content") or "")
    return {}


def settings(**overrides: str) -> Settings:
    """Discord settings for tests (no network: HTTP is captured)."""
    values: dict[str, Any] = {
        "database_url": "sqlite:///:memory:",
        "discord_token": "fake-token",
        "discord_application_id": APPLICATION_ID,
        "discord_shard_count": "1",
    }
    values.update(overrides)
    return Settings(**values)


async def logged_in_client(
    core: FakeCore,
    *,
    specs: Sequence[CommandSpec] | None = None,
    defer_after: float = 2.0,
    autocomplete_timeout: float = 1.8,
) -> PacerClient:
    """A client logged in through the captured HTTP layer, ready to parse interactions."""
    handler = InteractionHandler(
        core, defer_after=defer_after, autocomplete_timeout=autocomplete_timeout
    )
    client = build_client(settings(), handler, specs=specs)
    await client.login("fake-token")
    return client


def deliver(
    client: PacerClient, payload: dict[str, Any], event: str = "INTERACTION_CREATE"
) -> None:
    """Feed a gateway event (``INTERACTION_CREATE`` by default) through discord.py's parsers."""
    client._connection.parsers[event](payload)
