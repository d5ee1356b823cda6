"""End to end: the real ``python -m bot`` process against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.storage.database import Database
from tests.discord import payloads
from tests.discord.fake_discord import APPLICATION_ID, FakeDiscord, Recorded
from tests.fakes import make_harness

pytestmark = pytest.mark.slow  # wall-clock time: the bot in a subprocess against a fake Discord

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
ANSWER_TIMEOUT = 15.0
STOP_TIMEOUT = 15.0
TOKEN = "fake-e2e-token"


def bot_env(fake: FakeDiscord, tmp_path: Path) -> dict[str, str]:
    """The environment of a Discord-only Pacer pointed at ``fake``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TELEGRAM_"))}
    env.update(
        DISCORD_TOKEN=TOKEN,
        DISCORD_APPLICATION_ID=APPLICATION_ID,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        PACER_CONSOLE="0",
        DATABASE_URL=f"sqlite:///{tmp_path}/e2e.db",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


async def stop(process: asyncio.subprocess.Process) -> int:
    """SIGINT, then kill if it does not exit in time; returns the exit code."""
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode


@asynccontextmanager
async def running_bot(fake: FakeDiscord, tmp_path: Path, name: str) -> AsyncIterator[list[str]]:
    """Run the bot until the block ends; yields a list that receives its log afterwards."""
    log_path = tmp_path / f"{name}.log"
    identified = len(fake.identifies)
    result: list[str] = []
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot",
            cwd=REPO, env=bot_env(fake, tmp_path),
            stdin=asyncio.subprocess.DEVNULL, stdout=log_file, stderr=log_file,
        )  # fmt: skip
        try:
            await fake.wait_until(lambda: len(fake.identifies) > identified, within=START_TIMEOUT)
            yield result
        finally:
            exit_code = await stop(process)
            output = log_path.read_text(errors="replace")
            print(output)  # shown by pytest when the test fails
    result.append(output)
    assert exit_code == 0, output
    assert TOKEN not in output  # secrets are never logged


async def answer_to(fake: FakeDiscord, payload: dict[str, Any]) -> Recorded:
    """Send an interaction over the gateway; the bot's callback request."""
    await fake.dispatch("INTERACTION_CREATE", payload)
    return await fake.wait_for(
        lambda r: r.path.startswith(f"/interactions/{payload['id']}/"), within=ANSWER_TIMEOUT
    )


def command_syncs(fake: FakeDiscord) -> list[Recorded]:
    return [r for r in fake.requests if r.method == "PUT" and r.path.endswith("/commands")]


async def dm_answer(fake: FakeDiscord, payload: dict[str, Any]) -> Recorded:
    """Send a DM text over the gateway; the bot's message back in that DM."""
    mark = len(fake.requests)
    await fake.dispatch("MESSAGE_CREATE", payload)
    path = f"/channels/{payload['channel_id']}/messages"
    return await fake.wait_for(
        lambda r: fake.requests.index(r) >= mark and r.method == "POST" and r.path == path,
        within=ANSWER_TIMEOUT,
    )


async def test_a_runner_logs_a_run_then_presses_its_button_after_a_restart(
    tmp_path: Path,
) -> None:
    async with FakeDiscord() as fake:
        async with running_bot(fake, tmp_path, "first"):
            await fake.wait_until(lambda: "global" in fake.commands, within=START_TIMEOUT)
            started = await answer_to(fake, payloads.slash("start"))
            # The time zone typed as a DM (the question says "type a name like ...").
            typed = await dm_answer(fake, payloads.dm_message("Europe/Berlin"))
            log = payloads.slash("log", {"distance": "5k", "duration": "25:00"})
            logged = await answer_to(fake, log)

        async with running_bot(fake, tmp_path, "second"):
            data = logged.body["data"]
            button = next(
                b for row in data["components"] for b in row["components"] if "Snack" in b["label"]
            )
            press = payloads.button_press(button["custom_id"], label=button["label"])
            pressed = await answer_to(fake, press)

    # Guild-less DMs only: not privileged, and DM content needs no message-content intent.
    assert fake.identifies[0]["intents"] == 1 << 12
    assert len(command_syncs(fake)) == 1  # the second start found the same schema hash
    assert not [e for e in os.listdir(tmp_path) if e.endswith(".json")]  # the hash: in the db
    synced = {c["name"]: c for c in fake.commands["global"]}
    assert {"log", "runs", "delete", "settings", "strength"} <= set(synced)
    assert [o["name"] for o in synced["log"]["options"]] == [
        "distance",
        "duration",
        "when",
        "note",
        "file",
    ]
    assert synced["log"]["integration_types"] == [0, 1]
    assert synced["log"]["contexts"] == [0, 1, 2]
    assert "time zone" in started.body["data"]["content"]
    assert "Europe/Berlin" in typed.json["content"]
    content = data["content"]
    assert "5.00 km" in content and "25:00" in content and "5:00 /km" in content, content
    assert button["custom_id"].startswith("pacer:")
    assert pressed.body["type"] == 4
    assert "Checked in: post-run snack" in pressed.body["data"]["content"]
    # What the process stored for this Discord runner.
    db = Database(f"sqlite:///{tmp_path / 'e2e.db'}")
    await db.open(migrate=False)  # the process migrated it
    harness = make_harness(db, FakeClock())
    try:
        chat = harness.chat(payloads.RUNNER_ID, "discord")
        user = await harness.user(chat)
        runs = await harness.runs(chat)
        habits = [c.habit for c in await harness.checkins(chat)]
    finally:
        await harness.db.close()
    assert user.timezone == "Europe/Berlin"
    assert [r.distance_m for r in runs] == [5000]
    assert len(habits) == 1 and "fuel" in habits[0]
