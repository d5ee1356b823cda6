"""Nudge engine benchmark: run by hand, prints a table (not a test).

    .venv/bin/python -m bench.nudge_bench [--runners 100000] [--burst 10000] [--naive 300000]

Each part runs in its own spawned process so resident memory is measured
cleanly: (1) schedule N runners x 3 kinds over 30 zones in SQLite and time the
sweep ticks; (2) drain a burst of nudges due in the same minute through a fake
Telegram messenger at 30 msg/s on a simulated clock; (3) the naive design, one
in-memory APScheduler CronTrigger job per runner and kind, for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil

from bot.clock import FakeClock
from bot.core.messages import Reply
from bot.nudges.engine import EngineSettings, NudgeEngine
from bot.nudges.outbound import RateLimits
from bot.nudges.schedule import zone
from bot.storage.database import Database

log = logging.getLogger(__name__)

ZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Sao_Paulo", "America/St_Johns", "America/Mexico_City", "America/Anchorage",
    "Europe/London", "Europe/Berlin", "Europe/Madrid", "Europe/Athens", "Europe/Moscow",
    "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai", "Asia/Tehran",
    "Asia/Kolkata", "Asia/Kathmandu", "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo",
    "Australia/Sydney", "Australia/Adelaide", "Australia/Perth", "Pacific/Auckland",
    "Pacific/Honolulu", "+05:30", "-03:00",
)  # fmt: skip
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
START = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
BUSY_START = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)


def rss_mib() -> float:
    """Resident memory of this process in MiB."""
    return float(psutil.Process().memory_info().rss) / 2**20


def peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class FakeMessenger:
    """Records every accepted message with the simulated time it was sent."""

    def __init__(self, platform: str, clock: FakeClock) -> None:
        self.platform = platform
        self.clock = clock
        self.sent: list[tuple[str, datetime, str | None]] = []

    async def send_direct(
        self, platform_user_id: str, reply: Reply, *, dedupe_key: str | None = None
    ) -> None:
        """Accept the message at once."""
        self.sent.append((platform_user_id, self.clock.now(), dedupe_key))


def fake_sleep(clock: FakeClock) -> Callable[[float], Awaitable[None]]:
    """Move the simulated clock instead of sleeping."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    return sleep


def _hhmm(minutes: int) -> str:
    minutes %= 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


async def _insert_runners(db: Database, count: int, *, same_minute: bool = False) -> None:
    rng = random.Random(42)
    users: list[tuple[str, str, str | None, str | None, str]] = []
    for n in range(count):
        if same_minute:
            users.append(("UTC", "", None, None, "07:00"))
            continue
        days = ",".join(sorted(rng.sample(DAYS, 3), key=DAYS.index))
        users.append(
            (
                ZONES[n % len(ZONES)],
                days,
                _hhmm(rng.randrange(6 * 60, 19 * 60, 5)),
                _hhmm(rng.randrange(21 * 60 + 30, 24 * 60 + 31, 5)),
                _hhmm(rng.randrange(5 * 60, 8 * 60, 5)),
            )
        )
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO users (timezone, run_days, run_time, bedtime, wake_time, created_at)"
            " VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00+00:00')",
            users,
        )
        await conn.execute(
            "INSERT INTO identities (platform, platform_user_id, user_id, last_seen_at)"
            " SELECT 'telegram', 'tg' || id, id, '2026-01-01T00:00:00+00:00' FROM users"
        )


def part_schedule(runners: int, ticks: int) -> dict[str, Any]:
    """Schedule ``runners`` x 3 kinds, then time sweep ticks."""
    return asyncio.run(_part_schedule(runners, ticks))


async def _part_schedule(runners: int, ticks: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.db")
        db = Database(path)
        await db.open()
        # Schedule at 05:00 UTC, then tick through the busiest hour: morning in
        # Europe and Africa, evening wind-downs in Asia and Oceania.
        clock = FakeClock(BUSY_START)
        messenger = FakeMessenger("telegram", clock)
        engine = NudgeEngine(
            db,
            clock,
            {"telegram": messenger},
            EngineSettings(),
            sleep=fake_sleep(clock),
            limits={"telegram": RateLimits(per_second=None, max_in_flight=64)},
        )
        await _insert_runners(db, runners)
        gc.collect()
        base = rss_mib()
        t0 = time.perf_counter()
        await engine.reschedule_users()
        schedule_s = time.perf_counter() - t0
        gc.collect()
        after = rss_mib()
        async with db.conn.execute(
            "SELECT count(*) FROM nudge_schedules WHERE next_due_utc IS NOT NULL"
        ) as cur:
            row = await cur.fetchone()
        schedules = int(row[0]) if row else 0

        idle = []
        for _ in range(20):  # nothing due: the index says so at once
            t0 = time.perf_counter()
            await engine.sweep()
            idle.append(time.perf_counter() - t0)

        busy, claims, drain = [], [], []
        for _ in range(ticks):
            clock.advance(seconds=5)
            t0 = time.perf_counter()
            report = await engine.sweep()
            busy.append(time.perf_counter() - t0)
            claims.append(report.claimed)
            t0 = time.perf_counter()
            await engine.drain()
            drain.append(time.perf_counter() - t0)
        claimed = sum(claims)
        await db.close()
        size_mib = await asyncio.to_thread(os.path.getsize, path) / 2**20
    loaded = [t for t, c in zip(busy, claims, strict=True) if c]
    return {
        "runners": runners,
        "schedules": schedules,
        "schedule_s": schedule_s,
        "rss_base": base,
        "rss_after": after,
        "peak_rss": peak_rss_mib(),
        "db_mib": size_mib,
        "idle_ms": statistics.median(idle) * 1000,
        "ticks": ticks,
        "claimed": claimed,
        "sent": len(messenger.sent),
        "busy_ms_mean": statistics.mean(loaded) * 1000 if loaded else 0.0,
        "busy_ms_max": max(loaded) * 1000 if loaded else 0.0,
        "claims_per_tick_max": max(claims),
        "per_claim_ms": sum(loaded) / claimed * 1000 if claimed else 0.0,
        "drain_ms_per_msg": sum(drain) / max(1, len(messenger.sent)) * 1000,
    }


def part_burst(count: int) -> dict[str, Any]:
    """``count`` nudges due in one minute through a fake Telegram at 30/s."""
    return asyncio.run(_part_burst(count))


async def _part_burst(count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(os.path.join(tmp, "burst.db"))
        await db.open()
        clock = FakeClock(START)
        messenger = FakeMessenger("telegram", clock)
        engine = NudgeEngine(db, clock, {"telegram": messenger}, sleep=fake_sleep(clock))
        await _insert_runners(db, count, same_minute=True)
        await engine.reschedule_users()
        clock.set(datetime(2026, 11, 27, 7, 0, 2, tzinfo=UTC))
        t0 = time.perf_counter()
        report = await engine.sweep()
        claim_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        await engine.drain()
        drain_s = time.perf_counter() - t0
        again = await engine.sweep()  # a second sweep must find nothing
        await engine.drain()
        async with db.conn.execute(
            "SELECT status, count(*) FROM nudge_deliveries GROUP BY status"
        ) as cur:
            statuses = {r[0]: r[1] for r in await cur.fetchall()}
        await db.close()
    times = sorted(at for _, at, _ in messenger.sent)
    span = (times[-1] - times[0]).total_seconds() + 1.0  # close the last one-second window
    keys = Counter(key for _, _, key in messenger.sent)
    chats = Counter(chat for chat, _, _ in messenger.sent)
    worst_window, j = 0, 0
    for i, t in enumerate(times):
        while j < len(times) and times[j] < t + timedelta(seconds=1):
            j += 1
        worst_window = max(worst_window, j - i)
    return {
        "count": count,
        "claimed": report.claimed + again.claimed,
        "sent": len(messenger.sent),
        "duplicates": sum(n - 1 for n in keys.values() if n > 1)
        + sum(n - 1 for n in chats.values() if n > 1),
        "lost": count - len(chats),
        "statuses": statuses,
        "span_s": span,
        "rate": len(times) / span,
        "worst_window": worst_window,
        "claim_s": claim_s,
        "drain_s": drain_s,
    }


def part_naive(jobs_per_kind: int) -> dict[str, Any]:
    """One in-memory APScheduler CronTrigger job per runner and kind (3 kinds)."""
    return asyncio.run(_part_naive(jobs_per_kind))


async def _noop() -> None:
    """The job body (never runs: the scheduler is paused)."""


async def _part_naive(runners: int) -> dict[str, Any]:
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger

    rng = random.Random(42)
    scheduler = AsyncIOScheduler(jobstores={"default": MemoryJobStore()}, timezone=UTC)
    scheduler.start(paused=True)  # jobs go straight to the store with their next run time
    gc.collect()
    base = rss_mib()
    t0 = time.perf_counter()
    for n in range(runners):
        tz = ZONES[n % len(ZONES)]
        tzinfo = zone(tz)
        days = ",".join(sorted(rng.sample(DAYS, 3), key=DAYS.index))
        run = rng.randrange(6 * 60, 19 * 60, 5) - 10
        bed = rng.randrange(21 * 60 + 30, 24 * 60 + 31, 5) - 30
        wake = rng.randrange(5 * 60, 8 * 60, 5)
        for kind, minutes, dow in (
            ("wind_down", bed, "*"),
            ("sleep", wake, "*"),
            ("mobility", run, days),
        ):
            trigger = CronTrigger(
                day_of_week=dow, hour=(minutes // 60) % 24, minute=minutes % 60, timezone=tzinfo
            )
            scheduler.add_job(_noop, trigger, id=f"{kind}:{n}", max_instances=1, coalesce=True)
    add_s = time.perf_counter() - t0
    gc.collect()
    after = rss_mib()
    jobs = len(scheduler.get_jobs())
    scheduler.shutdown(wait=False)
    return {
        "runners": runners,
        "jobs": jobs,
        "add_s": add_s,
        "rss_base": base,
        "rss_after": after,
        "peak_rss": peak_rss_mib(),
    }


def _in_child(func: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(func, args)


def main() -> None:
    """Run the three parts and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runners", type=int, default=100_000)
    parser.add_argument("--ticks", type=int, default=720, help="5-second sweep ticks to time")
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=100_000, help="runners for the naive run")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    ours = _in_child(part_schedule, args.runners, args.ticks)
    burst = _in_child(part_burst, args.burst)
    naive = _in_child(part_naive, args.naive)

    ours_mem = ours["rss_after"] - ours["rss_base"]
    naive_mem = naive["rss_after"] - naive["rss_base"]
    scale = ours["runners"] / naive["runners"]
    naive_s_scaled = naive["add_s"] * scale
    naive_mem_scaled = naive_mem * scale
    rows = [
        ("Pacer: runners x kinds scheduled", f"{ours['runners']:,} x 3 = {ours['schedules']:,}"),
        ("Pacer: time to schedule all", f"{ours['schedule_s']:.1f} s"),
        (
            "Pacer: RSS growth after scheduling",
            f"{ours_mem:.0f} MiB (peak RSS {ours['peak_rss']:.0f} MiB)",
        ),
        ("Pacer: database file", f"{ours['db_mib']:.0f} MiB"),
        ("Pacer: idle sweep tick (nothing due)", f"{ours['idle_ms']:.2f} ms"),
        (
            f"Pacer: busy ticks ({ours['ticks']} x 5 s, {ours['claimed']:,} claimed)",
            f"mean {ours['busy_ms_mean']:.1f} ms, max {ours['busy_ms_max']:.1f} ms "
            f"({ours['claims_per_tick_max']} claims), {ours['per_claim_ms']:.2f} ms/claim",
        ),
        ("Pacer: recording a send outcome", f"{ours['drain_ms_per_msg']:.2f} ms/msg"),
        (f"Burst: {burst['count']:,} due in one minute, claim", f"{burst['claim_s']:.1f} s"),
        (
            "Burst: drain via fake Telegram (simulated time)",
            f"{burst['span_s']:.0f} s simulated, {burst['drain_s']:.1f} s real",
        ),
        ("Burst: achieved rate", f"{burst['rate']:.2f} msg/s = {burst['rate'] / 30:.1%} of 30/s"),
        ("Burst: worst one-second window", f"{burst['worst_window']} messages"),
        (
            "Burst: duplicates / lost / statuses",
            f"{burst['duplicates']} / {burst['lost']} / {burst['statuses']}",
        ),
        (f"Naive: {naive['runners']:,} x 3 CronTrigger jobs", f"{naive['jobs']:,} jobs"),
        ("Naive: time to add", f"{naive['add_s']:.1f} s"),
        ("Naive: RSS growth", f"{naive_mem:.0f} MiB (peak RSS {naive['peak_rss']:.0f} MiB)"),
    ]
    if scale != 1:
        rows += [
            (
                f"Naive scaled x{scale:g} to {ours['runners']:,} runners",
                f"{naive_s_scaled:.0f} s, {naive_mem_scaled:.0f} MiB",
            )
        ]
    rows += [
        ("Ratio naive / Pacer: time to schedule", f"{naive_s_scaled / ours['schedule_s']:.1f}x"),
        ("Ratio naive / Pacer: memory", f"{naive_mem_scaled / max(ours_mem, 1.0):.1f}x"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}} | result")
    print(f"{'-' * width}-|-{'-' * 40}")
    for name, value in rows:
        print(f"{name:<{width}} | {value}")


if __name__ == "__main__":
    main()
