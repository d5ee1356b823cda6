"""Telegram webhook mode with two processes on one PostgreSQL: one receives, one stands by.

Without ``TELEGRAM_WEBHOOK_SECRET`` a process is refused at start (each would
invent its own secret and the others would answer Telegram 403). With it, only
the active process calls ``setWebhook`` and serves the webhook, and only its
``/readyz`` answers 200: the test routes Telegram's posts like a load balancer
that asks ``/readyz``, so every update is handled once. Killing the active
process hands the webhook to the standby within 10 s.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import WEBHOOK_NEEDS_SECRET
from tests.databases import empty_postgres, postgres_url
from tests.service.processes import (
    free_port,
    kill,
    pacer_env,
    read_log,
    start_pacer,
    stop,
    wait_for_line,
)
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.updates import payload

pytestmark = pytest.mark.slow  # wall-clock time: Pacer processes, fake servers on 127.0.0.1

TOKEN = "434343:webhook"
HOOK_URL = "https://pacer.example/tg/hook"
SECRET = "shared-webhook-secret"
WELCOME = "I'm Pacer"
ACTIVE = "Telegram: receiving updates"
FIRST_CHAT = 620_000
_HTTP = aiohttp.ClientTimeout(total=10)


def _start_update(chat: int, update_id: int) -> dict[str, Any]:
    update = payload("private_command", text="/start")
    update["update_id"] = update_id
    update["message"]["chat"]["id"] = chat
    update["message"]["from"]["id"] = chat
    return update


async def _ready(http: aiohttp.ClientSession, port: int) -> tuple[int, str]:
    try:
        async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
            return response.status, await response.text()
    except aiohttp.ClientConnectionError:
        return 0, "not listening"


async def _route(
    http: aiohttp.ClientSession, ops: dict[str, int], hooks: dict[str, int], update: dict[str, Any]
) -> str:
    """Post ``update`` as a load balancer would: to the one process whose /readyz says 200."""
    ready = [name for name, port in ops.items() if (await _ready(http, port))[0] == 200]
    assert len(ready) == 1, ready
    url = f"http://127.0.0.1:{hooks[ready[0]]}/tg/hook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with http.post(url, json=update, headers=headers) as response:
        assert response.status == 200
    return ready[0]


def _welcomes(api: FakeBotApi) -> Counter[int]:
    return Counter(
        c.chat_id for c in api.calls_to("sendMessage") if WELCOME in str(c.params.get("text"))
    )


async def _until(api: FakeBotApi, chats: range, within: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not set(chats) <= set(_welcomes(api)):
        missing = len(set(chats) - set(_welcomes(api)))
        assert loop.time() < deadline, f"{missing} of {len(chats)} /start not answered"
        await asyncio.sleep(0.2)


async def test_webhook_mode_on_postgresql_without_a_secret_is_refused(tmp_path: Path) -> None:
    url = await postgres_url()
    await (await empty_postgres(url)).close()
    async with FakeBotApi(TOKEN) as api:
        env = pacer_env(
            TELEGRAM_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_WEBHOOK_URL=HOOK_URL,
            TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
            TELEGRAM_WEBHOOK_PORT=str(free_port()),
            DATABASE_URL=url,
        )
        log = tmp_path / "refused.log"
        process = await start_pacer(env, log)
        try:
            assert await asyncio.wait_for(process.wait(), 60) == 2
        finally:
            await kill(process)
        lines = read_log(log).strip().splitlines()
        assert [line for line in lines if "TELEGRAM_WEBHOOK_SECRET" in line] == [
            f"pacer: {WEBHOOK_NEEDS_SECRET}"
        ]
        assert not any("Traceback" in line for line in lines)
        assert api.calls == []  # refused before anything reached Telegram


async def test_two_webhook_processes_one_receives_and_the_standby_takes_over(
    tmp_path: Path,
) -> None:
    url = await postgres_url()
    await (await empty_postgres(url)).close()
    names = ["tg-1", "tg-2"]
    ops = {name: free_port() for name in names}
    hooks = {name: free_port() for name in names}
    logs = {name: tmp_path / f"{name}.log" for name in names}
    async with FakeBotApi(TOKEN) as api, aiohttp.ClientSession(timeout=_HTTP) as http:
        processes = {}
        for name in names:
            env = pacer_env(
                TELEGRAM_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=api.base_url,
                TELEGRAM_WEBHOOK_URL=HOOK_URL,
                TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
                TELEGRAM_WEBHOOK_PORT=str(hooks[name]),
                TELEGRAM_WEBHOOK_SECRET=SECRET,
                DATABASE_URL=url,
                PACER_ROLES="telegram,http",
                PACER_PROCESS_NAME=name,
                PACER_HTTP_PORT=str(ops[name]),
                PACER_HTTP_LISTEN="127.0.0.1",
            )
            processes[name] = await start_pacer(env, logs[name])
        try:
            await asyncio.gather(*(wait_for_line(logs[n], "Telegram bot @", 60) for n in names))
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 20
            while not any(ACTIVE in read_log(logs[n]) for n in names):
                assert loop.time() < deadline, "nobody took the webhook"
                await asyncio.sleep(0.2)
            active = next(n for n in names if ACTIVE in read_log(logs[n]))
            standby = next(n for n in names if n != active)
            await asyncio.sleep(2.5)  # a round of the election: the standby stays standing by

            # setWebhook by the active process only, with the shared secret.
            [hook] = api.calls_to("setWebhook")
            assert hook.params["url"] == HOOK_URL
            assert hook.params["secret_token"] == SECRET
            assert await _ready(http, ops[active]) == (200, "ready\n")
            assert await _ready(http, ops[standby]) == (
                503,
                "standing by for telegram: another process receives its webhook\n",
            )
            assert ACTIVE not in read_log(logs[standby])

            first = range(FIRST_CHAT, FIRST_CHAT + 20)
            for n, chat in enumerate(first):
                assert await _route(http, ops, hooks, _start_update(chat, 900_000 + n)) == active
            await _until(api, first, 30)

            # The active process dies: the standby sets the webhook and becomes ready.
            await kill(processes[active])
            killed_at = loop.time()
            while len(api.calls_to("setWebhook")) < 2:
                assert loop.time() - killed_at < 10, "no takeover within 10 s"
                await asyncio.sleep(0.1)
            while (await _ready(http, ops[standby]))[0] != 200:
                assert loop.time() - killed_at < 10, "the standby not ready within 10 s"
                await asyncio.sleep(0.1)
            second = range(FIRST_CHAT + 20, FIRST_CHAT + 30)
            for n, chat in enumerate(second):
                assert await _route(http, ops, hooks, _start_update(chat, 900_100 + n)) == standby
            await _until(api, second, 30)
            await asyncio.sleep(1.0)  # a second answer to anyone would show up by now
            assert await stop(processes[standby]) == 0, read_log(logs[standby])[-3000:]
        finally:
            for process in processes.values():
                await kill(process)
    welcomes = _welcomes(api)
    assert {c: n for c, n in welcomes.items() if n != 1} == {}
    assert set(welcomes) == set(first) | set(second)
    assert [c.params["secret_token"] for c in api.calls_to("setWebhook")] == [SECRET, SECRET]
    assert api.calls_to("getUpdates") == []  # webhook mode: nobody polls
    for name in names:
        text = read_log(logs[name])
        assert "Sorry" not in text and "Traceback" not in text, text[-3000:]
