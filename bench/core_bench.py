"""Benchmark: runners logging runs (and asking /week) through the whole core.

Run by hand (not a test)::

    .venv/bin/python bench/core_bench.py [--db URL] [--runners N] [--logs N] [--step S]
        [--sweep-seconds S]

``--db`` defaults to a temporary SQLite file;
``postgresql://postgres@127.0.0.1:5432/pacer_bench`` also works (its schema ``public``
is dropped and recreated first, then opening the database migrates it). Honest by
construction: every runner gets a year of history before timing, the fake clock moves
between commands, and only ``/log`` replies that start with "Logged" (a run actually
stored) count. The figure that matters is ``/log`` per CPU second of the whole process
(the headroom on one core: at least 250 a second, over three times what Telegram and
Discord can carry together); it also compares runners with 1,500 runs (five years)
with new runners. Every runner's first ``/log``, which works out and caches its run
streak, is sent untimed before timing starts.

Last-seen times are written behind: as a sweep every ``--sweep-seconds`` of the fake
clock would, ``core.accounts.flush()`` runs between commands (inside the timed wall
clock); its statements are counted apart. Statements are counted with a SQLAlchemy
``before_cursor_execute`` event (BEGIN included, COMMIT and ROLLBACK are driver calls).
The counter hooks every statement, so it listens only during a further ``--sample``
commands after each timed batch, never while one is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import make_url

from bot.bootstrap import build_core
from bot.clock import FakeClock
from bot.core.dispatch import Core
from bot.delivery.sweep import SweepSettings
from bot.messages import Incoming
from bot.storage.database import Database
from bot.storage.tables import identities, runs

START = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/pacer_bench"


def calibrate() -> float:
    """Seconds for a fixed pure-Python loop: tells how fast this (noisy) machine is now."""
    start = time.perf_counter()
    sum(i * i for i in range(10**7))
    return time.perf_counter() - start


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``samples``."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class StatementCounter:
    """Counts every statement SQLAlchemy sends to the database driver, while switched on."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        self.engine = db.engine.sync_engine

    def on(self) -> None:
        """Start counting."""
        event.listen(self.engine, "before_cursor_execute", self._on_execute)

    def off(self) -> None:
        """Stop counting (no listener left to slow the timed batches down)."""
        event.remove(self.engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1


@dataclass(slots=True)
class Measure:
    """One timed batch of commands."""

    sent: int
    stored: int
    wall: float
    cpu: float
    statements: int  # of the commands themselves (in the counted sample)
    latencies: list[float]
    counted: int = 0  # commands in the counted sample (statements are counted apart)
    flushes: int = 0  # write-behind flushes (as each sweep does) between the commands
    flush_statements: int = 0

    @property
    def per_second(self) -> float:
        """Stored runs (or answered commands) per wall-clock second."""
        return self.stored / self.wall if self.wall else 0.0

    @property
    def per_cpu_second(self) -> float:
        """Stored runs per CPU second of the whole process."""
        return self.stored / self.cpu if self.cpu else 0.0


async def reset_postgres(url: str) -> None:
    """Drop and recreate schema ``public`` (opening the database migrates it again)."""
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Bench:
    """The core on one database, a fake clock, and the runners."""

    def __init__(self, db: Database, step: float, sweep_seconds: float, seed: int = 7) -> None:
        self.db = db
        self.clock = FakeClock(START)
        self.core: Core = build_core(db, self.clock, SweepSettings())
        self.step = step
        # A sweep (which flushes the write-behind first) every `sweep_seconds` of fake time.
        self.flush_every = max(1, round(sweep_seconds / step))
        self.rng = random.Random(seed)
        self.counter = StatementCounter(db)
        self.keys = 0
        self.sent = 0

    async def add_runners(self, prefix: str, count: int) -> dict[str, int]:
        """Create runners by first contact; their internal ids by platform id."""
        ids: dict[str, int] = {}
        for n in range(count):
            user = f"{prefix}{n}"
            reply = await self.core.handle(Incoming("telegram", user, user, command="help"))
            assert not reply.text.startswith("Sorry"), reply.text
        wanted = {f"{prefix}{n}" for n in range(count)}
        async with self.db.reader() as uow:
            conn = uow.runners.conn
            query = select(identities.c.platform_user_id, identities.c.user_id).where(
                identities.c.platform == "telegram"
            )
            for platform_user_id, user_id in await conn.execute(query):
                if platform_user_id in wanted:
                    ids[str(platform_user_id)] = int(user_id)
        assert len(ids) == count, (len(ids), count)
        return ids

    async def add_history(self, user_ids: Sequence[int], days: int, per_week: float) -> int:
        """Runs on random days of the ``days`` before today; returns how many."""
        rows: list[dict[str, Any]] = []
        today = START.date()
        for user_id in user_ids:
            chance = per_week / 7
            count = 0
            for back in range(1, days + 1):
                # Up to two runs a day, so dense histories (1,500 in five years) fit.
                for _ in range(1 + int(chance > 1)):
                    if self.rng.random() < chance / (1 + int(chance > 1)):
                        rows.append(_history_run(user_id, today - timedelta(days=back), self.rng))
                        count += 1
        inserted = 0
        for first in range(0, len(rows), 5000):
            async with self.db.uow() as uow:
                await uow.activity.conn.execute(insert(runs), rows[first : first + 5000])
                await uow.commit()
            inserted += len(rows[first : first + 5000])
        return inserted

    def log_commands(self, users: Sequence[str], count: int) -> list[Incoming]:
        """``count`` /log commands of random runners, each with its own idempotency key."""
        out: list[Incoming] = []
        for _ in range(count):
            user = self.rng.choice(users)
            self.keys += 1
            day = self.rng.choice(["today", "yesterday", "mon", "tue"])
            km = self.rng.randint(3, 21)
            seconds = km * self.rng.randint(270, 450)  # 4:30 to 7:30 per km: all plausible
            out.append(
                Incoming(
                    "telegram",
                    user,
                    user,
                    command="log",
                    text=f"{km}k {seconds // 60}:{seconds % 60:02d} {day}",
                    idempotency_key=f"bench-{self.keys}",
                )
            )
        return out

    async def measure(
        self, commands: Sequence[Incoming], sample: Sequence[Incoming], stored_prefix: str | None
    ) -> Measure:
        """Time ``commands`` with no counter listening, then count statements over ``sample``.

        The counter hooks every statement; timed with it on, the batch would be slower
        by its cost.
        """
        timed = await self.timed(commands, stored_prefix)
        self.counter.on()
        try:
            counted = await self.timed(sample, stored_prefix)
        finally:
            self.counter.off()
        return dataclasses.replace(
            timed,
            statements=counted.statements,
            flush_statements=counted.flush_statements,
            flushes=counted.flushes,
            counted=counted.sent,
        )

    async def timed(self, commands: Sequence[Incoming], stored_prefix: str | None) -> Measure:
        """Send commands one after another, moving the clock ``step`` seconds before each.

        Every ``flush_every`` commands (about every 5 s of fake time) the write-behind
        is flushed, as the sweep does first: inside the wall time, counted apart.
        """
        latencies: list[float] = []
        stored = flushes = flush_statements = 0
        statements = self.counter.count
        start, cpu = time.perf_counter(), time.process_time()
        for incoming in commands:
            self.clock.advance(seconds=self.step)
            self.sent += 1
            if self.sent % self.flush_every == 0:
                before = self.counter.count
                await self.core.accounts.flush()
                flushes += 1
                flush_statements += self.counter.count - before
            t0 = time.perf_counter()
            reply = await self.core.handle(incoming)
            latencies.append(time.perf_counter() - t0)
            if stored_prefix is None or reply.text.startswith(stored_prefix):
                stored += 1
        return Measure(
            sent=len(commands),
            stored=stored,
            wall=time.perf_counter() - start,
            cpu=time.process_time() - cpu,
            statements=self.counter.count - statements - flush_statements,
            latencies=latencies,
            flushes=flushes,
            flush_statements=flush_statements,
            counted=len(commands),
        )


def _history_run(user_id: int, day: date, rng: random.Random) -> dict[str, Any]:
    distance = rng.randint(3, 21) * 1000.0
    return {
        "user_id": user_id,
        "local_date": day,
        "distance_m": distance,
        "duration_s": int(distance * rng.uniform(0.25, 0.4)),
        "note": "",
        "source_key": None,
        "created_at": datetime(day.year, day.month, day.day, 18, tzinfo=UTC),
    }


def row(name: str, m: Measure, extra: str = "") -> tuple[str, ...]:
    """A table row for one measure."""
    return (
        name,
        f"{m.stored:,}/{m.sent:,}",
        f"{m.per_second:,.0f}",
        f"{m.per_cpu_second:,.0f}",
        f"{statistics.median(m.latencies) * 1000:.2f}",
        f"{percentile(m.latencies, 0.99) * 1000:.2f}",
        f"{m.statements / m.counted:.2f}",
        f"{(m.statements + m.flush_statements) / m.counted:.2f}",
        extra,
    )


async def bench(args: argparse.Namespace, url: str) -> tuple[list[tuple[str, ...]], str]:
    """Everything measured in one run; table rows and a summary."""
    postgres = make_url(url).get_backend_name() in ("postgresql", "postgres")
    if postgres:
        await reset_postgres(url)
    db = Database(url)
    await db.open()
    b = Bench(db, args.step, args.sweep_seconds)
    try:
        regular = await b.add_runners("runner", args.runners)
        history = await b.add_history(list(regular.values()), 365, 3.0)
        veterans = await b.add_runners("veteran", args.veterans)
        vet_history = await b.add_history(list(veterans.values()), 5 * 365, 1500 / (5 * 52.14))
        newcomers = await b.add_runners("new", args.veterans)
        if postgres:
            async with db.uow() as uow:
                await uow.activity.conn.execute(text("ANALYZE"))
                await uow.commit()

        users = list(regular)
        # Untimed warm-up: one /log per runner (it works out and caches the run streak, a
        # one-off after the migration), then `--warmup` more at random.
        for user in users:
            await b.timed(b.log_commands([user], 1), "Logged")
        await b.timed(b.log_commands(users, args.warmup), "Logged")
        sample = args.sample
        log = await b.measure(
            b.log_commands(users, args.logs), b.log_commands(users, sample), "Logged"
        )
        weeks = [
            Incoming("telegram", b.rng.choice(users), "c", command="week")
            for _ in range(args.weeks + sample)
        ]
        week = await b.measure(weeks[: args.weeks], weeks[args.weeks :], None)
        # Veterans (1,500 runs each) against new runners, interleaved in rounds so that
        # the machine's speed swings hit both alike.
        # Each runner's first /log works out its run streak and caches it on the runner:
        # one untimed /log each first, so the rounds time runners with a warm cache.
        for cohort in (veterans, newcomers):
            for user in cohort:
                await b.timed(b.log_commands([user], 1), "Logged")
        vet_parts: list[Measure] = []
        new_parts: list[Measure] = []
        for _ in range(args.rounds):
            for cohort, parts in ((veterans, vet_parts), (newcomers, new_parts)):
                logs = b.log_commands(list(cohort), args.cohort_logs + sample // args.rounds)
                parts.append(
                    await b.measure(logs[: args.cohort_logs], logs[args.cohort_logs :], "Logged")
                )
        vet, new = _merge(vet_parts), _merge(new_parts)
        runs_per_veteran = vet_history / max(1, len(veterans))
    finally:
        await db.close()
    backend = "PostgreSQL (asyncpg)" if postgres else "SQLite file (WAL, synchronous=NORMAL)"
    rows = [
        row(f"/log ({args.runners:,} runners, 1 year)", log),
        row("/week", week),
        row(
            f"/log veterans ({runs_per_veteran:,.0f} runs)",
            vet,
            f"{vet.per_second / new.per_second:.2f}x new",
        ),
        row("/log new runners", new),
    ]
    summary = "\n".join(
        [
            f"backend: {backend}",
            f"history: {history:,} runs for {args.runners:,} runners; "
            f"{vet_history:,} runs for {len(veterans):,} veterans; clock step {args.step:g} s",
            f"/log per CPU second (one core's headroom; target >= 250) = {log.per_cpu_second:,.0f}",
            f"statements per /log = {log.statements / log.counted:.2f} without the flush, "
            f"{(log.statements + log.flush_statements) / log.counted:.2f} with it amortised "
            f"({log.flushes} flushes, one every {b.flush_every} commands = "
            f"{b.flush_every * args.step:g} s of fake time, {log.flush_statements} statements) "
            "(every cursor execute: SQLite's BEGIN included, asyncpg's not; COMMIT and "
            "ROLLBACK are driver calls, not counted)",
            f"veteran / new /log rate = {vet.per_second / new.per_second:.3f} "
            f"(per CPU second {vet.per_cpu_second / new.per_cpu_second:.3f})",
        ]
    )
    return rows, summary


def _merge(parts: Sequence[Measure]) -> Measure:
    return Measure(
        sent=sum(p.sent for p in parts),
        stored=sum(p.stored for p in parts),
        wall=sum(p.wall for p in parts),
        cpu=sum(p.cpu for p in parts),
        statements=sum(p.statements for p in parts),
        latencies=[x for p in parts for x in p.latencies],
        flushes=sum(p.flushes for p in parts),
        flush_statements=sum(p.flush_statements for p in parts),
        counted=sum(p.counted for p in parts),
    )


def main() -> None:
    """Parse arguments, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None, help=f"database URL (e.g. {PG_DEFAULT})")
    parser.add_argument("--runners", type=int, default=300)
    parser.add_argument("--logs", type=int, default=1500)
    parser.add_argument("--weeks", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--veterans", type=int, default=10, help="runners with 1,500 runs")
    parser.add_argument("--cohort-logs", type=int, default=100, help="/log per cohort per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=300, help="commands counted apart")
    parser.add_argument(
        "--step", type=float, default=1.0, help="simulated seconds between commands"
    )
    parser.add_argument(
        "--sweep-seconds", type=float, default=5.0, help="fake seconds between flushes"
    )
    args = parser.parse_args()
    if args.sample < max(1, args.rounds):
        parser.error("--sample must be at least --rounds (each round counts a share of it)")
    before = calibrate()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        rows, summary = asyncio.run(bench(args, url))
    header = (
        "command",
        "stored/sent",
        "per second",
        "per CPU s",
        "p50 ms",
        "p99 ms",
        "stmts",
        "+flush",
        "",
    )
    print(f"calibration loop: {before:.2f} s before, {calibrate():.2f} s after")
    print(summary)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        print("  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
