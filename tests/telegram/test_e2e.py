"""End to end: the real bot process (``python -m bot``) against the fake Bot API server.

A simulated runner sends ``/start`` and ``/log 5k 25:00`` through ``getUpdates``
and reads Pacer's answers from the recorded ``sendMessage`` calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.storage.database import Database
from tests.fakes import make_harness
from tests.telegram.fake_bot_api import Call, FakeBotApi
from tests.telegram.updates import RUNNER_ID, callback, payload

pytestmark = pytest.mark.slow  # wall-clock time: the bot in a subprocess, a fake Bot API server

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123:abc"
START_WAIT = 30.0  # process start-up: imports, migrations, getMe, setMyCommands
ANSWER_WAIT = 15.0
STOP_WAIT = 15.0


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API on 127.0.0.1."""
    async with FakeBotApi(TOKEN, max_poll_wait=1.0) as api:
        yield api


def _env(api: FakeBotApi, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env.update(
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_WEBHOOK_URL="",  # real values win over a developer's .env
        DISCORD_TOKEN="",
        PACER_CONSOLE="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


async def _stop(process: asyncio.subprocess.Process) -> int:
    """SIGINT, then kill if it does not exit in time; the exit code."""
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), STOP_WAIT)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError("bot did not stop within 15 s of SIGINT") from None
    return process.returncode if process.returncode is not None else -1


async def test_runner_starts_and_logs_a_run(bot_api: FakeBotApi, tmp_path: Path) -> None:
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=tmp_path,  # no stray .env; the package is found through PYTHONPATH
            env={**_env(bot_api, tmp_path), "PYTHONPATH": str(ROOT)},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log_file,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            await _conversation(bot_api)
        except BaseException:
            with contextlib.suppress(BaseException):
                await _stop(process)
            print(log_path.read_text(errors="replace")[-5000:])
            raise
        code = await _stop(process)

    logs = log_path.read_text(errors="replace")
    assert code == 0, logs[-3000:]
    assert TOKEN not in logs
    assert "abc/" not in logs  # not even the secret half of the token in a URL
    # What the process stored: one run and the snack check-in, for this Telegram runner.
    db = Database(f"sqlite:///{tmp_path / 'e2e.db'}")
    await db.open(migrate=False)  # the process migrated it
    harness = make_harness(db, FakeClock())
    try:
        chat = harness.chat(str(RUNNER_ID), "telegram")
        runs = await harness.runs(chat)
        habits = [c.habit for c in await harness.checkins(chat)]
    finally:
        await harness.db.close()
    assert [r.distance_m for r in runs] == [5000]
    assert len(habits) == 1 and "fuel" in habits[0]


def _to_runner(call: Call) -> bool:
    return call.method == "sendMessage" and call.chat_id == RUNNER_ID


async def _conversation(api: FakeBotApi) -> None:
    await api.wait_for(lambda c: c.method == "getUpdates", within=START_WAIT)
    menus = {c.params["scope"]["type"] for c in api.calls_to("setMyCommands")}
    assert menus == {"all_private_chats", "all_group_chats", "all_chat_administrators"}

    # /start: a welcome, then the time-zone question with the common zones as buttons.
    mark = len(api.calls)
    api.push_update(payload("private_command", text="/start"))
    welcome = await api.wait_for(_to_runner, within=ANSWER_WAIT, after=mark)
    assert "Pacer" in welcome.text
    asked = welcome
    if "reply_markup" not in welcome.params:  # the question may come as its own message
        asked = await api.wait_for(
            lambda c: _to_runner(c) and "reply_markup" in c.params,
            within=ANSWER_WAIT,
            after=api.calls.index(welcome) + 1,
        )
    assert "time zone" in asked.text
    zones = [
        b["callback_data"] for row in asked.params["reply_markup"]["inline_keyboard"] for b in row
    ]
    berlin = next(z for z in zones if "Europe/Berlin" in z)

    # Tap "Europe/Berlin": the callback is answered and the next question follows.
    mark = len(api.calls)
    api.push_update(callback(berlin))
    await api.wait_for(lambda c: c.method == "answerCallbackQuery", within=ANSWER_WAIT, after=mark)
    following = await api.wait_for(_to_runner, within=ANSWER_WAIT, after=mark)
    assert following.text

    # /log 5k 25:00: distance, time and pace in the answer.
    mark = len(api.calls)
    api.push_update(payload("private_command", text="/log 5k 25:00"))
    logged = await api.wait_for(
        lambda c: _to_runner(c) and "5.00 km" in c.text, within=ANSWER_WAIT, after=mark
    )
    assert "25:00" in logged.text
    assert "5:00 /km" in logged.text
    assert logged.params["parse_mode"] == "HTML"

    # Tap the run's snack button: the check-in is confirmed to the runner.
    snack = next(
        b["callback_data"]
        for row in logged.params["reply_markup"]["inline_keyboard"]
        for b in row
        if "snack" in b["text"].lower()
    )
    mark = len(api.calls)
    api.push_update(callback(snack, update_id=0))
    checked = await api.wait_for(
        lambda c: _to_runner(c) and "Checked in" in c.text, within=ANSWER_WAIT, after=mark
    )
    assert "post-run snack" in checked.text
