"""A Telegram process cut off from PostgreSQL stops receiving; the standby takes over cleanly.

The active poller reaches the database through a proxy that is then frozen: a
partition, where no answer comes and no socket closes. Its election check gives
up after a few seconds and it stops polling (before, the check waited for TCP to
give up, minutes, and the process went on fetching updates it could not handle:
they were confirmed to Telegram and lost). Once PostgreSQL ends the cut-off
sessions, the standby takes over: every ``/start`` answered once, no 409.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.databases import empty_postgres, postgres_url
from tests.service.conflicting_bot_api import ConflictingBotApi
from tests.service.partition import Partition
from tests.service.processes import kill, pacer_env, read_log, start_pacer, stop, wait_for_line
from tests.telegram.updates import payload

pytestmark = pytest.mark.slow  # wall-clock time: Pacer processes, fake servers on 127.0.0.1

TOKEN = "454545:partition"
FIRST_CHAT = 630_000
WELCOME = "I'm Pacer"
ACTIVE = "Telegram: receiving updates"
LOST = "lost the telegram role"


def _start_update(chat: int) -> dict[str, Any]:
    update = payload("private_command", text="/start")
    update["message"]["chat"]["id"] = chat
    update["message"]["from"]["id"] = chat
    return update


def _welcomes(api: ConflictingBotApi) -> Counter[int]:
    return Counter(
        c.chat_id for c in api.calls_to("sendMessage") if WELCOME in str(c.params.get("text"))
    )


async def _until_welcomed(api: ConflictingBotApi, chats: range, within: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not set(chats) <= set(_welcomes(api)):
        missing = len(set(chats) - set(_welcomes(api)))
        assert loop.time() < deadline, f"{missing} of {len(chats)} /start not answered"
        await asyncio.sleep(0.2)


async def test_a_poller_cut_off_from_the_database_stops_and_the_standby_takes_over(
    tmp_path: Path,
) -> None:
    url = await postgres_url()
    await (await empty_postgres(url)).close()
    api = ConflictingBotApi(TOKEN, max_poll_wait=1.0)
    logs = {name: tmp_path / f"{name}.log" for name in ("tg-1", "tg-2")}
    async with api, Partition(url) as partition:
        common = {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url}
        cut = await start_pacer(
            pacer_env(
                **common,
                DATABASE_URL=partition.url,
                PACER_ROLES="telegram",
                PACER_PROCESS_NAME="tg-1",
            ),
            logs["tg-1"],
        )
        standby = None
        try:
            await wait_for_line(logs["tg-1"], ACTIVE, 60)  # alone: it polls
            standby = await start_pacer(
                pacer_env(
                    **common, DATABASE_URL=url, PACER_ROLES="telegram", PACER_PROCESS_NAME="tg-2"
                ),
                logs["tg-2"],
            )
            await wait_for_line(logs["tg-2"], "Telegram bot @", 60)
            first = range(FIRST_CHAT, FIRST_CHAT + 10)
            for chat in first:
                api.push_update(_start_update(chat))
            await _until_welcomed(api, first, 30)

            partition.freeze()
            # Its next election round gets no answer: it stands by (2 s rounds, 10 s bound).
            await wait_for_line(logs["tg-1"], LOST, 20)
            await asyncio.sleep(3.0)  # its poller stops (at most 8 s; usually at once)
            polls = len(api.calls_to("getUpdates"))
            await asyncio.sleep(2.0)
            assert len(api.calls_to("getUpdates")) == polls  # nobody polls meanwhile

            partition.end_sessions()  # PostgreSQL notices: the sessions and the lock go
            await wait_for_line(logs["tg-2"], ACTIVE, 10)
            second = range(FIRST_CHAT + 10, FIRST_CHAT + 40)
            for chat in second:
                api.push_update(_start_update(chat))
            await _until_welcomed(api, second, 30)
            await asyncio.sleep(1.0)  # a second answer to anyone would show up by now
            assert await stop(standby) == 0, read_log(logs["tg-2"])[-3000:]
        finally:
            await kill(cut)  # its database is unreachable: no clean stop to wait for
            if standby is not None:
                await kill(standby)
    welcomes = _welcomes(api)
    assert {c: n for c, n in welcomes.items() if n != 1} == {}
    assert set(welcomes) == set(first) | set(second)
    assert api.conflicts == 0
    assert "no answer within 10 s" in read_log(logs["tg-1"])
    assert "Traceback" not in read_log(logs["tg-2"])
