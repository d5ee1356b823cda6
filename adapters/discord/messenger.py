"""Direct messages for nudges: one attempt per call, errors typed for the core's queue.

discord.py's HTTP client sleeps and retries on its own (429s up to
``max_ratelimit_timeout``, 5xx up to five times). Nudges go through the core's
outbound queue, which decides about pacing and retries, so this messenger
talks to the two REST endpoints it needs with its own session and makes
exactly one request per step, each inside the send budget's place the queue
hands over (a first DM costs a channel-open request too). Payloads are still built by discord.py
(``handle_message_parameters``), and URLs by ``discord.http.Route`` so
``DISCORD_API_BASE`` applies here too.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from typing import Any

import aiohttp
import discord
from discord.http import Route, handle_message_parameters

from adapters.discord.render import NO_MENTIONS, build_files, build_view, content_parts
from bot.budget import Place
from bot.messages import Reply
from bot.ports import DeliveryError, RateLimited, TransientDeliveryError, Unreachable

log = logging.getLogger(__name__)

# Discord error codes that mean "this person cannot be messaged".
CANNOT_MESSAGE_USER = 50007
UNKNOWN_USER = 10013
UNKNOWN_CHANNEL = 10003
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
MAX_NONCE = 25
USER_AGENT = f"DiscordBot (https://github.com/Rapptz/discord.py {discord.__version__}) Pacer"


def nonce_for(dedupe_key: str, part: int = 0) -> str:
    """A message nonce (<= 25 chars) that is the same on every retry of the same message."""
    digest = hashlib.sha256(f"{dedupe_key}\x00{part}".encode()).hexdigest()
    return digest[:MAX_NONCE]


class _HttpError(Exception):
    def __init__(self, status: int, data: Any, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.code = data.get("code", 0) if isinstance(data, dict) else 0
        self.data = data
        self.retry_after = retry_after


class DiscordMessenger:
    """``bot.ports.Messenger`` for Discord: a DM or a channel post per call (DM channels cached)."""

    platform = "discord"

    def __init__(
        self, token: str, *, timeout: float = 15.0, channel_cache_size: int = 100_000
    ) -> None:
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._channels: OrderedDict[str, str] = OrderedDict()
        self._cache_size = channel_cache_size
        self._closed = False

    def __repr__(self) -> str:  # never show the token
        return f"<DiscordMessenger cached_channels={len(self._channels)}>"

    async def close(self) -> None:
        """Close the HTTP session; later sends fail as transient (the app is stopping)."""
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    def forget_account(self, platform_user_id: str) -> None:
        """Drop the cached DM channel of a runner who used /forget."""
        self._channels.pop(platform_user_id, None)

    async def send_direct(
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Deliver ``reply`` to the user's DM in one attempt; failures raise typed errors."""
        if self._closed:
            raise TransientDeliveryError("discord messenger is closed")
        try:
            channel_id = await self._dm_channel(platform_user_id, place)
            await self._send(channel_id, reply, dedupe_key, place)
        except _HttpError as exc:
            raise self._translate(platform_user_id, exc) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise TransientDeliveryError(f"network error: {type(exc).__name__}") from exc

    async def send_group(
        self,
        chat_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Post ``reply`` in a server channel in one attempt; failures raise typed errors."""
        if self._closed:
            raise TransientDeliveryError("discord messenger is closed")
        try:
            await self._send(chat_id, reply, dedupe_key, place)
        except _HttpError as exc:
            raise self._translate_channel(exc) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise TransientDeliveryError(f"network error: {type(exc).__name__}") from exc

    def _translate_channel(self, exc: _HttpError) -> DeliveryError:
        if exc.status == 429:
            return RateLimited(exc.retry_after if exc.retry_after is not None else 1.0)
        if exc.status == 403 or exc.code in (UNKNOWN_CHANNEL, MISSING_ACCESS, MISSING_PERMISSIONS):
            return Unreachable(f"discord refused the channel post (code {exc.code})")
        if exc.status >= 500:
            return TransientDeliveryError(f"discord server error {exc.status}")
        return DeliveryError(f"discord refused the message: HTTP {exc.status} code {exc.code}")

    def _translate(self, user_id: str, exc: _HttpError) -> DeliveryError:
        if exc.status == 429:
            return RateLimited(exc.retry_after if exc.retry_after is not None else 1.0)
        if exc.status == 403 or exc.code in (CANNOT_MESSAGE_USER, UNKNOWN_USER):
            return Unreachable(f"discord refused the DM (code {exc.code})")
        if exc.code == UNKNOWN_CHANNEL:
            self._channels.pop(user_id, None)  # reopen the DM on the next attempt
            return TransientDeliveryError("unknown DM channel")
        if exc.status >= 500:
            return TransientDeliveryError(f"discord server error {exc.status}")
        return DeliveryError(f"discord refused the message: HTTP {exc.status} code {exc.code}")

    async def _dm_channel(self, user_id: str, place: Place | None) -> str:
        cached = self._channels.get(user_id)
        if cached is not None:
            self._channels.move_to_end(user_id)
            return cached
        data = await self._request(
            Route("POST", "/users/@me/channels"), place, json={"recipient_id": user_id}
        )
        channel_id = str(data["id"])
        self._channels[user_id] = channel_id
        if len(self._channels) > self._cache_size:
            self._channels.popitem(last=False)
        return channel_id

    async def _send(
        self, channel_id: str, reply: Reply, dedupe_key: str | None, place: Place | None
    ) -> None:
        parts = content_parts(reply.text)
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            view = build_view(reply) if last else None
            files = build_files(reply) if last else []
            params = handle_message_parameters(
                part,
                nonce=nonce_for(dedupe_key, index) if dedupe_key is not None else None,
                allowed_mentions=NO_MENTIONS,
                view=view if view is not None else discord.utils.MISSING,
                files=files if files else discord.utils.MISSING,
            )
            with params:
                if params.files:
                    await self._request(route, place, form=params.multipart)
                else:
                    await self._request(route, place, json=params.payload)

    async def _request(
        self,
        route: Route,
        place: Place | None,
        *,
        json: Any = None,
        form: list[dict[str, Any]] | None = None,
    ) -> Any:
        """One REST request, inside ``place`` when the queue handed one over."""
        if place is None:
            return await self._http(route, json=json, form=form)
        async with place.request():
            return await self._http(route, json=json, form=form)

    async def _http(
        self,
        route: Route,
        *,
        json: Any = None,
        form: list[dict[str, Any]] | None = None,
    ) -> Any:
        session = self._session
        if session is None or session.closed:
            session = self._session = aiohttp.ClientSession(timeout=self._timeout)
        headers = {"Authorization": f"Bot {self._token}", "User-Agent": USER_AGENT}
        data: aiohttp.FormData | None = None
        if form is not None:
            data = aiohttp.FormData(quote_fields=False)
            for field in form:
                data.add_field(**field)
        async with asyncio.timeout(self._timeout.total):
            async with session.request(
                route.method, route.url, json=json, data=data, headers=headers
            ) as response:
                body: Any = await _json_or_text(response)
                if 200 <= response.status < 300:
                    return body
                raise _HttpError(response.status, body, _retry_after(response, body))


async def _json_or_text(response: aiohttp.ClientResponse) -> Any:
    try:
        return await response.json(content_type=None)
    except ValueError:
        return await response.text()


def _retry_after(response: aiohttp.ClientResponse, body: Any) -> float | None:
    if isinstance(body, dict) and "retry_after" in body:
        return float(body["retry_after"])
    header = response.headers.get("Retry-After")
    return float(header) if header else None
