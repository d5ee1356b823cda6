"""Console club mode: two console runs share a club through the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console.process import run_console

pytestmark = pytest.mark.slow  # wall-clock time: the console chat in a subprocess


def console(db: Path, user: str, lines: list[str], *extra: str) -> str:
    """``python -m bot --user <user> --club "Run Club" ...`` fed ``lines``; its output."""
    done = run_console(db, lines, user, *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_admin_and_a_member_share_a_club_across_console_runs(tmp_path: Path) -> None:
    db = tmp_path / "club.db"
    ann = console(
        db,
        "ann",
        [
            "/club posts daily 18:00",
            "/challenge create Winter Miles distance today 4w target 100km",
            "/challenge join Winter Miles",
            "/log 10k 50:00",
            "/strength plank 60",
        ],
        "--club",
        "Run Club",
    )
    assert "in the club 'Run Club' (as an admin)" in ann
    assert "I'll post the board every day at 18:00 (UTC)" in ann
    assert "🏁 Winter Miles: distance" in ann and "[1] 🏃 Join Winter Miles" in ann
    assert "Winter Miles: 10.00/100.00 km, 1st of 1" in ann
    # The runner's own lines under a club answer are marked as theirs alone.
    assert "This week" not in ann.split("🔒")[0]
    assert "\n🔒 Just for you: This week: 10.00 km over 1 run · run streak: 1 week\n" in ann
    assert "ann checked in: plank 60 s (" in ann
    assert "\n🔒 Just for you: Target reached. Next time: plank 70 s.\n" in ann
    bob = console(
        db,
        "bob",
        [
            "/challenge create Sneaky runs today 7d",
            "/challenge join Winter Miles",
            "/log 5k 25:00",
            "/challenge board",
        ],
        "--club",
        "Run Club",
        "--member",
    )
    assert "(as a member)" in bob
    assert "Only admins can use /challenge create here." in bob
    assert "bob is in Winter Miles!" in bob
    assert "1. ann 10.00 km" in bob and "2. bob (you) 5.00 km" in bob
    # Without --club it is the runner's private chat: club commands say where they work.
    alone = console(db, "bob", ["/challenge list"])
    assert "works in a group or server channel" in alone
