"""Fakes for the Telegram adapter tests: a recording Bot API transport in process."""

from __future__ import annotations

import json
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from tests.fakes import FakeCore  # re-exported: older tests import it from here
from tests.telegram.fake_bot_api import BOT_ID, BOT_USERNAME, BotApiResponder, Call

__all__ = ["BOT_ID", "BOT_USERNAME", "TOKEN", "Call", "FakeCore", "RecordingRequest"]

TOKEN = "123456:TEST-secret-token"


class RecordingRequest(BotApiResponder, BaseRequest):
    """A PTB ``BaseRequest`` that answers like the Bot API, in process, and records calls."""

    @property
    def read_timeout(self) -> float | None:
        """Not used: nothing goes over a network."""
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Record the call and answer it (a file's download answers with its bytes)."""
        if "/file/bot" in url:
            content = self.download(url.split("/file/bot", 1)[1].split("/", 1)[1])
            return (200, content) if content is not None else (404, b"Not Found")
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, str] = {}
        if request_data is not None and request_data.contains_files:
            files = {part: str(value[0]) for part, value in request_data.multipart_data.items()}
        answer = self.answer(url.rsplit("/", 1)[-1], params, files)
        if answer is None:
            raise TimedOut("fake timeout")
        status, body = answer
        return status, json.dumps(body).encode()
