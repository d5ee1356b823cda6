"""Pacer processes for black-box tests: ``python -m bot`` with a given environment."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import text

from bot.storage.database import Database
from bot.storage.leases import lock_key

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pacer_env(**settings: str) -> dict[str, str]:
    """This test run's environment without platform settings, plus ``settings``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DISCORD_", "PACER_")) and k != "DATABASE_URL"
    }
    env.update(PACER_CONSOLE="0", LOG_LEVEL="INFO", PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
    env.update(settings)
    return env


async def start_pacer(
    env: Mapping[str, str], log: Path, *args: str, stdin: int | None = None
) -> asyncio.subprocess.Process:
    """Start ``python -m bot`` with its output appended to ``log``."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=log.parent,
        env=dict(env),
        stdin=asyncio.subprocess.DEVNULL if stdin is None else stdin,
        stdout=log.open("ab"),
        stderr=asyncio.subprocess.STDOUT,
    )


def read_log(log: Path) -> str:
    """What a process logged so far."""
    return log.read_text(errors="replace") if log.is_file() else ""


async def wait_for_line(log: Path, needle: str, within: float) -> None:
    """Wait until ``needle`` shows up in the log (polling the file)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if needle in read_log(log):
            return
        await asyncio.sleep(0.1)
    tail = read_log(log)[-3000:]
    raise AssertionError(f"{needle!r} not logged within {within} s; log ends:\n{tail}")


async def stop(process: asyncio.subprocess.Process, within: float = 10.0) -> int:
    """SIGTERM, and how it exited; killed (and failing) when it takes longer than ``within``."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(process.wait(), within)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"the process did not stop within {within} s of SIGTERM") from None


async def kill(process: asyncio.subprocess.Process) -> None:
    """SIGKILL (a crash), and reap it."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    await process.wait()


async def cut_off(url: str, lock: str) -> int:
    """End the session holding ``lock`` in this database (what a partition or a kill does)."""
    key = lock_key(lock) & 0xFFFFFFFFFFFFFFFF
    db = Database(url)
    await db.open(migrate=False)
    try:
        async with db.engine.connect() as conn:
            ended = await conn.execute(
                text(
                    "SELECT pg_terminate_backend(l.pid) FROM pg_locks l "
                    "JOIN pg_database d ON d.oid = l.database "
                    "WHERE l.locktype = 'advisory' AND d.datname = current_database() "
                    "AND l.classid = :high AND l.objid = :low AND l.objsubid = 1"
                ),
                {"high": key >> 32, "low": key & 0xFFFFFFFF},
            )
            return len(ended.all())
    finally:
        await db.close()
