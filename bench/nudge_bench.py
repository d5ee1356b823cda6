"""Nudge delivery benchmark: run by hand, prints a table (not a test).

    .venv/bin/python -m bench.nudge_bench [--db URL] [--runners 100000] [--burst 1500]
        [--naive 100000]

``--db`` defaults to a temporary SQLite file; ``postgresql://postgres@127.0.0.1:5432/pacer_bench``
also works (schema ``public`` is dropped and recreated before each part, then opening
the database migrates it). Each part runs in its own spawned process so resident
memory is measured cleanly:

1. schedule N runners x 3 kinds over 30 zones with ``reschedule_users`` (time, RSS),
   then time idle sweeps (nothing due);
2. a burst of nudges due in one minute, drained through the real Sweeper,
   OutboundQueue and SendBudget on the real clock (shifted to the due date) with real
   ``asyncio.sleep``, into a fake Telegram messenger that records when each request
   reaches it; rate, worst sliding one-second window, duplicates and lost are computed
   from those receive times (10,000 at 30/s takes about 5.5 minutes, hence the flag);
   ``/log`` reply latency (``core.handle`` plus an urgent place of the same Telegram
   send budget, as the Telegram adapter takes for a reply) is measured first with nothing
   due (idle, sweeps still running), then while the burst drains;
3. the naive design, one in-memory APScheduler CronTrigger job per runner and kind.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import psutil
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from bot.bootstrap import build_core
from bot.budget import Place, SendBudget
from bot.core.dispatch import Core
from bot.delivery.sweep import SweepSettings
from bot.messages import Incoming, Reply
from bot.models import zone
from bot.storage.database import Database
from bot.storage.tables import identities, users

log = logging.getLogger(__name__)

ZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Sao_Paulo", "America/St_Johns", "America/Mexico_City", "America/Anchorage",
    "Europe/London", "Europe/Berlin", "Europe/Madrid", "Europe/Athens", "Europe/Moscow",
    "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai", "Asia/Tehran",
    "Asia/Kolkata", "Asia/Kathmandu", "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo",
    "Australia/Sydney", "Australia/Adelaide", "Australia/Perth", "Pacific/Auckland",
    "Pacific/Honolulu", "Europe/Paris", "Asia/Seoul",
)  # fmt: skip
START = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
BUSY_START = datetime(2026, 11, 27, 5, 2, 30, tzinfo=UTC)  # between 5-minute marks
BURST_DUE = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
TELEGRAM_RATE = 30.0


def calibrate() -> float:
    """Seconds for a fixed pure-Python loop: tells how fast this (noisy) machine is now."""
    start = time.perf_counter()
    sum(i * i for i in range(10**7))
    return time.perf_counter() - start


def rss_mib() -> float:
    """Resident memory of this process in MiB."""
    return float(psutil.Process().memory_info().rss) / 2**20


def peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ShiftedClock:
    """The real clock's progress, to the microsecond, from a chosen instant (:meth:`set`).

    Only shifted, so that the burst falls due at a known instant; it moves exactly as
    the system clock does (no rounding: the queue and the send budget compare with one read).
    """

    def __init__(self, start: datetime) -> None:
        self.set(start)

    def set(self, when: datetime) -> None:
        """From now on, read ``when`` plus the real time elapsed since this call."""
        self._base = when
        self._t0 = time.perf_counter()

    def now(self) -> datetime:
        """The shifted instant."""
        return self._base + timedelta(seconds=time.perf_counter() - self._t0)

    def monotonic(self) -> float:
        """Real seconds, unshifted: moving the instant moves no place of the send budget."""
        return time.perf_counter()


class FakeTelegram:
    """Records each request's arrival (monotonic seconds), chat and dedupe key."""

    platform = "telegram"

    def __init__(self) -> None:
        self.received: list[tuple[float, str, str | None]] = []

    async def send_direct(
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Accept the message at once."""
        self.received.append((time.perf_counter(), platform_user_id, dedupe_key))

    async def send_group(
        self,
        chat_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Accept the post at once."""
        self.received.append((time.perf_counter(), chat_id, dedupe_key))


class NoScheduler:
    """Takes the sweep job and never runs it: the bench calls ``sweep`` itself."""

    def add_job(self, func: Callable[..., Any], trigger: str, **kwargs: Any) -> None:
        """Ignore the job."""


def percentile(samples: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``samples``."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def is_postgres(url: str) -> bool:
    """True for a PostgreSQL URL."""
    return make_url(url).get_backend_name() in ("postgresql", "postgres")


async def open_db(url: str) -> Database:
    """A freshly migrated database (PostgreSQL: schema public dropped and recreated)."""
    if is_postgres(url):
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()
    db = Database(url)
    await db.open()
    return db


def _hhmm(minutes: int) -> str:
    minutes %= 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


async def insert_runners(
    db: Database, count: int, *, same_minute: bool = False, account_base: int | None = None
) -> None:
    """Runners 1..count with a Telegram identity each (ids given explicitly).

    Their Telegram ids are ``tg<n>``, or ``account_base + n`` (numeric, as the real
    Telegram messenger needs them).
    """
    rng = random.Random(42)
    people: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        if same_minute:
            person: dict[str, Any] = {
                "timezone": "UTC",
                "run_days": (),
                "run_time": None,
                "bedtime": None,
                "wake_time": "07:00",
            }
        else:
            person = {
                "timezone": ZONES[n % len(ZONES)],
                "run_days": tuple(sorted(rng.sample(range(7), 3))),
                "run_time": _hhmm(rng.randrange(6 * 60, 19 * 60, 5)),
                "bedtime": _hhmm(rng.randrange(21 * 60 + 30, 24 * 60 + 31, 5)),
                "wake_time": _hhmm(rng.randrange(5 * 60, 8 * 60, 5)),
            }
        people.append({"id": n, "created_at": CREATED, **person})
        accounts.append(
            {
                "platform": "telegram",
                "platform_user_id": f"tg{n}" if account_base is None else str(account_base + n),
                "user_id": n,
                "last_seen_at": CREATED,
            }
        )
    for first in range(0, count, 5000):
        async with db.uow() as uow:
            conn = uow._conn
            assert conn is not None
            await conn.execute(insert(users), people[first : first + 5000])
            await conn.execute(insert(identities), accounts[first : first + 5000])
            await uow.commit()
    if db.dialect == "postgresql":  # ids were given: move the sequence past them
        async with db.uow() as uow:
            conn = uow._conn
            assert conn is not None
            await conn.execute(
                text("SELECT setval(pg_get_serial_sequence('users', 'id'), :n)"), {"n": count}
            )
            await uow.commit()


def part_schedule(url: str, runners: int, idle_sweeps: int) -> dict[str, Any]:
    """Schedule ``runners`` x 3 kinds, then time idle sweeps."""
    return asyncio.run(_part_schedule(url, runners, idle_sweeps))


async def _part_schedule(url: str, runners: int, idle_sweeps: int) -> dict[str, Any]:
    db = await open_db(url)
    clock = ShiftedClock(BUSY_START)
    core = build_core(db, clock, SweepSettings())
    core.messengers["telegram"] = FakeTelegram()
    await insert_runners(db, runners)
    gc.collect()
    base = rss_mib()
    t0 = time.perf_counter()
    scheduled = await core.services.nudge_settings.reschedule_users()
    schedule_s = time.perf_counter() - t0
    gc.collect()
    after = rss_mib()
    async with db.reader() as uow:
        first_due = await uow.nudges.next_due()
    idle: list[float] = []
    written = 0
    for _ in range(idle_sweeps):  # nothing due: the index says so at once
        t0 = time.perf_counter()
        report = await core.sweeper.sweep()
        idle.append(time.perf_counter() - t0)
        written += report.written + report.claimed
    await db.close()
    return {
        "runners": scheduled,
        "schedule_s": schedule_s,
        "rss_base": base,
        "rss_after": after,
        "peak_rss": peak_rss_mib(),
        "first_due": first_due,
        "idle_ms": statistics.median(idle) * 1000,
        "idle_ms_max": max(idle) * 1000,
        "idle_work": written,
    }


REPLY_CHAT_BASE = 9_000_000  # reply runners' Telegram ids: private chats, not the burst's


class Replies:
    """``/log`` replies as the Telegram adapter makes them, timed; sent every ``interval``."""

    def __init__(self, core: Core, budget: SendBudget, runners: int, interval: float) -> None:
        self.core = core
        self.budget = budget
        self.chats = [str(REPLY_CHAT_BASE + n) for n in range(runners)]
        self.interval = interval
        self.sent = 0
        self.rng = random.Random(3)
        self.granted: list[float] = []  # perf_counter of each reply's place: it is a request too

    async def one(self) -> float:
        """One ``/log``: core.handle, then an urgent place of the send budget."""
        chat = self.chats[self.sent % len(self.chats)]
        self.sent += 1
        km = self.rng.randint(3, 21)
        seconds = km * self.rng.randint(270, 450)
        incoming = Incoming(
            "telegram",
            chat,
            chat,
            command="log",
            text=f"{km}k {seconds // 60}:{seconds % 60:02d}",
            idempotency_key=f"reply-{self.sent}",
        )
        t0 = time.perf_counter()
        reply = await self.core.handle(incoming)
        async with self.budget.place(chat, urgent=True):  # the fake request ends at once
            self.granted.append(time.perf_counter())
        took = time.perf_counter() - t0
        assert reply.text.startswith("Logged"), reply.text
        return took

    async def run(self, stop: asyncio.Event, out: list[float]) -> None:
        """One reply every ``interval`` seconds (from each start) until ``stop`` is set."""
        while not stop.is_set():
            t0 = time.perf_counter()
            out.append(await self.one())
            left = self.interval - (time.perf_counter() - t0)
            if left > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), left)


async def sweep_loop(core: Core, seconds: float, until: Callable[[], bool]) -> int:
    """Sweep every ``sweep_seconds`` for ``seconds`` or until ``until()``; how many sweeps."""
    t0, sweeps = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds and not until():
        await core.sweeper.sweep()
        sweeps += 1
        await asyncio.sleep(core.sweeper.settings.sweep_seconds)
    return sweeps


def part_burst(
    url: str, count: int, limit_s: float, reply_runners: int, reply_interval: float, idle_s: float
) -> dict[str, Any]:
    """``count`` nudges due in one minute through the real sweep, queue and send budget."""
    return asyncio.run(_part_burst(url, count, limit_s, reply_runners, reply_interval, idle_s))


async def _part_burst(
    url: str, count: int, limit_s: float, reply_runners: int, reply_interval: float, idle_s: float
) -> dict[str, Any]:
    db = await open_db(url)
    clock = ShiftedClock(START)
    settings = SweepSettings()
    core: Core = build_core(db, clock, settings)
    telegram = FakeTelegram()
    core.messengers["telegram"] = telegram
    await insert_runners(db, count, same_minute=True)
    await core.services.nudge_settings.reschedule_users()
    sweeper = core.sweeper
    replies = Replies(core, sweeper.queues.budget("telegram"), reply_runners, reply_interval)
    for chat in replies.chats:  # first contact creates them, and a first /log warms caches
        await core.handle(Incoming("telegram", chat, chat, command="help"))
    for _ in replies.chats:
        await replies.one()
    sweeper.start(NoScheduler())

    # Idle: nothing due (an hour before the burst), sweeps every 5 s, one reply per interval.
    clock.set(BURST_DUE - timedelta(hours=1))
    idle_latency: list[float] = []
    stop = asyncio.Event()
    if reply_runners:
        load = asyncio.create_task(replies.run(stop, idle_latency))
        await sweep_loop(core, idle_s, lambda: False)
        stop.set()
        await load

    # The burst, with the same replies going on while it drains (--reply-runners 0: none).
    clock.set(BURST_DUE + timedelta(seconds=2))
    busy_latency: list[float] = []
    stop = asyncio.Event()
    replies.granted.clear()
    busy_load = asyncio.create_task(replies.run(stop, busy_latency)) if reply_runners else None
    t_start = time.perf_counter()
    sweeps = 0
    claim_s: list[float] = []
    statuses: dict[str, int] = {}
    while time.perf_counter() - t_start < limit_s:
        t0 = time.perf_counter()
        report = await sweeper.sweep()
        claim_s.append(time.perf_counter() - t0)
        sweeps += 1
        async with db.reader() as uow:
            statuses = await uow.deliveries.counts()
        open_rows = sum(statuses.get(s, 0) for s in ("due", "claimed", "sending"))
        if sweeps > 1 and open_rows == 0 and report.claimed == 0:
            break
        await asyncio.sleep(settings.sweep_seconds)
    elapsed = time.perf_counter() - t_start
    stop.set()
    if busy_load is not None:
        await busy_load
    again = await sweeper.sweep()  # one more sweep must find nothing
    await sweeper.stop()
    async with db.reader() as uow:
        statuses = await uow.deliveries.counts()
    await db.close()

    burst = [r for r in telegram.received if r[1].startswith("tg")]  # not reply runners'
    times = sorted(at for at, _, _ in burst)
    # Every request in the burst's span: nudges, reply runners' nudges, replies' places.
    every = sorted(
        [at for at, _, _ in telegram.received]
        + [at for at in replies.granted if times and times[0] <= at <= times[-1]]
    )
    keys = Counter(key for _, _, key in burst)
    chats = Counter(chat for _, chat, _ in burst)
    worst_window, j = 0, 0
    for i, t in enumerate(times):
        while j < len(times) and times[j] < t + 1.0:
            j += 1
        worst_window = max(worst_window, j - i)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    worst_all, j = 0, 0
    for i, t in enumerate(every):
        while j < len(every) and every[j] < t + 1.0:
            j += 1
        worst_all = max(worst_all, j - i)
    return {
        "all_in_span": len(every),
        "all_rate": (len(every) - 1) / span if span else 0.0,
        "worst_window_all": worst_all,
        "count": count,
        "received": len(times),
        "duplicates": sum(n - 1 for n in keys.values() if n > 1)
        + sum(n - 1 for n in chats.values() if n > 1),
        "lost": count - len(chats),
        "statuses": statuses,
        "again": again.claimed + again.written,
        "span_s": span,
        "rate": (len(times) - 1) / span if span else 0.0,
        "first_after_s": times[0] - t_start if times else 0.0,
        "end_to_end_rate": len(times) / (times[-1] - t_start) if times else 0.0,
        "worst_window": worst_window,
        "sweeps": sweeps,
        "first_sweep_s": claim_s[0] if claim_s else 0.0,
        "sweep_ms_mean": statistics.mean(claim_s) * 1000 if claim_s else 0.0,
        "elapsed_s": elapsed,
        "other_received": len(telegram.received) - len(burst),
        "idle_latency": idle_latency,
        "busy_latency": busy_latency,
    }


def part_naive(runners: int) -> dict[str, Any]:
    """One in-memory APScheduler CronTrigger job per runner and kind (3 kinds)."""
    return asyncio.run(_part_naive(runners))


async def _noop() -> None:
    """The job body (never runs: the scheduler is paused)."""


async def _part_naive(runners: int) -> dict[str, Any]:
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger

    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    rng = random.Random(42)
    scheduler = AsyncIOScheduler(jobstores={"default": MemoryJobStore()}, timezone=UTC)
    scheduler.start(paused=True)  # jobs go straight to the store with their next run time
    gc.collect()
    base = rss_mib()
    t0 = time.perf_counter()
    for n in range(runners):
        tzinfo = zone(ZONES[n % len(ZONES)])
        dow = ",".join(days[d] for d in sorted(rng.sample(range(7), 3)))
        run = rng.randrange(6 * 60, 19 * 60, 5) - 10
        bed = rng.randrange(21 * 60 + 30, 24 * 60 + 31, 5) - 30
        wake = rng.randrange(5 * 60, 8 * 60, 5)
        for kind, minutes, on in (("wind_down", bed, "*"), ("sleep", wake, "*"), ("mob", run, dow)):
            trigger = CronTrigger(
                day_of_week=on, hour=(minutes // 60) % 24, minute=minutes % 60, timezone=tzinfo
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
        result: dict[str, Any] = pool.apply(func, args)
        return result


def main() -> None:
    """Run the parts and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite file)")
    parser.add_argument("--runners", type=int, default=100_000)
    parser.add_argument("--idle-sweeps", type=int, default=20)
    parser.add_argument("--burst", type=int, default=1500, help="nudges due in one minute")
    parser.add_argument("--burst-timeout", type=float, default=900.0, help="seconds")
    parser.add_argument("--reply-runners", type=int, default=40, help="runners sending /log")
    parser.add_argument(
        "--reply-interval", type=float, default=0.25, help="seconds between /log replies"
    )
    parser.add_argument("--idle-seconds", type=float, default=30.0, help="idle reply phase")
    parser.add_argument("--naive", type=int, default=100_000, help="runners (0 skips it)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        burst_url = args.db or f"sqlite:///{Path(tmp) / 'burst.db'}"
        backend = "PostgreSQL" if is_postgres(url) else "SQLite file"
        print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {backend}")
        print(f"calibration loop: {calibrate():.2f} s before")
        ours = _in_child(part_schedule, url, args.runners, args.idle_sweeps)
        burst = _in_child(
            part_burst,
            burst_url,
            args.burst,
            args.burst_timeout,
            args.reply_runners,
            args.reply_interval,
            args.idle_seconds,
        )
    naive = _in_child(part_naive, args.naive) if args.naive else None

    ours_mem = ours["rss_after"] - ours["rss_base"]
    idle_lat, busy_lat = burst["idle_latency"], burst["busy_latency"]
    nan = float("nan")  # --reply-runners 0: no replies timed
    idle_p50, idle_p99 = (percentile(idle_lat, q) * 1000 if idle_lat else nan for q in (0.5, 0.99))
    busy_p50, busy_p99 = (percentile(busy_lat, q) * 1000 if busy_lat else nan for q in (0.5, 0.99))
    rate = burst["rate"]
    rows = [
        ("Pacer: runners scheduled (x 3 kinds)", f"{ours['runners']:,}"),
        ("Pacer: reschedule_users, all", f"{ours['schedule_s']:.1f} s"),
        (
            "Pacer: RSS growth while scheduling",
            f"{ours_mem:.0f} MiB (peak RSS {ours['peak_rss']:.0f} MiB)",
        ),
        (
            f"Pacer: idle sweep, median of {args.idle_sweeps}",
            f"{ours['idle_ms']:.2f} ms (max {ours['idle_ms_max']:.2f} ms, "
            f"{ours['idle_work']} rows touched; first due {ours['first_due']:%H:%M} UTC)",
        ),
        (
            f"Burst: {burst['count']:,} due in one minute, first sweep",
            f"{burst['first_sweep_s'] * 1000:.0f} ms ({burst['sweeps']} sweeps, "
            f"mean {burst['sweep_ms_mean']:.0f} ms)",
        ),
        (
            "Burst: received by fake Telegram",
            f"{burst['received']:,} over {burst['span_s']:.1f} s (first "
            f"{burst['first_after_s']:.2f} s after the first sweep began)",
        ),
        (
            "Burst: rate at the receiver",
            f"{rate:.2f} msg/s = {rate / TELEGRAM_RATE:.3f} of 30/s "
            f"(end to end from the first sweep: {burst['end_to_end_rate']:.2f} msg/s)",
        ),
        ("Burst: max in any sliding 1-s window", f"{burst['worst_window']} messages"),
        (
            "Burst + replies' requests: rate, max in a sliding 1-s window",
            f"{burst['all_rate']:.2f} req/s = {burst['all_rate'] / TELEGRAM_RATE:.3f} of 30/s "
            f"({burst['all_in_span']:,} requests), max {burst['worst_window_all']}",
        ),
        (
            "Burst: other messages (reply runners' nudges)",
            f"{burst['other_received']} (not counted above)",
        ),
        (
            "Reply /log + urgent place: idle p50 / p99",
            f"{idle_p50:.2f} / {idle_p99:.2f} ms ({len(idle_lat)} replies)",
        ),
        (
            "Reply /log + urgent place: during burst p50 / p99",
            f"{busy_p50:.2f} / {busy_p99:.2f} ms ({len(busy_lat)} replies)",
        ),
        (
            "Reply: during burst / idle",
            f"p50 {busy_p50 / idle_p50:.2f}x, p99 {busy_p99 / idle_p99:.2f}x",
        ),
        ("Burst: duplicates / lost", f"{burst['duplicates']} / {burst['lost']}"),
        (
            "Burst: delivery statuses / sweep after",
            f"{burst['statuses']} / {burst['again']} rows",
        ),
    ]
    if naive is not None:
        naive_mem = naive["rss_after"] - naive["rss_base"]
        scale = ours["runners"] / naive["runners"]
        rows += [
            (f"Naive: {naive['runners']:,} x 3 CronTrigger jobs", f"{naive['jobs']:,} jobs"),
            ("Naive: time to add", f"{naive['add_s']:.1f} s"),
            ("Naive: RSS growth", f"{naive_mem:.0f} MiB (peak RSS {naive['peak_rss']:.0f} MiB)"),
            (
                f"Ratio naive (x{scale:g}) / Pacer: time",
                f"{naive['add_s'] * scale / ours['schedule_s']:.2f}x",
            ),
            (
                f"Ratio naive (x{scale:g}) / Pacer: memory",
                f"{naive_mem * scale / max(ours_mem, 1.0):.1f}x",
            ),
        ]
    print(f"calibration loop: {calibrate():.2f} s after")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}} | result")
    print(f"{'-' * width}-|-{'-' * 40}")
    for name, value in rows:
        print(f"{name:<{width}} | {value}")


if __name__ == "__main__":
    main()
