"""The console chat: every shown button stays pressable; no input hangs it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.console.chat import ConsoleAdapter
from bot.messages import Button, Reply
from tests.console.process import ROOT, run_console
from tests.telegram.fakes import FakeCore


@pytest.mark.slow  # wall-clock time: the console chat in a subprocess
def test_an_earlier_replys_button_keeps_its_number(tmp_path: Path) -> None:
    done = run_console(
        tmp_path / "c.db", ["/log 5k 25:00", "/log 3k 15:00 yesterday", "/week", "2"]
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "[1] 🍌 Snack eaten  [2] 🦵 Post-run mobility done" in out
    assert "I work with commands" not in out
    assert "Checked in: post-run hip mobility" in out  # "2" pressed the first reply's button


@pytest.mark.slow  # wall-clock time: the console chat in a subprocess
def test_numbers_keep_counting_across_replies(tmp_path: Path) -> None:
    done = run_console(tmp_path / "c.db", ["/log 5k 25:00", "/log 4k 20:00", "3", "[2]"])
    out = done.stdout
    assert "[3] 🍌 Snack eaten  [4] 🦵 Post-run mobility done" in out
    assert "Checked in: post-run snack" in out and "Checked in: post-run hip mobility" in out
    assert "I work with commands" not in out


@pytest.mark.slow  # wall-clock time: the console chat in a subprocess
def test_other_digits_and_bad_bytes_never_hang_the_console(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env.update(PACER_CONSOLE="auto", PACER_SWEEP_SECONDS="3600")
    lines = ["²", "①", "٥", "/log 5k 25:00", "²", "\udcff"]
    data = "\n".join(lines).encode("utf-8", "surrogateescape") + b"\n\xff\xfe bad bytes\n/runs\n"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--user", "ana"],
        input=data,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,  # a hang fails here
    )
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    assert "Logged #1" in out and "Your last 1 run" in out
    assert "Bye!" in out  # end of input (Ctrl-D) still ends the chat
    assert "Traceback" not in done.stderr.decode()


@pytest.mark.slow  # wall-clock time: the console chat in a subprocess
def test_a_console_user_name_with_bad_bytes_still_chats(tmp_path: Path) -> None:
    done = run_console(tmp_path / "c.db", ["/log 5k 25:00", "/runs"], user="ana\udcff\x1b[31m")
    assert done.returncode == 0, done.stderr
    assert "Logged #1" in done.stdout and "Your last 1 run" in done.stdout
    assert "Traceback" not in done.stderr


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(codec=None), max_size=20))
def test_any_typed_line_becomes_an_incoming(text: str) -> None:
    adapter = ConsoleAdapter(FakeCore(), "ana", lambda: None, io.StringIO(), io.StringIO())
    adapter.render(Reply("buttons", ((Button("a", "/fuel"), Button("b", "/week")),)))
    incoming = adapter.to_incoming(text)
    assert incoming.action in {None, "/fuel", "/week"}
