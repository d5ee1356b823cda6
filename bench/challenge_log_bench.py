"""Benchmark: what a runner's open challenges add to the cost of ``/log``.

Run by hand (not a test)::

    .venv/bin/python -m bench.challenge_log_bench [--db URL] [--logs N]
        [--metrics distance,days,runs]

One club with three open four-week challenges (``--metrics``, e.g. ``climb,streak,fastest
5k``); a runner in all three and a runner in none each send ``--logs`` ``/log`` through
the whole core (identify, store, the unit of work's recount before commit, the reply with
its standing lines). Prints ``/log`` a wall second and a CPU second (``process_time``:
every thread of the process, aiosqlite's included) for each. ``--db
postgresql://...`` drops and recreates schema ``public`` of that database first.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time

from bench.board_bench import calibrate, reset_postgres
from bot.bootstrap import build_core
from bot.clock import FakeClock
from bot.core.dispatch import Core
from bot.messages import Incoming
from bot.storage.database import Database

_KEYS = itertools.count(1)


async def say(core: Core, who: str, line: str, group: bool = False) -> str:
    """One command as ``who`` (in the club's group, or a DM); the reply text."""
    name, _, text = line[1:].partition(" ")
    reply = await core.handle(
        Incoming(
            platform="telegram",
            user_id=who,
            chat_id="club" if group else who,
            is_private=not group,
            is_admin=group,
            display_name=who.capitalize(),
            idempotency_key=str(next(_KEYS)),
            command=name,
            text=text,
            chat_title="Run Club" if group else "",
        )
    )
    return reply.text


async def measure(url: str, logs: int, metrics: list[str]) -> list[tuple[str, ...]]:
    """The table rows of one backend."""
    if url.startswith("postgresql"):
        await reset_postgres(url)
    db = Database(url)
    await db.open()
    clock = FakeClock()
    core = build_core(db, clock)
    rows: list[tuple[str, ...]] = []
    try:
        for name, metric in zip("ABC", metrics, strict=True):
            await say(core, "admin", f"/challenge create {name} {metric} today 4w", group=True)
            await say(core, "member", f"/challenge join {name}", group=True)
        for who, label in (("loner", "none"), ("member", ", ".join(metrics))):
            await say(core, who, "/log 3k 15:00")  # the account exists, its streak cached
            wall, cpu = time.perf_counter(), time.process_time()
            for n in range(logs):
                clock.advance(seconds=30)
                # A different time each: the same run again within minutes is a double tap.
                reply = await say(core, who, f"/log 5k {25 + n // 60}:{n % 60:02d}")
                assert reply.startswith("Logged"), reply
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            backend = db.dialect
            rows.append((backend, label, f"{logs:,}", f"{logs / wall:.0f}", f"{logs / cpu:.0f}"))
    finally:
        await db.close()
    return rows


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="database URL (default: a SQLite file)")
    parser.add_argument("--logs", type=int, default=300)
    parser.add_argument("--metrics", default="distance,days,runs", help="three, comma-separated")
    args = parser.parse_args()
    metrics = args.metrics.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/challenge_log.db"
        table: list[tuple[str, ...]] = [
            ("backend", "challenges", "/log", "per wall s", "per CPU s")
        ]
        table += asyncio.run(measure(url, args.logs, metrics))
    print(f"calibration loop: {calibrate():.2f} s")
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
