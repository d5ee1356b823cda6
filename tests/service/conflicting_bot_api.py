"""A fake Bot API that answers overlapping ``getUpdates`` like Telegram: 409 Conflict.

Telegram serves one long poll per bot token; a second ``getUpdates`` arriving
while one waits ends the waiting one with ``409 Conflict: terminated by other
getUpdates request``. Counting those tells whether two pollers ever overlapped.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import web

from tests.telegram.fake_bot_api import Call, FakeBotApi

CONFLICT = {
    "ok": False,
    "error_code": 409,
    "description": "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
}


class ConflictingBotApi(FakeBotApi):
    """:class:`FakeBotApi` whose long polls end each other with 409, as Telegram's do."""

    def __init__(self, token: str, *, max_poll_wait: float = 1.0) -> None:
        super().__init__(token, max_poll_wait=max_poll_wait)
        self.conflicts = 0
        self._polling: asyncio.Future[None] | None = None  # set when a newer poll ends it

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "getUpdates":
            return await super()._handle(request)
        if self._polling is not None and not self._polling.done():
            self._polling.set_result(None)  # the older poll is terminated
        ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._polling = ended
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.body_exists:
            params.update({k: str(v) for k, v in (await request.post()).items()})
        self.calls.append(Call("getUpdates", params))
        self.recorded()
        poll = asyncio.ensure_future(self._get_updates(params))
        either: set[asyncio.Future[Any]] = {poll, ended}
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if not poll.done():
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poll
            transport = request.transport
            if transport is not None and not transport.is_closing():
                # Heard by a live poller (one killed meanwhile hears nothing, as on Telegram).
                self.conflicts += 1
            return web.json_response(CONFLICT, status=409)
        if self._polling is ended:
            self._polling = None
        return web.json_response({"ok": True, "result": poll.result()})
