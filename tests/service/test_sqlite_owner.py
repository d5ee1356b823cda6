"""SQLite stays one sweeping process: a second one is refused, a second console still chats."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from tests.service.processes import ROOT, pacer_env, start_pacer, stop, wait_for_line
from tests.telegram.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.slow  # wall-clock time: Pacer processes, fake servers on 127.0.0.1

TOKEN = "123:abc"


async def test_a_second_process_on_one_sqlite_file_is_refused_and_a_console_still_chats(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    async with FakeBotApi(TOKEN) as api:
        env = pacer_env(TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url, DATABASE_URL=url)
        first_log = tmp_path / "first.log"
        first = await start_pacer(env, first_log)
        try:
            await wait_for_line(first_log, "Telegram: receiving updates", 30)

            second_log = tmp_path / "second.log"
            second = await start_pacer(env, second_log)
            assert await asyncio.wait_for(second.wait(), 30) == 2
            lines = second_log.read_text().strip().splitlines()
            refusals = [line for line in lines if "SQLite allows one" in line]
            assert len(refusals) == 1, lines
            assert "use PostgreSQL" in refusals[0]
            assert not any("Traceback" in line for line in lines)

            console = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "bot", "--db", url, "--user", "ana"],
                input="/log 5k 25:00\n",
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=pacer_env(PACER_CONSOLE="auto"),
                timeout=60,
            )
            assert console.returncode == 0, console.stderr
            assert "5.00 km in 25:00 (5:00 /km)" in console.stdout
        finally:
            assert await stop(first) == 0
