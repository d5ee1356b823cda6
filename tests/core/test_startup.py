"""Start-up with a database that cannot be opened: one line saying what to do, exit code 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from asyncpg.exceptions import InvalidPasswordError  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from bot.storage.problems import explain

TIMEOUT = 60


def pacer(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` as an operator would start it, with no chat tokens."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    """Exit code 2, one line on stderr with every part, no traceback."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for part in parts:
        assert part in result.stderr


def postgres_server() -> tuple[str, int]:
    """Host and port of the test PostgreSQL server (skipped without one)."""
    url = os.environ.get("PACER_TEST_DATABASE_URL", "")
    if not url:
        pytest.skip("PACER_TEST_DATABASE_URL is not set")
    parsed = make_url(url)
    return parsed.host or "127.0.0.1", parsed.port or 5432


def test_a_missing_folder_for_the_sqlite_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "pacer.db"
    result = pacer("--db", f"sqlite:///{missing}")
    assert_one_line(result, f"the folder {missing.parent} does not exist", "Create it")


def test_postgresql_not_running() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = pacer("--db", f"postgresql://postgres@127.0.0.1:{port}/pacer")
    assert_one_line(result, f"Can't reach PostgreSQL at 127.0.0.1:{port}: is it running?")


def test_a_missing_postgresql_database() -> None:
    host, port = postgres_server()
    result = pacer("--db", f"postgresql://postgres@{host}:{port}/pacer_edges_missing")
    assert_one_line(result, "has no database 'pacer_edges_missing'", "createdb")


def test_a_refused_postgresql_login() -> None:
    host, port = postgres_server()
    result = pacer("--db", f"postgresql://nobody_here:secret@{host}:{port}/postgres")
    assert_one_line(result, "refused the login as 'nobody_here'", "fix the user and password")
    assert "secret" not in result.stderr


def test_db_upgrade_says_the_same_line() -> None:
    host, port = postgres_server()
    result = pacer("db", "upgrade", "--db", f"postgresql://postgres@{host}:{port}/pacer_edges_no")
    assert_one_line(result, "pacer db upgrade: PostgreSQL at", "has no database 'pacer_edges_no'")


def test_a_wrong_password_reads_as_a_refused_login() -> None:
    # The test server trusts every login, so the driver's own error stands in for it.
    refused = InvalidPasswordError('password authentication failed for user "ana"')
    line = explain(refused, "postgresql://ana:wrong@db.example:5433/pacer")
    assert line is not None and line.startswith("PostgreSQL at db.example:5433 refused the login")


def test_a_fault_of_pacers_own_is_not_explained_away() -> None:
    assert explain(KeyError("run_id"), "postgresql://ana@127.0.0.1/pacer") is None
    assert explain(ValueError("bad"), "sqlite:///pacer.db") is None


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--db", "bogus://x"), "pacer: unsupported DATABASE_URL backend 'bogus'"),
        (("db", "upgrade", "--db", "bogus://x"), "pacer db upgrade: unsupported DATABASE_URL"),
        (("--db", "nonsense"), "pacer: can't read 'nonsense' as a database URL"),
        (("discord-sync",), "pacer discord-sync: DISCORD_TOKEN is not set"),
    ],
)
def test_an_operators_mistake_is_one_prefixed_line_and_exit_code_2(
    args: tuple[str, ...], line: str
) -> None:
    assert_one_line(pacer(*args), line)


def test_pacer_db_lists_its_commands() -> None:
    alone = pacer("db")
    assert alone.returncode == 2 and "Traceback" not in alone.stderr
    assert alone.stderr.splitlines()[0] == "usage: pacer db [-h] {upgrade}"
    helped = pacer("db", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "pacer db upgrade [--db URL]" in helped.stdout
    assert "unrecognized arguments" not in helped.stdout + helped.stderr
