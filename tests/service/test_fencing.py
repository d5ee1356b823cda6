"""The fence: a sender paused past its lease and cut off sends nothing that was taken back.

Two Telegram processes and a scheduler drain a burst. The active sender is
stopped with SIGSTOP while it holds queued claims, and its database session is
ended (as a network partition would): the standby takes over, the scheduler
takes the lapsed claims back, and the standby claims them and starts sending.
The fake Bot API now answers each message a second late, so the standby's rows
stay ``claimed`` or ``sending`` for a while. The paused process is let go on
(SIGCONT) just after the standby's first sends, with the same rows still in
its queue: it walks them in the same order. Matching on the status alone it
would find them claimed or sending and send them again (the receiver would see
duplicates); the fence (the claim's owner and epoch, and a lease that must
still run) keeps every one of them from going out a second time.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.telegram.receiving import lock_name
from tests.databases import empty_postgres, postgres_url
from tests.service.drain import ACTIVE, TOKEN, TimedBotApi, _delivery_ids, seed, states
from tests.service.processes import cut_off, kill, pacer_env, read_log, start_pacer, stop

pytestmark = pytest.mark.slow  # wall-clock time: Pacer processes, fake servers on 127.0.0.1

NUDGES = 300


async def _until(check: Callable[[], bool], within: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        assert loop.time() < deadline, f"{what} within {within} s"
        await asyncio.sleep(0.2)


async def test_a_paused_sender_never_sends_what_was_taken_back(tmp_path: Path) -> None:
    url = await postgres_url()
    await (await empty_postgres(url)).close()
    await seed(url, NUDGES, timedelta(seconds=2))
    api = TimedBotApi(TOKEN)
    async with api:
        common = {
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DATABASE_URL": url,
            "PACER_SWEEP_SECONDS": "1",
            "PACER_LEASE_SECONDS": "3",
        }
        names = ["telegram-1", "telegram-2", "scheduler-1"]
        logs = {n: tmp_path / f"{n}.log" for n in names}
        processes = {
            n: await start_pacer(
                pacer_env(**common, PACER_ROLES=n.split("-")[0], PACER_PROCESS_NAME=n), logs[n]
            )
            for n in names
        }
        try:
            await _until(lambda: len(set(_delivery_ids(api))) >= 60, 60, "60 nudges sent")
            active = next(n for n in ("telegram-1", "telegram-2") if ACTIVE in read_log(logs[n]))
            standby = "telegram-2" if active == "telegram-1" else "telegram-1"
            paused = processes[active]
            paused.send_signal(signal.SIGSTOP)
            open_before = await states(url)
            assert open_before.get("claimed", 0) > 0  # it holds queued claims
            assert await cut_off(url, lock_name(TOKEN)) == 1
            # From now on each message stays on the wire a second before its answer.
            api.answer_delay = 1.0
            await asyncio.sleep(0.5)  # what the paused process had on the wire has arrived
            sent_at_pause = len(set(_delivery_ids(api)))
            # The standby took the rows back and is sending them, slowly: most of what the
            # paused process still holds is claimed or on the wire under the standby's claim.
            await _until(
                lambda: len(set(_delivery_ids(api))) >= sent_at_pause + 10,
                60,
                "the standby to start sending what was taken back",
            )
            assert len(set(_delivery_ids(api))) < NUDGES - 100  # plenty left to collide on
            paused.send_signal(signal.SIGCONT)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 120
            while True:
                counts = await states(url)
                if not any(counts.get(s, 0) for s in ("due", "claimed", "sending")):
                    break
                assert loop.time() < deadline, counts
                await asyncio.sleep(0.5)
            await asyncio.sleep(2.0)  # anything the woken process would still send
            for name in (active, standby):
                assert await stop(processes[name]) == 0, read_log(logs[name])[-3000:]
        finally:
            for process in processes.values():
                if process.returncode is None:
                    process.send_signal(signal.SIGCONT)
                await kill(process)
    received = Counter(_delivery_ids(api))
    assert {d: n for d, n in received.items() if n > 1} == {}
    final = await states(url)
    assert final.get("sent", 0) + final.get("failed", 0) == NUDGES
    assert len(received) >= final.get("sent", 0)
    assert "lost the telegram role" in read_log(logs[active])  # it woke up standing by
