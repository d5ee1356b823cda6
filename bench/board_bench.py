"""Benchmark: the board of one challenge with 5,000 members and 250,000 runs.

Run by hand (not a test)::

    .venv/bin/python -m bench.board_bench [--db URL] [--members N] [--runs N] [--boards N]

Without ``--db`` it measures a temporary SQLite file, then PostgreSQL at
``PACER_TEST_DATABASE_URL`` when that is set (its schema ``public`` is dropped and
recreated first; opening the database migrates it). ``--db`` measures that one database.
Three challenges (distance, days, runs) over the same four weeks, each with every
member, are stored first; then the runs, spread at random over the members and over
``--spread`` days ending on the challenges' last day: a year (the default, a club's
history: about 8 % inside the four-week window) or ``--spread 28`` (every run inside
it, the worst case). Everything goes in through plain INSERTs, then one unit of work
counts every member (``storage/challenge_counts.py``, as ``/challenge end`` would;
the seeding time includes it). The board is read as a member would ask for it
(``ClubRepository.board``: one statement over the kept tallies, the top 10 plus the
viewer's own row) for a random viewer each time; p50 and p99 are printed per metric.
The goal: p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from bot.models import Challenge
from bot.storage.database import Database
from bot.storage.tables import challenge_members, challenges, clubs, runs, users

NOW = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
START = date(2026, 11, 26)
END = date(2026, 12, 23)
CHUNK = 10_000
METRICS = {1: "distance", 2: "days", 3: "runs"}  # challenge id: metric


def calibrate() -> float:
    """Seconds for a fixed pure-Python loop (0.64 s on this machine when quiet)."""
    start = time.perf_counter()
    sum(i * i for i in range(10**7))
    return time.perf_counter() - start


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``samples``."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def reset_postgres(url: str) -> None:
    """Drop and recreate schema ``public``."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def _insert(db: Database, table: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        async with db.uow() as uow:
            await uow.activity.conn.execute(insert(table), rows[i : i + CHUNK])
            await uow.commit()


async def seed(db: Database, members: int, total_runs: int, spread: int, rng: random.Random) -> int:
    """One club, its three challenges and their members, then the runs over ``spread`` days."""
    await _insert(
        db,
        users,
        [
            {"id": i, "display_name": f"Runner {i}", "created_at": NOW}
            for i in range(1, members + 1)
        ],
    )
    await _insert(
        db,
        clubs,
        [{"id": 1, "platform": "telegram", "chat_id": "-100", "name": "Bench", "created_at": NOW}],
    )
    await _insert(
        db,
        challenges,
        [
            {
                "id": cid,
                "club_id": 1,
                "name": f"Winter {metric}",
                "metric": metric,
                "start_date": START,
                "end_date": END,
                "target": 100_000.0,
                "channel": "-100",
                "created_at": NOW,
            }
            for cid, metric in METRICS.items()
        ],
    )
    await _insert(
        db,
        challenge_members,
        [
            {"challenge_id": cid, "user_id": i, "joined_at": NOW}
            for cid in METRICS
            for i in range(1, members + 1)
        ],
    )
    first = END - timedelta(days=spread - 1)
    rows = []
    for _ in range(total_runs):
        day = first + timedelta(days=rng.randrange(spread))
        rows.append(
            {
                "user_id": rng.randrange(1, members + 1),
                "local_date": day,
                "distance_m": float(rng.randrange(3000, 21000)),
                "duration_s": rng.randrange(900, 7200),
                "created_at": datetime(day.year, day.month, day.day, tzinfo=UTC)
                + timedelta(seconds=rng.randrange(86400)),
            }
        )
    await _insert(db, runs, rows)
    async with db.uow() as uow:  # seeded around the unit of work: count every member once
        for cid in METRICS:
            uow.challenge_counts.challenge_changed(cid)
        await uow.commit()
    async with db.uow() as uow:  # fresh statistics, as a live database would have
        await uow.activity.conn.execute(text("ANALYZE"))
        await uow.commit()
    return 1


async def measure(
    url: str, members: int, total_runs: int, spread: int, boards: int
) -> list[tuple[str, ...]]:
    """Seed one database and time its boards; rows of the printed table."""
    if url.startswith("postgresql"):
        await reset_postgres(url)
    db = Database(url)
    await db.open()
    rng = random.Random(7)
    out: list[tuple[str, ...]] = []
    try:
        began = time.perf_counter()
        await seed(db, members, total_runs, spread, rng)
        seeded = time.perf_counter() - began
        for cid, metric in METRICS.items():
            challenge = Challenge(cid, 1, f"Winter {metric}", metric, START, END, 100_000.0)
            samples = []
            for i in range(boards + 5):
                viewer = rng.randrange(1, members + 1)
                began = time.perf_counter()
                async with db.reader() as uow:
                    board = await uow.clubs.board(challenge, viewer)
                if i >= 5:  # the first few warm the caches
                    samples.append((time.perf_counter() - began) * 1000)
                assert board.members == members and board.row_of(viewer) is not None
            out.append(
                (
                    db.engine.dialect.name,
                    metric,
                    f"{members:,}",
                    f"{total_runs:,}",
                    f"{spread} d",
                    f"{percentile(samples, 0.5):.1f}",
                    f"{percentile(samples, 0.99):.1f}",
                    f"{seeded:.0f} s",
                )
            )
    finally:
        await db.close()
    return out


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None, help="one database URL to measure")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=250_000)
    parser.add_argument("--boards", type=int, default=200, help="boards timed per metric")
    parser.add_argument(
        "--spread",
        type=int,
        default=365,
        help="days the runs are spread over, ending on the last day (28: all in the window)",
    )
    args = parser.parse_args()
    print(f"calibration loop: {calibrate():.2f} s; load average: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        urls = [args.db] if args.db else [f"sqlite:///{tmp}/board.db"]
        if not args.db and os.environ.get("PACER_TEST_DATABASE_URL"):
            urls.append(os.environ["PACER_TEST_DATABASE_URL"])
        table: list[tuple[str, ...]] = [
            ("backend", "metric", "members", "runs", "spread", "p50 ms", "p99 ms", "seeding")
        ]
        for url in urls:
            table += asyncio.run(measure(url, args.members, args.runs, args.spread, args.boards))
    print(f"calibration loop: {calibrate():.2f} s; load average: {os.getloadavg()[0]:.1f}")
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
