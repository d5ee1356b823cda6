"""A small fake Telegram Bot API for tests: an answering core and an aiohttp server.

``BotApiResponder`` answers Bot API methods like Telegram does and records
every call; ``FakeBotApi`` serves it over HTTP on 127.0.0.1 with a working
``getUpdates`` long poll, so a real PTB application (or the whole bot process,
via ``TELEGRAM_API_BASE_URL``) can talk to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 123456
BOT_USERNAME = "PacerTestBot"
BOT_USER: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Pacer",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_ADMIN_RIGHTS = dict.fromkeys(
    (
        "can_be_edited",
        "is_anonymous",
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
    ),
    False,
)
# Methods that return the message they sent.
_SENDS = {"sendMessage", "sendPhoto", "sendDocument"}


@dataclass
class Call:
    """One Bot API call the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)  # part name -> file name

    @property
    def chat_id(self) -> int:
        """The target chat as an int."""
        return int(self.params["chat_id"])

    @property
    def text(self) -> str:
        """The message text (empty for files)."""
        return str(self.params.get("text", ""))


class BotApiResponder:
    """Answers Bot API methods with Telegram-shaped JSON and records the calls.

    ``fail(method, status, description, retry_after=...)`` makes the next call
    of ``method`` fail; ``timeout(method)`` makes it time out.
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.member_status: dict[tuple[int, int], str] = {}
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and its download
        self.downloads: list[str] = []  # file ids downloaded, in order
        self._failures: dict[str, list[tuple[int, dict[str, Any]] | None]] = {}
        self._message_ids = itertools.count(1001)

    def fail(
        self, method: str, status: int, description: str, *, retry_after: int | None = None
    ) -> None:
        """Answer the next ``method`` call with an error."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self._failures.setdefault(method, []).append((status, body))

    def timeout(self, method: str) -> None:
        """Make the next ``method`` call time out."""
        self._failures.setdefault(method, []).append(None)

    def calls_to(self, *methods: str) -> list[Call]:
        """Recorded calls of the given methods, in order."""
        return [c for c in self.calls if c.method in methods]

    @property
    def api_calls(self) -> list[str]:
        """Method names in call order, without ``getMe`` and ``getUpdates``."""
        return [c.method for c in self.calls if c.method not in ("getMe", "getUpdates")]

    def answer(
        self, method: str, params: dict[str, Any], files: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]] | None:
        """Record the call; the HTTP status and JSON body, or None for "time out"."""
        self.calls.append(Call(method, params, files or {}))
        self.recorded()
        queued = self._failures.get(method)
        if queued:
            return queued.pop(0)
        return 200, {"ok": True, "result": self.result(method, params)}

    def recorded(self) -> None:
        """Hook: a call was just recorded."""

    def result(self, method: str, params: dict[str, Any]) -> Any:
        """The ``result`` of a successful call."""
        if method == "getMe":
            return BOT_USER
        if method in _SENDS:
            return self._message(method, params)
        if method == "getChatMember":
            return self._member(int(params["chat_id"]), int(params["user_id"]))
        if method == "getFile":
            file_id = str(params["file_id"])
            return {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}",
            }
        return True

    def download(self, file_path: str) -> bytes | None:
        """The content behind a ``getFile`` path (``documents/<file_id>``), if one was sent."""
        file_id = file_path.removeprefix("documents/")
        self.downloads.append(file_id)
        return self.files.get(file_id)

    def _message(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": 1764158400,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT_USER,
        }
        if method == "sendMessage":
            message["text"] = params.get("text", "")
        elif method == "sendPhoto":
            message["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 9, "height": 9}]
        else:
            message["document"] = {"file_id": "d1", "file_unique_id": "u2"}
        return message

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        status = self.member_status.get((chat_id, user_id), "member")
        member: dict[str, Any] = {
            "status": status,
            "user": {"id": user_id, "is_bot": False, "first_name": "Member"},
        }
        if status == "administrator":
            member.update(_ADMIN_RIGHTS)
        if status == "creator":
            member["is_anonymous"] = False
        return member


def _decode(value: str) -> Any:
    """Form values arrive JSON-encoded when they are objects or lists."""
    if value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


class FakeBotApi(BotApiResponder):
    """The Bot API over HTTP on 127.0.0.1, with queued updates served by ``getUpdates``."""

    def __init__(self, token: str, *, max_poll_wait: float = 1.0) -> None:
        super().__init__()
        self.token = token
        self.max_poll_wait = max_poll_wait
        self.port = 0
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(700001)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """What to put in ``TELEGRAM_API_BASE_URL``."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=2.0, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.base_events.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for ``getUpdates`` (its ``update_id`` is assigned here)."""
        update = {**update, "update_id": next(self._update_ids)}
        self._updates.append(update)
        self._notify()
        return int(update["update_id"])

    def recorded(self) -> None:
        """Wake up anyone waiting for calls."""
        self._notify()

    def _notify(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        with contextlib.suppress(RuntimeError):  # no running loop: nobody can be waiting
            asyncio.get_running_loop().create_task(notify())

    async def wait_for(
        self, predicate: Callable[[Call], bool], *, within: float, after: int = 0
    ) -> Call:
        """The first call from index ``after`` on that matches, waiting up to ``within`` s."""

        async def find() -> Call:
            async with self._changed:
                while True:
                    for call in self.calls[after:]:
                        if predicate(call):
                            return call
                    await self._changed.wait()

        return await asyncio.wait_for(find(), within)

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        method = request.match_info["method"]
        params: dict[str, Any] = {k: _decode(v) for k, v in request.query.items()}
        files: dict[str, str] = {}
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.body_exists:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[key] = value.filename
                else:
                    params[key] = _decode(str(value))
        if method == "getUpdates":
            self.calls.append(Call(method, params))
            self.recorded()
            queued = self._failures.get(method)
            if not queued:
                return web.json_response({"ok": True, "result": await self._get_updates(params)})
            answer = queued.pop(0)  # fail("getUpdates", 409, ...): another poller, say
        else:
            answer = self.answer(method, params, files)
        if answer is None:  # over HTTP, a timeout looks like a gateway giving up
            answer = 504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}
        status, body = answer
        return web.json_response(body, status=status)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        wait = min(float(params.get("timeout", 0) or 0), self.max_poll_wait)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and wait > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait), self._changed:
                    await self._changed.wait_for(lambda: bool(self._updates))
        return list(self._updates)
