"""Benchmark: runners logging runs and asking /week through the core on SQLite.

Run by hand (not a test): ``.venv/bin/python bench/core_bench.py [--runners N] [--logs N]``.
Prints a table of commands per second (wall clock, and per CPU second of the
whole process, which this noisy VM disturbs less) and p50/p99 latency per command.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.clock import FakeClock
from bot.core.dispatch import Core
from bot.core.messages import Incoming
from bot.storage.database import Database


def calibrate() -> float:
    """Seconds for a fixed pure-Python loop: tells how fast this (noisy) machine is right now."""
    start = time.perf_counter()
    sum(i * i for i in range(10**7))
    return time.perf_counter() - start


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench(
    runners: int, logs: int, weeks: int, concurrency: int, step: float
) -> list[tuple[str, ...]]:
    """Measure /log then /week; returns table rows."""
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(str(Path(tmp) / "bench.db"))
        await db.open()
        clock = FakeClock()
        core = Core(db, clock)
        rng = random.Random(7)
        users = [f"runner{i}" for i in range(runners)]
        # Every runner exists before timing (first contact creates the user).
        for user in users:
            await core.handle(Incoming("telegram", user, user, command="help"))

        async def timed(commands: list[Incoming]) -> tuple[float, float, list[float]]:
            latencies: list[float] = []
            queue = list(reversed(commands))

            async def worker() -> None:
                while queue:
                    incoming = queue.pop()
                    # Simulated time between commands: with a large step a runner's
                    # messages are minutes apart, so each one refreshes last_seen_at.
                    clock.advance(seconds=step)
                    t0 = time.perf_counter()
                    reply = await core.handle(incoming)
                    latencies.append(time.perf_counter() - t0)
                    assert not reply.text.startswith("Sorry"), reply.text

            start, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return time.perf_counter() - start, time.process_time() - cpu, latencies

        log_cmds = [
            Incoming(
                "telegram",
                u,
                u,
                command="log",
                text=f"{rng.randint(3, 21)}k {rng.randint(20, 120)}:00 "
                f"{rng.choice(['today', 'yesterday', 'mon', 'tue'])}",
                idempotency_key=str(i),
            )
            for i, u in enumerate(rng.choice(users) for _ in range(logs))
        ]
        week_cmds = [
            Incoming("telegram", rng.choice(users), "c", command="week") for _ in range(weeks)
        ]
        for name, commands in (("/log", log_cmds), ("/week", week_cmds)):
            elapsed, cpu_seconds, lat = await timed(commands)
            rows.append(
                (
                    name,
                    f"{len(commands):,}",
                    f"{len(commands) / elapsed:,.0f}",
                    f"{len(commands) / cpu_seconds:,.0f}",
                    f"{statistics.median(lat) * 1000:.2f}",
                    f"{_percentile(lat, 0.99) * 1000:.2f}",
                )
            )
        await db.close()
    return rows


def main() -> None:
    """Parse arguments, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runners", type=int, default=1000)
    parser.add_argument("--logs", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument(
        "--step", type=float, default=0.0, help="simulated seconds between commands"
    )
    args = parser.parse_args()
    before = calibrate()
    rows = asyncio.run(bench(args.runners, args.logs, args.weeks, args.concurrency, args.step))
    header = ("command", "count", "per second", "per CPU second", "p50 ms", "p99 ms")
    print(
        f"runners={args.runners} concurrency={args.concurrency} step={args.step}s"
        " (SQLite file, WAL, one core)"
    )
    print(f"calibration loop: {before:.2f} s before, {calibrate():.2f} s after")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
