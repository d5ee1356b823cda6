"""Benchmark: does anything heavy stall the event loop? Other runners' /log meanwhile.

Run by hand (not a test)::

    .venv/bin/python -m bench.loop_bench [--db URL] [--rounds 3] [--members 5000]

Without ``--db`` it measures a temporary SQLite file, then PostgreSQL at
``PACER_TEST_DATABASE_URL`` when that is set (its schema ``public`` is dropped and
recreated first; opening the database migrates it). ``--db`` measures that one database.

A veteran runner (five years: about 1,500 runs and 7,000 check-ins) runs ``/export``,
``/stats all`` and ``/chart habits``, and reads the board of a challenge with
``--members`` members (``/challenge board`` in the club's chat), each ``--rounds``
times, through the whole core. Meanwhile a probe task sleeps 1 ms at a time and
measures its own oversleep: the longest one is the loop's longest stall, what every
other chat (Discord heartbeats, Telegram polling, replies) waited for; and the most
CPU time one such gap held, by the loop's thread and by the whole process, which
tells Pacer's own work from a busy host (that lengthens stalls, but adds no CPU time
to this process). Other runners
send ``/log`` all along (``--log-rate`` a second, each in its own task, as the adapters
handle messages); their reply latency is taken per action. Charts are drawn in a
worker process, as the app draws them. Targets: longest stall <= 50 ms, others' /log p99 <= 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench.core_bench import calibrate, percentile, reset_postgres
from bench.stats_bench import history, insert_rows
from bot.bootstrap import build_core
from bot.chart_pool import ChartPainter
from bot.clock import FakeClock
from bot.core.dispatch import Core
from bot.messages import Incoming, Reply
from bot.operations import heap
from bot.storage.database import Database
from bot.storage.tables import challenge_members, checkins, runs, users

START = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
CLUB_CHAT = "-100"
CHALLENGE = "Winter Miles"
FIRST_MEMBER_ID = 100_001  # board members' ids, far above the runners the core creates
PROBE_TICK = 0.001


@dataclass
class Window:
    """What the probe and the /log traffic saw while one action ran."""

    stall_ms: float = 0.0  # the longest oversleep of the probe (wall clock)
    # The most CPU time spent in one probe gap: by the loop's thread (our code holding
    # the loop), and by the whole process (a worker thread holding the interpreter counts
    # too). Robust to other load on the host, which lengthens stalls but adds no CPU here.
    loop_busy_ms: float = 0.0
    process_busy_ms: float = 0.0
    logs_ms: list[float] = field(default_factory=list)
    action_ms: list[float] = field(default_factory=list)


class Traffic:
    """The probe task, and other runners' /log, both running until stopped."""

    def __init__(self, core: Core, clock: FakeClock, runners: list[str], rate: float) -> None:
        self.core = core
        self.clock = clock
        self.runners = runners
        self.rate = rate
        self.window = Window()
        self.failed: list[str] = []
        self.keys = 0
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._pending: set[asyncio.Task[None]] = set()
        self._rng = random.Random(11)

    def start(self) -> None:
        """Start the probe and the traffic."""
        self._tasks = [asyncio.create_task(self._probe()), asyncio.create_task(self._logs())]

    async def stop(self) -> None:
        """Stop both and wait for the replies still on their way."""
        self._stop.set()
        await asyncio.gather(*self._tasks)
        if self._pending:
            await asyncio.gather(*self._pending)

    async def _probe(self) -> None:
        while not self._stop.is_set():
            began, loop_cpu, process_cpu = (
                time.perf_counter(),
                time.thread_time(),
                time.process_time(),
            )
            await asyncio.sleep(PROBE_TICK)
            w = self.window
            w.stall_ms = max(w.stall_ms, (time.perf_counter() - began - PROBE_TICK) * 1000)
            w.loop_busy_ms = max(w.loop_busy_ms, (time.thread_time() - loop_cpu) * 1000)
            w.process_busy_ms = max(w.process_busy_ms, (time.process_time() - process_cpu) * 1000)

    async def _logs(self) -> None:
        while not self._stop.is_set():
            await asyncio.sleep(1 / self.rate)
            task = asyncio.create_task(self._log(self.window))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _log(self, window: Window) -> None:
        user = self._rng.choice(self.runners)
        self.keys += 1
        km = self._rng.randint(3, 15)
        incoming = Incoming(
            "telegram",
            user,
            user,
            command="log",
            # Seconds from the key: a runner repeating a run exactly is asked about a double tap.
            text=f"{km}k {km * 5}:{self.keys % 60:02d}",
            idempotency_key=f"loop-{self.keys}",
        )
        began = time.perf_counter()
        reply = await self.core.handle(incoming)
        window.logs_ms.append((time.perf_counter() - began) * 1000)
        if not reply.text.startswith("Logged"):
            self.failed.append(reply.text)

    async def measure(self, action: Callable[[], Awaitable[Reply]], rounds: int) -> Window:
        """Run ``action`` ``rounds`` times, one after another, in a fresh window."""
        self.window = window = Window()
        for _ in range(rounds):
            began = time.perf_counter()
            reply = await action()
            window.action_ms.append((time.perf_counter() - began) * 1000)
            assert not reply.text.startswith("Sorry"), reply.text
            await asyncio.sleep(0.05)  # the replies of /log sent meanwhile come back
        return window


async def seed(db: Database, core: Core, others: int, members: int) -> None:
    """The veteran, the other runners (a year each), a club and its big challenge."""
    rng = random.Random(7)
    veteran = (await core.accounts.identify("telegram", "veteran", "Veteran")).user.id
    run_rows, checkin_rows = history(veteran, 5 * 365, 1500, rng)
    for n in range(others):
        user = (await core.accounts.identify("telegram", f"r{n}", f"Runner {n}")).user.id
        more_runs, more_checkins = history(user, 365, 150, rng)
        run_rows += more_runs
        checkin_rows += more_checkins[::10]
    await insert_rows(db, runs, run_rows)
    await insert_rows(db, checkins, checkin_rows)
    admin = Incoming(
        "telegram", "veteran", CLUB_CHAT, is_private=False, is_admin=True, chat_title="Bench"
    )
    for command, words in (
        ("challenge", f"create {CHALLENGE} distance today 4w"),
        ("challenge", f"join {CHALLENGE}"),
    ):
        reply = await core.handle(_with(admin, command, words))
        assert not reply.text.startswith("Sorry"), reply.text
    async with db.reader() as uow:
        club = await uow.clubs.club("telegram", CLUB_CHAT)
        assert club is not None
        [challenge] = await uow.clubs.club_challenges(club.id, START.date())
    ids = range(FIRST_MEMBER_ID, FIRST_MEMBER_ID + members)
    await insert_rows(
        db, users, [{"id": i, "display_name": f"Member {i}", "created_at": START} for i in ids]
    )
    await insert_rows(
        db,
        challenge_members,
        [{"challenge_id": challenge.id, "user_id": i, "joined_at": START} for i in ids],
    )
    member_runs = []
    for i in ids:
        for _ in range(2):
            day = START.date() - timedelta(days=rng.randrange(0, 3))
            member_runs.append(
                {
                    "user_id": i,
                    "local_date": day,
                    "distance_m": float(rng.randrange(3000, 21000)),
                    "duration_s": rng.randrange(900, 7200),
                    "created_at": START,
                }
            )
    await insert_rows(db, runs, member_runs)
    if db.dialect == "postgresql":
        async with db.uow() as uow:  # fresh statistics, as a live database would have
            await uow.activity.conn.execute(text("ANALYZE"))
            await uow.commit()


def _with(base: Incoming, command: str, words: str) -> Incoming:
    return Incoming(
        base.platform,
        base.user_id,
        base.chat_id,
        is_private=base.is_private,
        is_admin=base.is_admin,
        command=command,
        text=words,
        chat_title=base.chat_title,
    )


async def measure(url: str, args: argparse.Namespace) -> list[tuple[str, ...]]:
    """Seed one database, then each heavy action under traffic; rows of the table."""
    if url.startswith("postgresql"):
        await reset_postgres(url)
    db = Database(url)
    await db.open()
    clock = FakeClock(START)
    charts = ChartPainter()  # a worker process, as the app draws them
    core = build_core(db, clock, charts=charts)
    out: list[tuple[str, ...]] = []
    try:
        began = time.perf_counter()
        await seed(db, core, args.others, args.members)
        seeded = time.perf_counter() - began
        dm = Incoming("telegram", "veteran", "veteran")
        group = Incoming("telegram", "veteran", CLUB_CHAT, is_private=False, chat_title="Bench")
        actions: list[tuple[str, Callable[[], Awaitable[Reply]]]] = [
            ("/export", lambda: core.handle(_with(dm, "export", ""))),
            ("/stats all", lambda: core.handle(_with(dm, "stats", "all"))),
            ("/chart habits", lambda: core.handle(_with(dm, "chart", "habits"))),
            (
                f"/challenge board ({args.members:,})",
                lambda: core.handle(_with(group, "challenge", f"board {CHALLENGE}")),
            ),
        ]
        for _, action in actions:  # warm-up (caches, first chart), not measured
            await action()
        heap.settle()  # as the app does once started (App.start)
        traffic = Traffic(core, clock, [f"r{n}" for n in range(args.others)], args.log_rate)
        traffic.start()
        try:
            idle_for = 0.5 * args.rounds

            async def idle() -> Reply:
                await asyncio.sleep(idle_for / args.rounds)
                return Reply("idle")

            windows = [("only /log traffic", await traffic.measure(idle, args.rounds))]
            for name, action in actions:
                windows.append((name, await traffic.measure(action, args.rounds)))
        finally:
            await traffic.stop()
        assert not traffic.failed, traffic.failed[:3]
        backend = db.engine.dialect.name
        for name, w in windows:
            out.append(
                (
                    backend,
                    name,
                    f"{percentile(w.action_ms, 0.5):.0f}" if name != windows[0][0] else "-",
                    f"{w.stall_ms:.1f}",
                    f"{w.loop_busy_ms:.1f} / {w.process_busy_ms:.1f}",
                    f"{len(w.logs_ms)}",
                    f"{percentile(w.logs_ms, 0.5):.1f}" if w.logs_ms else "-",
                    f"{percentile(w.logs_ms, 0.99):.1f}" if w.logs_ms else "-",
                    f"{seeded:.0f} s",
                )
            )
    finally:
        charts.close()
        await db.close()
    return out


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None, help="one database URL to measure")
    parser.add_argument("--rounds", type=int, default=3, help="times each action runs")
    parser.add_argument("--members", type=int, default=5000, help="the challenge's members")
    parser.add_argument("--others", type=int, default=100, help="runners sending /log")
    parser.add_argument("--log-rate", type=float, default=40.0, help="/log a second, all told")
    args = parser.parse_args()
    print(f"calibration loop: {calibrate():.2f} s; load average: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        urls = [args.db] if args.db else [f"sqlite:///{tmp}/loop.db"]
        if not args.db and os.environ.get("PACER_TEST_DATABASE_URL"):
            urls.append(os.environ["PACER_TEST_DATABASE_URL"])
        table: list[tuple[str, ...]] = [
            (
                "backend",
                "action (veteran)",
                "action ms",
                "longest stall ms",
                "busiest gap, CPU ms: loop / process",
                "others' /log",
                "p50 ms",
                "p99 ms",
                "seeding",
            )
        ]
        for url in urls:
            table += asyncio.run(measure(url, args))
    print(f"calibration loop: {calibrate():.2f} s; load average: {os.getloadavg()[0]:.1f}")
    print("targets: longest stall <= 50 ms; others' /log p99 <= 100 ms")
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
