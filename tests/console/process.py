"""The console chat in a subprocess: ``python -m bot`` fed lines on stdin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_console(
    db: Path, lines: list[str], user: str = "ana", *extra: str
) -> subprocess.CompletedProcess[str]:
    """``python -m bot`` with no tokens: the console chat, fed ``lines`` then end of input."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env.update(PACER_CONSOLE="auto", PACER_SWEEP_SECONDS="3600")
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", f"sqlite:///{db}", "--user", user, *extra],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
