"""The console session's own edges: club names, other runners' messages, quitting."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.console.chat import ConsoleAdapter
from bot.storage.tables import deliveries
from tests.console.process import ROOT, run_console
from tests.fakes import Harness


def test_a_club_name_ignores_case_and_spacing(tmp_path: Path) -> None:
    db = tmp_path / "club.db"
    ann = run_console(db, ["/challenge create Winter Miles distance today 4w"], "ann",
                      "--club", "Run Club")  # fmt: skip
    assert ann.returncode == 0 and "🏁 Winter Miles" in ann.stdout
    bob = run_console(db, ["/challenge join Winter Miles"], "bob",
                      "--club", "run  club", "--member")  # fmt: skip
    assert "bob is in Winter Miles!" in bob.stdout, bob.stdout


@pytest.mark.parametrize("ending", ["/quit", "/exit", "/EXIT"])
def test_quit_stops_at_once(tmp_path: Path, ending: str) -> None:
    done = run_console(tmp_path / "q.db", ["/log 5k 25:00", ending, "/log 6k 30:00"])
    assert done.returncode == 0, done.stderr
    assert "Logged #1" in done.stdout and "Logged #2" not in done.stdout
    assert done.stdout.rstrip().endswith("Bye! Keep running.")


def test_the_process_ends_when_its_output_is_closed(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env.update(PACER_CONSOLE="auto", PACER_SWEEP_SECONDS="3600")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--user", "ana"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdout.readline()  # the greeting: the chat is up
        process.stdout.close()  # the reader went away (| head -1)
        process.stdin.write(b"/help\n")  # input stays open: only the output is gone
        process.stdin.flush()
        assert process.wait(timeout=30) is not None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdin.close()


class Terminal(io.StringIO):
    """Typed input as a terminal gives it (so the prompt shows)."""

    def isatty(self) -> bool:
        return True


async def test_ctrl_d_says_bye_on_its_own_line(harness: Harness) -> None:
    out = io.StringIO()
    stopped = asyncio.Event()
    chat = ConsoleAdapter(harness.core, "ana", stopped.set, stdin=Terminal(""), stdout=out)
    await chat.start()
    await asyncio.wait_for(stopped.wait(), 10)
    await chat.stop()
    assert "\nBye! Keep running.\n" in out.getvalue()
    assert "> Bye" not in out.getvalue()


async def test_another_runners_nudge_is_never_marked_sent_here(harness: Harness) -> None:
    out = io.StringIO()
    chat = ConsoleAdapter(harness.core, "ana", lambda: None, stdin=Terminal(""), stdout=out)
    harness.core.messengers["console"] = chat.messenger
    bob = harness.chat("bob", platform="console")
    await bob.say("/settings wake_time 06:30")
    await bob.say("/nudges test")
    await harness.core.sweeper.drain()
    assert "Pacer nudge" not in out.getvalue()
    async with harness.db.reader() as uow:
        statuses = {s for (s,) in await uow.activity.conn.execute(select(deliveries.c.status))}
    assert statuses and "sent" not in statuses


async def test_a_club_post_prints_only_in_that_clubs_session(harness: Harness) -> None:
    from bot.messages import Reply

    private = io.StringIO()
    alone = ConsoleAdapter(harness.core, "ana", lambda: None, stdin=Terminal(""), stdout=private)
    club_out = io.StringIO()
    in_club = ConsoleAdapter(harness.core, "ana", lambda: None, stdin=Terminal(""),
                             stdout=club_out, club="Run Club")  # fmt: skip
    for adapter in (alone, in_club):
        try:
            await adapter.messenger.send_group("run club", Reply("board"))
        except Exception as error:  # waits for that club's session: never printed here
            assert type(error).__name__ == "TransientDeliveryError"
    assert "board" not in private.getvalue()
    assert "📣 Pacer in Run Club:\nboard" in club_out.getvalue()
