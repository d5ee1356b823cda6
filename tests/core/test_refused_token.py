"""A refused token at start-up: one line naming the platform, a non-zero exit, no traceback."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.console.process import ROOT
from tests.telegram.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.slow  # wall-clock time: the bot in a subprocess

WAIT = 60.0  # an upper bound for a process that should exit at once


async def run_pacer(tmp_path: Path, **env: str) -> tuple[int, str, str]:
    """``python -m bot`` with only the given platform settings; (exit code, stdout, stderr)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DISCORD_", "PACER_", "DATABASE_URL", "LOG_LEVEL"))
    }
    clean.update(PACER_CONSOLE="0", PACER_SWEEP_SECONDS="3600", **env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--db",
        f"sqlite:///{tmp_path / 'pacer.db'}",
        cwd=ROOT,
        env=clean,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), WAIT)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_a_refused_telegram_token_ends_in_one_line(tmp_path: Path) -> None:
    refused = "987654:AAH-refused-secret-part"
    async with FakeBotApi("111111:the-right-token") as api:  # any other token: 401
        code, out, err = await run_pacer(
            tmp_path,
            TELEGRAM_TOKEN=refused,
            TELEGRAM_API_BASE_URL=api.base_url,
            LOG_LEVEL="WARNING",  # INFO lines (migrations...) aside, only what went wrong
        )
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [
        "pacer: Telegram refused the bot token (TELEGRAM_TOKEN); check the token and start again."
    ], err
    assert "Traceback" not in err + out and refused not in err + out


@pytest.fixture
async def refusing_discord() -> AsyncIterator[str]:
    """A Discord REST API on 127.0.0.1 that refuses every token, as discord.com does."""

    async def refuse(request: web.Request) -> web.Response:
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", refuse)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.base_events.Server)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/api/v10"
    finally:
        await runner.cleanup()


async def test_a_refused_discord_token_ends_in_one_line(
    tmp_path: Path, refusing_discord: str
) -> None:
    code, out, err = await run_pacer(
        tmp_path,
        DISCORD_TOKEN="not.a-real.token",
        DISCORD_API_BASE=refusing_discord,
        LOG_LEVEL="WARNING",
    )
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [
        "pacer: Discord refused the bot token (DISCORD_TOKEN); check the token and start again."
    ], err
    assert "Traceback" not in err + out


async def test_a_refused_token_stops_the_other_platforms_too(
    tmp_path: Path, refusing_discord: str
) -> None:
    async with FakeBotApi("111111:the-right-token") as api:
        code, _, err = await run_pacer(
            tmp_path,
            TELEGRAM_TOKEN="111111:the-right-token",
            TELEGRAM_API_BASE_URL=api.base_url,
            DISCORD_TOKEN="not.a-real.token",
            DISCORD_API_BASE=refusing_discord,
        )
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1].startswith("pacer: Discord refused the bot token"), err
    assert "Traceback" not in err and " ERROR " not in err
