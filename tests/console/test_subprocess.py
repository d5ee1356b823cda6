"""The console adapter through its real stdin and stdout, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.console.process import ROOT, run_console

pytestmark = pytest.mark.slow  # wall-clock time: the console chat in a subprocess


def test_console_chat_logs_and_remembers_across_restarts(tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    first = run_console(db, ["/log 5k 25:00 first one", "1", "/lgo"])
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "Pacer console chat as 'ana'" in out
    assert "5.00 km in 25:00 (5:00 /km)" in out
    assert "[1] 🍌 Snack eaten" in out
    assert "Checked in: post-run snack" in out  # typed "1" pressed the first button
    assert "Did you mean /log?" in out
    assert "Bye!" in out

    second = run_console(db, ["/runs"])
    assert second.returncode == 0, second.stderr
    assert "#1 · today · 5.00 km in 25:00 (5:00 /km) · first one" in second.stdout


def test_console_onboarding_with_numbered_choices(tmp_path: Path) -> None:
    done = run_console(
        tmp_path / "c.db",
        ["/start", "2", "11", "16", "07:00", "23:30", "22:45", "6:30", "tue,fri", "18:00"],
    )
    assert done.returncode == 0, done.stderr
    assert "Timezone set to Europe/Berlin." in done.stdout
    assert "Run days set to Mon, Tue, Wed, Thu, Fri." in done.stdout
    assert "You're set up" in done.stdout
    assert "target_bedtime: 22:45" in done.stdout


def test_ctrl_c_shuts_down_cleanly_while_waiting_for_input(tmp_path: Path) -> None:
    import signal

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--user", "ana"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert proc.stdout is not None
        assert "Pacer console chat" in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0  # stdin still open: nothing left hanging
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_pacer_discord_sync_is_a_subcommand_of_the_entry_point() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot", "discord-sync", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "usage: pacer discord-sync" in out.stdout and "--guild" in out.stdout
