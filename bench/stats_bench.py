"""Benchmark: /stats for a runner with five years of runs (about 1,500), chart included.

Run by hand (not a test)::

    .venv/bin/python -m bench.stats_bench [--db URL] [--runs 1500] [--others 300] [--rounds 40]

``--db`` defaults to a temporary SQLite file;
``postgresql://postgres@127.0.0.1:5432/pacer_bench`` also works (its schema ``public``
is dropped and recreated first). The veteran gets about 1,500 runs over five years
plus a night's sleep every day, mobility and a snack on most run days and strength
twice a week (about 5,500 check-ins); ``--others`` runners get a year each, so the
tables are not the veteran's alone. Every command goes through the whole core
(identify, SQL aggregates, wording, the chart drawn by the app's chart pool: a worker
process, or a thread with ``--charts thread``), with the fake clock moving between
commands. Also measured: drawing each chart alone, the event loop's longest stall while
/stats runs (the chart is drawn off the loop, so other chats keep being answered), the
same stall with charts drawn in a thread and in a worker process, and what an automatic
layout engine would cost.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bench.core_bench import PG_DEFAULT, calibrate, percentile, reset_postgres
from bot.bootstrap import build_core
from bot.chart_pool import ChartPainter
from bot.charts import calendar_png, distance_figure, distance_png, render
from bot.clock import FakeClock
from bot.core.dispatch import Core
from bot.messages import Incoming
from bot.progress import WeekPoint
from bot.storage.database import Database
from bot.storage.tables import checkins, runs

START = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


Rows = list[dict[str, Any]]


def history(user_id: int, days: int, run_count: int, rng: random.Random) -> tuple[Rows, Rows]:
    """Runs spread over ``days`` before today, and the habits around them."""
    today = START.date()
    run_rows: Rows = []
    checkin_rows: Rows = []
    run_days = sorted(rng.sample(range(1, days + 1), min(run_count, days)))
    for back in run_days:
        day = today - timedelta(days=back)
        distance = rng.choice([1000.0, 5000.0, 10000.0, 21097.5, rng.randint(3, 30) * 1000.0])
        run_rows.append(
            {
                "user_id": user_id,
                "local_date": day,
                "distance_m": distance,
                "duration_s": int(distance * rng.uniform(0.24, 0.4)),
                "note": "",
                "source_key": None,
                "created_at": CREATED,
            }
        )
        for habit, kind, chance in (("mobility", "pre", 0.5), ("mobility", "post", 0.7),
                                    ("fuel", "", 0.8)):  # fmt: skip
            if rng.random() < chance:
                checkin_rows.append(_checkin(user_id, habit, day, kind))
    for back in range(1, days + 1):
        day = today - timedelta(days=back)
        sleep = _checkin(user_id, "sleep", day, "")
        sleep["hours"] = round(rng.uniform(5.5, 8.5), 1)
        checkin_rows.append(sleep)
        if day.weekday() in (1, 4):
            strength = _checkin(user_id, "strength", day, "plank")
            strength["seconds"] = 60
            checkin_rows.append(strength)
    return run_rows, checkin_rows


def _checkin(user_id: int, habit: str, day: date, kind: str) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "habit": habit,
        "local_date": day,
        "kind": kind,
        "hours": None,
        "seconds": None,
        "note": "",
        "source_key": None,
        "created_at": CREATED,
    }


async def insert_rows(db: Database, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert, 5,000 rows to a transaction."""
    for first in range(0, len(rows), 5000):
        async with db.uow() as uow:
            await uow.activity.conn.execute(insert(table), list(rows[first : first + 5000]))
            await uow.commit()


async def user_id_of(core: Core, name: str) -> int:
    """Create a runner by first contact; their internal id."""
    account = await core.accounts.identify("telegram", name, name)
    return account.user.id


async def timed(
    rounds: int, action: Callable[[], Awaitable[Any]], clock: FakeClock | None = None
) -> list[float]:
    """Wall milliseconds of ``rounds`` calls (after one untimed warm-up)."""
    await action()
    samples = []
    for _ in range(rounds):
        if clock is not None:
            clock.advance(seconds=7)
        start = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def loop_stall(action: Callable[[], Awaitable[Any]], rounds: int) -> float:
    """The event loop's longest gap between two ticks (ms) while ``action`` runs."""
    longest = 0.0
    stop = False

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not stop:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    task = asyncio.create_task(ticker())
    for _ in range(rounds):
        await action()
    stop = True
    await task
    return longest * 1000


async def thread_or_process(weeks: Sequence[WeekPoint]) -> str:
    """The loop's longest stall while 10 charts are drawn in a thread, and in a process.

    Agg draws in C++ holding the GIL, so a drawing thread still stalls the loop in
    stretches; a worker process does not (Pacer draws in a worker process).
    """
    found = []
    for processes in (0, 1):
        painter = ChartPainter(processes)
        try:
            await painter.distance(weeks, "km")  # start the worker, import once

            async def draw(painter: ChartPainter = painter) -> None:
                await painter.distance(weeks, "km")

            found.append(await loop_stall(draw, 10))
        finally:
            painter.close()
    return (
        f"longest stall while drawing 10 charts: in a thread {found[0]:.1f} ms, "
        f"in a worker process {found[1]:.1f} ms"
    )


def layout_cost(weeks: Sequence[WeekPoint], rounds: int) -> str:
    """Median drawing time with Pacer's fixed margins and with each layout engine."""
    found = []
    for engine in (None, "tight", "constrained"):
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            fig = distance_figure(weeks, "km")
            if engine:
                fig.set_layout_engine(engine)
            render(fig)
            samples.append((time.perf_counter() - start) * 1000)
        found.append(f"{engine or 'fixed margins'} {statistics.median(samples):.0f} ms")
    return "distance chart drawing, median: " + ", ".join(found)


def line(name: str, samples: Sequence[float]) -> str:
    """One table row: p50, p99, mean."""
    return (
        f"| {name} | {percentile(samples, 0.5):.1f} | {percentile(samples, 0.99):.1f} | "
        f"{statistics.fmean(samples):.1f} | {len(samples)} |"
    )


async def bench(args: argparse.Namespace, url: str) -> list[str]:
    """Build the history, then time /stats, /chart and the charts alone."""
    if url.startswith("postgresql"):
        await reset_postgres(url)
    db = Database(url)
    await db.open()
    clock = FakeClock(START)
    charts = ChartPainter(processes=1 if args.charts == "process" else 0)
    core = build_core(db, clock, charts=charts)
    rng = random.Random(7)
    try:
        veteran = await user_id_of(core, "veteran")
        run_rows, checkin_rows = history(veteran, 5 * 365, args.runs, rng)
        for n in range(args.others):
            other = await user_id_of(core, f"runner{n}")
            more_runs, more_checkins = history(other, 365, 150, rng)
            run_rows += more_runs
            checkin_rows += more_checkins
        await insert_rows(db, runs, run_rows)
        await insert_rows(db, checkins, checkin_rows)
        veteran_runs = sum(1 for r in run_rows if r["user_id"] == veteran)
        veteran_checkins = sum(1 for c in checkin_rows if c["user_id"] == veteran)
        print(
            f"veteran: {veteran_runs} runs, {veteran_checkins} check-ins; "
            f"all runners: {len(run_rows)} runs, {len(checkin_rows)} check-ins"
        )

        def say(text: str) -> Callable[[], Awaitable[Any]]:
            command, _, rest = text[1:].partition(" ")

            async def send() -> None:
                reply = await core.handle(Incoming("telegram", "veteran", "veteran",
                                                   command=command, text=rest))  # fmt: skip
                assert reply.attachments, reply.text

            return send

        user = (await core.accounts.identify("telegram", "veteran", "veteran")).user
        weeks12 = await core.stats.weeks(user, 12)
        weeks8 = await core.stats.weeks(user, 8)

        async def draw_distance() -> None:
            distance_png(weeks12, "km")

        async def draw_calendar() -> None:
            calendar_png(weeks8, 2)

        async def period_only() -> None:
            await core.stats.period(user, "all")

        measures: list[tuple[str, Callable[[], Awaitable[Any]], FakeClock | None]] = [
            ("/stats all (with the chart)", say("/stats all"), clock),
            ("/stats month (with the chart)", say("/stats"), clock),
            ("/stats year (with the chart)", say("/stats year"), clock),
            ("/chart habits", say("/chart habits"), clock),
            ("stats 'all' queries only (no chart, no wording)", period_only, None),
            ("distance chart drawing alone", draw_distance, None),
            ("habit calendar drawing alone", draw_calendar, None),
        ]
        rows = ["| measure (ms) | p50 | p99 | mean | n |", "| --- | --- | --- | --- | --- |"]
        for name, action, moving in measures:
            rows.append(line(name, await timed(args.rounds, action, moving)))

        async def idle() -> None:
            await asyncio.sleep(0.5)

        quiet = await loop_stall(idle, 10)
        stall = await loop_stall(say("/stats all"), 10)
        rows.append(
            f"\nlongest event-loop stall during 10 x /stats all (charts in a {args.charts}): "
            f"{stall:.1f} ms "
            f"(while idle for 5 s: {quiet:.1f} ms)"
        )
        rows.append(await thread_or_process(weeks12))
        rows.append(layout_cost(weeks12, 10))
        return rows
    finally:
        charts.close()
        await db.close()


def main() -> None:
    """Parse arguments, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None, help=f"database URL (e.g. {PG_DEFAULT})")
    parser.add_argument("--runs", type=int, default=1500, help="the veteran's runs (5 years)")
    parser.add_argument("--others", type=int, default=300, help="runners with a year each")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument(
        "--charts", choices=("process", "thread"), default="process", help="where /stats draws"
    )
    args = parser.parse_args()
    print(f"calibration loop: {calibrate():.2f} s (0.64 s on a quiet machine)")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/stats_bench.db"
        started = time.perf_counter()
        rows = asyncio.run(bench(args, url))
        print(f"database: {url.split('://')[0]}; wall {time.perf_counter() - started:.0f} s")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
