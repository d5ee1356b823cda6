"""Two Telegram processes on one PostgreSQL and one bot token: one polls, one stands by.

The fake Bot API ends overlapping long polls with 409 like Telegram. Every
``/start`` must be answered exactly once, with no conflict and no failed set-up;
killing the active poller hands polling to the standby within 10 s, from the
offset Telegram has not seen confirmed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.databases import empty_postgres, postgres_url
from tests.service.conflicting_bot_api import ConflictingBotApi
from tests.service.processes import kill, pacer_env, read_log, start_pacer, stop, wait_for_line
from tests.telegram.fake_bot_api import Call
from tests.telegram.updates import payload

pytestmark = pytest.mark.slow  # wall-clock time: Pacer processes, fake servers on 127.0.0.1

TOKEN = "424242:secret"
FIRST_CHAT = 610_000
WELCOME = "I'm Pacer"
ACTIVE = "Telegram: receiving updates"


def _start_update(chat: int) -> dict[str, Any]:
    update = payload("private_command", text="/start")
    message = update["message"]
    message["chat"]["id"] = chat
    message["from"]["id"] = chat
    return update


def _welcomes(api: ConflictingBotApi) -> Counter[int]:
    return Counter(
        c.chat_id for c in api.calls_to("sendMessage") if WELCOME in str(c.params.get("text"))
    )


async def _until_welcomed(api: ConflictingBotApi, chats: range, within: float) -> None:
    def done(call: Call) -> bool:
        return call is api.calls[-1] and set(chats) <= set(_welcomes(api))

    if not set(chats) <= set(_welcomes(api)):
        try:
            await api.wait_for(done, within=within)
        except TimeoutError:
            missing = len(set(chats) - set(_welcomes(api)))
            raise AssertionError(f"{missing} of {len(chats)} /start not answered") from None


async def test_two_telegram_processes_answer_every_start_once_without_a_conflict(
    tmp_path: Path,
) -> None:
    url = await postgres_url()
    await (await empty_postgres(url)).close()
    api = ConflictingBotApi(TOKEN, max_poll_wait=1.0)
    async with api:
        logs = [tmp_path / "tg-1.log", tmp_path / "tg-2.log"]
        processes = []
        for n, log in enumerate(logs, 1):
            env = pacer_env(
                TELEGRAM_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=api.base_url,
                DATABASE_URL=url,
                PACER_ROLES="telegram",
                PACER_PROCESS_NAME=f"tg-{n}",
            )
            processes.append(await start_pacer(env, log))
        try:
            await asyncio.gather(*(wait_for_line(log, "Telegram bot @", 60) for log in logs))
            first_wave = range(FIRST_CHAT, FIRST_CHAT + 150)
            for chat in first_wave:
                api.push_update(_start_update(chat))
            await _until_welcomed(api, first_wave, 60)

            # The active poller dies; the standby takes over and answers the next wave.
            active = next(i for i, log in enumerate(logs) if ACTIVE in read_log(log))
            standby = 1 - active
            await kill(processes[active])
            killed_at = asyncio.get_running_loop().time()
            await wait_for_line(logs[standby], ACTIVE, 10)
            took_over = asyncio.get_running_loop().time() - killed_at
            second_wave = range(FIRST_CHAT + 150, FIRST_CHAT + 200)
            for chat in second_wave:
                api.push_update(_start_update(chat))
            await _until_welcomed(api, second_wave, 30)
            assert await stop(processes[standby]) == 0
        finally:
            for process in processes:
                await kill(process)
    welcomes = _welcomes(api)
    assert {c: n for c, n in welcomes.items() if n != 1} == {}
    assert len(welcomes) == 200
    assert api.conflicts == 0
    assert took_over < 10
    for log in logs:
        text = read_log(log)
        assert "Sorry" not in text and "UniqueViolation" not in text and "Traceback" not in text
    assert not any("Sorry" in str(c.params.get("text")) for c in api.calls_to("sendMessage"))
