"""Pacer at 1,000,000 runners x 3 nudge kinds on PostgreSQL: run by hand, prints a table.

    .venv/bin/python -m bench.scale_bench --db postgresql://postgres@127.0.0.1:5432/pacer_scale
        [--runners 1000000] [--mark 10000] [--history 3000000] [--due 100000] [--reseed]

The database is seeded once and reused: a later run finds the seed (a comment on
``users`` names its size) and skips it; ``--reseed`` drops schema ``public`` and seeds
again. Seeding is set-based SQL (``INSERT ... SELECT FROM generate_series``), not the
app, but writes the rows the app writes:

* ``users`` and a Telegram ``identities`` row each, as creating a runner does (no
  ``nudge_prefs`` row: defaults); 30 time zones, wake times 05:00-08:00, bedtimes
  21:30-00:30, run times 06:00-19:00 on 3 weekdays, all on 5-minute steps;
* ``nudge_schedules``: four rows a runner (wind-down, sleep check-in, pre-run
  mobility, and strength with nothing due, as ``reschedule`` writes them). Each
  distinct (zone, time, days) profile is computed by the app's own
  ``planner.schedule_rows`` and joined to the runners sharing it. The occurrences
  are those after now + 1 day, so nothing falls due while a bench runs; when a
  later run finds any due within 20 minutes it rewrites the schedules ("refreshed");
* ``deliveries``: ``--history`` finished rows (``sent``, one day of three kinds).

The first ``--mark`` runners are the mark's cohort: UTC, no settings (nothing due) until
the mark gives them a wake time (one kind).

Then, each run:

1. **claim**: ``--due`` rows due on Telegram; the app's ``DeliveryRepository.claim``
   (the statement it runs, captured) under ``EXPLAIN (ANALYZE, BUFFERS)``, then timed
   ``--claims`` times with the app's limit (what the Telegram queue may take in the
   sweep's horizon), each rolled back so the backlog stays; the rows are deleted after;
2. **idle sweep**: the app's ``Sweeper.sweep`` with nothing due, as a scheduler
   process runs it and as a Telegram sender runs it (``--idle-sweeps`` each);
3. **processes**: ``python -m bot`` as one scheduler and two Telegram processes
   (active, standing by) on this database and the fake Bot API of
   ``tests/telegram/fake_bot_api.py`` (which notes when each message arrives); their
   resident memory once settled; then the cohort's wake time is set to the next whole
   minute at least 90 s after the start (``reschedule_users``, the app's own), and
   the first message at the receiver after that due instant is timed, with how many
   arrived in the ``--after`` seconds that follow and the memory again.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import psutil
from sqlalchemy import event
from sqlalchemy.engine import make_url
from tqdm import tqdm

from bench.nudge_bench import ZONES, FakeTelegram, calibrate, is_postgres, percentile
from bot.bootstrap import build_core
from bot.clock import SystemClock
from bot.delivery.sweep import SweepSettings
from bot.models import WEEKDAYS, User
from bot.nudges.kinds import Kind
from bot.nudges.planner import schedule_rows
from bot.storage.database import Database
from tests.service.drain import TimedBotApi
from tests.service.processes import kill, pacer_env, read_log, start_pacer, stop

TOKEN = "616161:scale"
CHAT_BASE = 10_000_000  # Telegram chat id of runner n: CHAT_BASE + n
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
ACTIVE = "Telegram: receiving updates"
SEED_MARK = "pacer scale bench seed"
WRITTEN_WITHIN = 240.0  # seconds after the first message: how long to wait for the whole mark
# The profiles: runner n has zone n % 30, wake n % 37, bedtime (n // 30) % 37,
# run time n % 157 on the weekdays n % 35.
WAKES = [f"{m // 60:02d}:{m % 60:02d}" for m in range(5 * 60, 8 * 60 + 1, 5)]  # 37
BEDS = [f"{(m // 60) % 24:02d}:{m % 60:02d}" for m in range(21 * 60 + 30, 24 * 60 + 31, 5)]
RUNS = [f"{m // 60:02d}:{m % 60:02d}" for m in range(6 * 60, 19 * 60 + 1, 5)]  # 157
DAYS = [",".join(WEEKDAYS[d] for d in c) for c in itertools.combinations(range(7), 3)]  # 35
HISTORY_KINDS = (Kind.WIND_DOWN, Kind.SLEEP_CHECKIN, Kind.PRE_RUN_MOBILITY)


def load_average() -> str:
    """The 1, 5 and 15-minute load averages."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def dsn(url: str) -> str:
    """The URL asyncpg takes."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Print a step's name, then how long it took."""
    print(f"  {name} ...", flush=True)
    t0 = time.perf_counter()
    yield
    print(f"  {name}: {time.perf_counter() - t0:.1f} s", flush=True)


# --- seeding ---------------------------------------------------------------------------


def seed_comment(runners: int, mark: int, history: int) -> str:
    """What the seed's comment on ``users`` says."""
    return f"{SEED_MARK}: runners={runners} mark={mark} history={history}"


async def seeded(conn: asyncpg.Connection, runners: int, mark: int, history: int) -> bool:
    """Whether this database holds a complete seed of this size."""
    found = await conn.fetchval(
        "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c "
        "WHERE c.relname = 'users' AND c.relnamespace = 'public'::regnamespace"
    )
    return bool(found == seed_comment(runners, mark, history))


async def profiles(conn: asyncpg.Connection, mark: int, after: datetime) -> dict[str, list[Any]]:
    """Each distinct profile's schedule row, computed by the app's planner."""
    template = User(id=mark + 1, display_name="runner")
    out: dict[str, list[Any]] = {"sleep": [], "wind": [], "run": []}
    kinds = {row.kind: i for i, row in enumerate(schedule_rows(template, after))}

    def row(user: User, kind: Kind) -> tuple[Any, ...]:
        r = schedule_rows(user, after)[kinds[kind.value]]
        days = ",".join(WEEKDAYS[d] for d in r.days)
        return (r.local_time, days, r.occurrence, r.next_due)

    for z in tqdm(range(len(ZONES)), desc="profiles (zones)", unit="zone"):
        zoned = dataclasses.replace(template, timezone=ZONES[z])
        for w, wake in enumerate(WAKES):
            waking = dataclasses.replace(zoned, wake_time=wake)
            out["sleep"].append((z, w, *row(waking, Kind.SLEEP_CHECKIN)))
        for b, bed in enumerate(BEDS):
            sleeping = dataclasses.replace(zoned, bedtime=bed)
            out["wind"].append((z, b, *row(sleeping, Kind.WIND_DOWN)))
    # Pre-run profiles that occur: (n % 30, n % 157, n % 35) takes lcm(30, 157, 35) values.
    seen: set[tuple[int, int, int]] = set()
    span = math.lcm(len(ZONES), len(RUNS), len(DAYS))
    for n in tqdm(range(span), desc="profiles (runs)", unit="n", mininterval=2):
        key = (n % len(ZONES), n % len(RUNS), n % len(DAYS))
        if key in seen:
            continue
        seen.add(key)
        z, r, d = key
        user = dataclasses.replace(
            template,
            timezone=ZONES[z],
            run_time=RUNS[r],
            run_days=tuple(WEEKDAYS.index(x) for x in DAYS[d].split(",")),
        )
        out["run"].append((z, r, d, *row(user, Kind.PRE_RUN_MOBILITY)))
    return out


PROFILE_TABLES = {
    "sleep": ("z", "w"),
    "wind": ("z", "b"),
    "run": ("z", "r", "d"),
}


async def write_schedules(conn: asyncpg.Connection, runners: int, mark: int) -> datetime:
    """Every runner's four schedule rows (the planner's, by profile); the ``after`` used."""
    after = datetime.now(UTC) + timedelta(days=1)
    found = await profiles(conn, mark, after)
    await conn.execute("TRUNCATE nudge_schedules")
    for name, keys in PROFILE_TABLES.items():
        cols = ", ".join(f"{k} int" for k in keys)
        await conn.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS prof_{name} ({cols}, local_time text, "
            "days text, occurrence date, next_due timestamptz)"
        )
        await conn.execute(f"TRUNCATE prof_{name}")
        await conn.copy_records_to_table(f"prof_{name}", records=found[name])
    now = datetime.now(UTC)
    joins = {
        "wind_down": ("prof_wind", "p.z = n % 30 AND p.b = (n / 30) % 37"),
        "sleep_checkin": ("prof_sleep", "p.z = n % 30 AND p.w = n % 37"),
        "pre_run_mobility": ("prof_run", "p.z = n % 30 AND p.r = n % 157 AND p.d = n % 35"),
    }
    chunk = 100_000
    with tqdm(total=runners * 4, desc="nudge_schedules", unit="row", unit_scale=True) as bar:
        for first in range(1, runners + 1, chunk):
            last = min(runners, first + chunk - 1)
            for kind, (table, on) in joins.items():
                await conn.execute(
                    "INSERT INTO nudge_schedules (user_id, kind, enabled, local_time, days, "
                    "occurrence, next_due_utc, updated_at) "
                    f"SELECT n, $1, true, p.local_time, p.days, p.occurrence, p.next_due, $2 "
                    f"FROM generate_series($3::int, $4::int) n JOIN {table} p ON {on} "
                    "WHERE n > $5",
                    kind,
                    now,
                    first,
                    last,
                    mark,
                )
            # The cohort's kinds and everyone's strength: rows with nothing due.
            await conn.execute(
                "INSERT INTO nudge_schedules (user_id, kind, enabled, days, updated_at) "
                "SELECT n, k, true, '', $1 FROM generate_series($2::int, $3::int) n "
                "CROSS JOIN unnest($4::text[]) k "
                "WHERE k = 'strength' OR n <= $5",
                now,
                first,
                last,
                ["wind_down", "sleep_checkin", "pre_run_mobility", "strength"],
                mark,
            )
            bar.update((last - first + 1) * 4)
    return after


async def seed(url: str, runners: int, mark: int, history: int) -> None:
    """Drop schema public, migrate, and write the runners, schedules and history."""
    conn = await asyncpg.connect(dsn(url))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    db = Database(url)
    await db.open()  # migrates
    await db.close()
    conn = await asyncpg.connect(dsn(url))
    try:
        chunk = 100_000
        for first in tqdm(range(1, runners + 1, chunk), desc="users + identities", unit="100k"):
            last = min(runners, first + chunk - 1)
            await conn.execute(
                "INSERT INTO users (id, display_name, timezone, run_days, run_time, bedtime, "
                "wake_time, created_at) "
                "SELECT n, 'runner ' || n, "
                "CASE WHEN n <= $1 THEN 'UTC' ELSE ($2::text[])[n % 30 + 1] END, "
                "CASE WHEN n <= $1 THEN '' ELSE ($3::text[])[n % 35 + 1] END, "
                "CASE WHEN n <= $1 THEN NULL ELSE ($4::text[])[n % 157 + 1] END, "
                "CASE WHEN n <= $1 THEN NULL ELSE ($5::text[])[(n / 30) % 37 + 1] END, "
                "CASE WHEN n <= $1 THEN NULL ELSE ($6::text[])[n % 37 + 1] END, $7 "
                "FROM generate_series($8::int, $9::int) n",
                mark,
                list(ZONES),
                DAYS,
                RUNS,
                BEDS,
                WAKES,
                CREATED,
                first,
                last,
            )
            await conn.execute(
                "INSERT INTO identities (platform, platform_user_id, user_id, display_name, "
                "last_seen_at) SELECT 'telegram', ($1 + n)::text, n, '', $2 "
                "FROM generate_series($3::int, $4::int) n",
                CHAT_BASE,
                CREATED,
                first,
                last,
            )
        await conn.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), $1)", runners)
        await write_schedules(conn, runners, mark)
        await write_history(conn, runners, history)
        with step("VACUUM ANALYZE"):
            await conn.execute("VACUUM ANALYZE")
        await conn.execute(f"COMMENT ON TABLE users IS '{seed_comment(runners, mark, history)}'")
    finally:
        await conn.close()


async def write_history(conn: asyncpg.Connection, runners: int, history: int) -> None:
    """``history`` sent deliveries of yesterday: three kinds a runner, as ``finish`` leaves them."""
    day = (datetime.now(UTC) - timedelta(days=1)).replace(hour=0, minute=0, second=0)
    chunk = 300_000
    with tqdm(total=history, desc="deliveries (sent)", unit="row", unit_scale=True) as bar:
        for first in range(0, history, chunk):
            last = min(history, first + chunk) - 1
            # Row i: runner i // 3 + 1, kind i % 3.
            await conn.execute(
                "INSERT INTO deliveries (target, user_id, kind, occurrence, anchor, due_at, "
                "status, platform, chat_id, claimed_at, sending_at, sent_at, attempts, owner, "
                "epoch) "
                "SELECT 'user:' || u, u, ($1::text[])[i % 3 + 1], $2, $3::date, d, 'sent', "
                "'telegram', ($4 + u)::text, d, d, d + interval '1 second', 1, 'seed', 1 "
                "FROM generate_series($5::int, $6::int) i, "
                "LATERAL (SELECT (i / 3) % $7 + 1 AS u, "
                "$8::timestamptz + (i % 86400) * interval '1 second' AS d) x",
                [k.value for k in HISTORY_KINDS],
                day.date().isoformat(),
                day.date(),
                CHAT_BASE,
                first,
                last,
                runners,
                day,
            )
            bar.update(last - first + 1)


async def prepare(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Seed unless seeded; refresh schedules falling due soon; clear any open deliveries."""
    info: dict[str, Any] = {}
    conn = await asyncpg.connect(dsn(url))
    try:
        try:
            have = not args.reseed and await seeded(conn, args.runners, args.mark, args.history)
        except asyncpg.UndefinedTableError:
            have = False
    finally:
        await conn.close()
    if not have:
        t0 = time.perf_counter()
        print("seeding (drops schema public) ...", flush=True)
        await seed(url, args.runners, args.mark, args.history)
        info["seeded_s"] = time.perf_counter() - t0
    conn = await asyncpg.connect(dsn(url))
    try:
        soon = await conn.fetchval(
            "SELECT count(*) FROM nudge_schedules WHERE next_due_utc < now() + interval "
            "'20 minutes' AND user_id > $1",
            args.mark,
        )
        if soon:
            print(f"{soon:,} schedules fall due within 20 minutes: rewriting them", flush=True)
            t0 = time.perf_counter()
            await write_schedules(conn, args.runners, args.mark)
            await conn.execute("VACUUM ANALYZE nudge_schedules")
            info["refreshed_s"] = time.perf_counter() - t0
        # The cohort has no wake time until its mark (an earlier run's mark, advanced to
        # tomorrow or left unwritten when its processes stopped, must not fall due now):
        # what the app writes for runners without one.
        await conn.execute("UPDATE users SET wake_time = NULL WHERE id <= $1", args.mark)
        await conn.execute(
            "UPDATE nudge_schedules SET local_time = NULL, occurrence = NULL, "
            "next_due_utc = NULL WHERE user_id <= $1",
            args.mark,
        )
        # An earlier run stopped half-way: nothing of it may be sent now.
        await conn.execute("DELETE FROM deliveries WHERE status IN ('due', 'claimed', 'sending')")
        await conn.execute(
            "DELETE FROM deliveries WHERE user_id <= $1 AND kind = 'sleep_checkin' "
            "AND owner IS DISTINCT FROM 'seed'",
            args.mark,
        )
        info["sizes"] = {
            name: await conn.fetchval(f"SELECT pg_size_pretty(pg_total_relation_size('{name}'))")
            for name in ("users", "identities", "nudge_schedules", "deliveries")
        }
        info["counts"] = {
            "runners": await conn.fetchval("SELECT count(*) FROM users"),
            "due schedules": await conn.fetchval(
                "SELECT count(*) FROM nudge_schedules WHERE next_due_utc IS NOT NULL"
            ),
            "deliveries": await conn.fetchval("SELECT count(*) FROM deliveries"),
        }
    finally:
        await conn.close()
    return info


# --- 1. the claim with a backlog --------------------------------------------------------


async def add_due(url: str, first: int, last: int) -> None:
    """Rows ``first``..``last`` due on Telegram (due within the last hour), analysed."""
    conn = await asyncpg.connect(dsn(url))
    try:
        await conn.execute(
            "INSERT INTO deliveries (target, user_id, kind, occurrence, anchor, due_at, "
            "status, platform, chat_id) "
            "SELECT 'user:' || n, n, 'strength', 'bench-claim', now()::date, "
            "now() - interval '1 second' * (n % 3600) - interval '1 minute', 'due', "
            "'telegram', ($1 + n)::text FROM generate_series($2::int, $3::int) n",
            CHAT_BASE,
            first,
            last,
        )
        await conn.execute("ANALYZE deliveries")
    finally:
        await conn.close()


async def time_claims(
    db: Database, limit: int, claims: int, pick: tuple[str, Any] | None, label: str
) -> tuple[list[float], list[float]]:
    """Seconds of each whole claim, and of the pick alone (its SELECT), each rolled back."""
    clock = SystemClock()
    lease = timedelta(seconds=30)
    whole: list[float] = []
    picks: list[float] = []
    for _ in tqdm(range(claims), desc=label, unit="claim"):
        async with db.uow() as uow:  # rolled back: the backlog stays
            t0 = time.perf_counter()
            rows = await uow.deliveries.claim(
                "telegram", clock.now(), clock.now() + lease, limit, owner="bench"
            )
            whole.append(time.perf_counter() - t0)
            assert len(rows) == limit
        if pick is not None:
            async with db.uow() as uow:
                conn = uow._conn
                assert conn is not None
                t0 = time.perf_counter()
                found = (await conn.exec_driver_sql(pick[0], pick[1])).all()
                picks.append(time.perf_counter() - t0)
                assert len(found) == limit
    return whole, picks


def sql_literal(value: Any) -> str:
    """A parameter as an SQL literal, for ``EXECUTE``."""
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(int(value))


async def generic_plan(url: str, statement: str, params: tuple[Any, ...]) -> list[str]:
    """The plan a prepared statement may cache for any parameters (the generic plan)."""
    conn = await asyncpg.connect(dsn(url))
    try:
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        await conn.execute(f"PREPARE bench_pick AS {statement}")
        values = ", ".join(sql_literal(p) for p in params)
        return [str(r[0]) for r in await conn.fetch(f"EXPLAIN EXECUTE bench_pick({values})")]
    finally:
        await conn.close()


def ms(samples: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max in milliseconds."""
    return (
        percentile(samples, 0.5) * 1000,
        percentile(samples, 0.99) * 1000,
        max(samples) * 1000,
    )


async def part_claim(url: str, due: int, claims: int, small: int) -> dict[str, Any]:
    """The claim's plan and latency with ``small`` rows due, then ``due``, on Telegram."""
    with step(f"{small:,} rows due"):
        await add_due(url, 1, small)
    db = Database(url)
    await db.open(migrate=False)
    clock = SystemClock()
    core = build_core(db, clock, SweepSettings(), platforms=("telegram",))
    core.messengers["telegram"] = FakeTelegram()
    queue = core.sweeper.queues.queue("telegram")
    assert queue is not None
    limit = queue.capacity(core.sweeper.settings.horizon_seconds)
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
        if "FOR UPDATE SKIP LOCKED" in statement and not captured:
            captured.append((statement, tuple(params)))

    out: dict[str, Any] = {"limit": limit, "claims": claims}
    try:
        small_whole, _ = await time_claims(db, limit, claims, None, f"claims, {small:,} due")
        out["small"] = ms(small_whole)
        with step(f"{due:,} rows due"):
            await add_due(url, small + 1, due)
        sync_engine = db.engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", capture)
        async with db.uow() as uow:
            await uow.deliveries.claim(
                "telegram", clock.now(), clock.now() + timedelta(seconds=30), limit, owner="x"
            )
        event.remove(sync_engine, "before_cursor_execute", capture)
        statement, params = captured[0]
        async with db.uow() as uow:
            conn = uow._conn
            assert conn is not None
            plan = await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params)
            out["plan"] = [str(r[0]) for r in plan]
        out["statement"] = statement
        out["generic"] = await generic_plan(url, statement, params)
        whole, picks = await time_claims(db, limit, claims, captured[0], f"claims, {due:,} due")
        out["whole"], out["pick"] = ms(whole), ms(picks)
    finally:
        await db.close()
    conn = await asyncpg.connect(dsn(url))
    try:
        with step("the backlog deleted, VACUUM ANALYZE deliveries"):
            await conn.execute("DELETE FROM deliveries WHERE occurrence = 'bench-claim'")
            await conn.execute("VACUUM ANALYZE deliveries")
    finally:
        await conn.close()
    return out


# --- 2. idle sweeps ---------------------------------------------------------------------


async def part_idle(url: str, sweeps: int) -> dict[str, tuple[float, float]]:
    """The app's sweep with nothing due, as each kind of process runs it (ms median, max)."""
    db = Database(url)
    await db.open(migrate=False)
    out: dict[str, tuple[float, float]] = {}
    try:
        roles = {
            "scheduler (materialise, recover)": (True, set()),
            "telegram sender (expire, claim)": (False, {"telegram"}),
            "all roles in one process": (True, None),
        }
        for name, (scheduling, senders) in roles.items():
            core = build_core(db, SystemClock(), SweepSettings(), platforms=("telegram",))
            core.messengers["telegram"] = FakeTelegram()
            core.sweeper.scheduling = scheduling
            core.sweeper.senders = senders
            await core.sweeper.sweep()  # warm: statements prepared, caches filled
            times = []
            for _ in tqdm(range(sweeps), desc=f"idle sweeps: {name}", unit="sweep"):
                t0 = time.perf_counter()
                report = await core.sweeper.sweep()
                times.append(time.perf_counter() - t0)
                assert report.written == report.claimed == 0, report
            out[name] = (statistics.median(times) * 1000, max(times) * 1000)
    finally:
        await db.close()
    return out


# --- 3. processes and the mark ----------------------------------------------------------


def memory(pid: int) -> tuple[float, float]:
    """Resident MiB of a process, and of its children together."""
    proc = psutil.Process(pid)
    children = sum(c.memory_info().rss for c in proc.children(recursive=True))
    return proc.memory_info().rss / 2**20, children / 2**20


async def set_mark(url: str, mark: int, due: datetime) -> float:
    """The cohort's wake time at ``due`` (UTC), rescheduled by the app; seconds it took."""
    db = Database(url)
    await db.open(migrate=False)
    try:
        async with db.uow() as uow:
            conn = uow._conn
            assert conn is not None
            await conn.exec_driver_sql(
                "UPDATE users SET wake_time = $1 WHERE id <= $2", (f"{due:%H:%M}", mark)
            )
            await uow.commit()
        core = build_core(db, SystemClock(), SweepSettings(), platforms=("telegram",))
        t0 = time.perf_counter()
        done = await core.services.nudge_settings.reschedule_users(list(range(1, mark + 1)))
        took = time.perf_counter() - t0
        async with db.reader() as uow:
            conn = uow._conn
            assert conn is not None
            at = (
                await conn.exec_driver_sql(
                    "SELECT count(*) FROM nudge_schedules WHERE next_due_utc = $1 "
                    "AND kind = 'sleep_checkin'",
                    (due,),
                )
            ).scalar()
        assert done == mark and at == mark, (done, at)
        return took
    finally:
        await db.close()


async def mark_rows(url: str, mark: int) -> int:
    """Delivery rows the mark has written so far."""
    conn = await asyncpg.connect(dsn(url))
    try:
        found: int = await conn.fetchval(
            "SELECT count(*) FROM deliveries WHERE user_id <= $1 AND kind = 'sleep_checkin' "
            "AND owner IS DISTINCT FROM 'seed'",
            mark,
        )
        return found
    finally:
        await conn.close()


async def part_processes(url: str, mark: int, after: float, workdir: Path) -> dict[str, Any]:
    """Scheduler + two Telegram processes: memory, then the first message after a mark."""
    out: dict[str, Any] = {}
    api = TimedBotApi(TOKEN)
    loop = asyncio.get_running_loop()
    async with api:
        common = {
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DATABASE_URL": url,
            "PACER_DELIVERY_RETENTION_DAYS": "3650",  # the seeded history stays
        }
        names = ["scheduler-1", "telegram-1", "telegram-2"]
        logs = {n: workdir / f"{n}.log" for n in names}
        procs = {}
        started = loop.time()
        for name in names:
            env = pacer_env(**common, PACER_ROLES=name.split("-")[0], PACER_PROCESS_NAME=name)
            procs[name] = await start_pacer(env, logs[name])
        try:
            with step("processes started, settling 30 s"):
                while not any(ACTIVE in read_log(logs[n]) for n in ("telegram-1", "telegram-2")):
                    for name, proc in procs.items():
                        assert proc.returncode is None, read_log(logs[name])[-3000:]
                    assert loop.time() - started < 60, "no Telegram process became active"
                    await asyncio.sleep(0.5)
                await asyncio.sleep(max(0.0, started + 30 - loop.time()))
            active = next(n for n in ("telegram-1", "telegram-2") if ACTIVE in read_log(logs[n]))
            roles = {
                "scheduler-1": "scheduler",
                active: "telegram (active)",
                ({"telegram-1", "telegram-2"} - {active}).pop(): "telegram (standing by)",
            }
            out["roles"] = roles
            out["idle_rss"] = {roles[n]: memory(p.pid) for n, p in procs.items()}
            # The mark: the next whole minute at least 90 s after the start (the ceiling
            # check runs once, a minute after the scheduler starts) and 30 s from now.
            now = datetime.now(UTC)
            since_start = timedelta(seconds=loop.time() - started)
            earliest = now + max(timedelta(seconds=50), timedelta(seconds=90) - since_start)
            due = (earliest + timedelta(seconds=59)).replace(second=0, microsecond=0)
            with step(f"cohort of {mark:,} rescheduled to {due:%H:%M:%S} by the app"):
                out["reschedule_s"] = await set_mark(url, mark, due)
            out["ahead_s"] = (due - datetime.now(UTC)).total_seconds()
            assert out["ahead_s"] > 0, "the cohort was rescheduled after its mark: run again"
            before = len(api.received)
            with step("waiting for the mark and its first message"):
                while True:
                    for name, proc in procs.items():
                        assert proc.returncode is None, read_log(logs[name])[-3000:]
                    if len(api.received) > before:
                        break
                    assert datetime.now(UTC) < due + timedelta(seconds=120), "no message"
                    await asyncio.sleep(0.02)
            first = api.received[before]
            out["first_s"] = (first[1] - due).total_seconds()
            out["due"] = due
            t_first = first[0]
            written_at: float | None = None
            peak: dict[str, tuple[float, float]] = {}
            with step(f"the {after:.0f} s after the first message, and until all are written"):
                while time.monotonic() < t_first + after or (
                    written_at is None and time.monotonic() < t_first + WRITTEN_WITHIN
                ):
                    for n, p in procs.items():
                        rss = memory(p.pid)
                        if rss[0] > peak.get(roles[n], (0.0, 0.0))[0]:
                            peak[roles[n]] = rss
                    if written_at is None and await mark_rows(url, mark) >= mark:
                        written_at = time.monotonic()
                    await asyncio.sleep(0.5)
            window = [t for t, _, _, _ in api.received[before:] if t <= t_first + after]
            out["in_window"] = len(window)
            every = [t for t, _, _, _ in api.received[before:]]
            out["total"] = len(every)
            out["total_rate"] = (len(every) - 1) / (every[-1] - t_first) if len(every) > 1 else 0.0
            out["window_rate"] = (len(window) - 1) / (window[-1] - t_first) if window else 0.0
            out["written_s"] = None if written_at is None else written_at - t_first + out["first_s"]
            out["peak_rss"] = peak
            out["rows_written"] = await mark_rows(url, mark)
            for name in names:
                await stop(procs[name])
            out["errors"] = sum(read_log(logs[n]).count("Traceback") for n in names)
        finally:
            for proc in procs.values():
                await kill(proc)
    conn = await asyncpg.connect(dsn(url))
    try:  # the mark's rows go, so that the next run writes them again
        await conn.execute(
            "DELETE FROM deliveries WHERE user_id <= $1 AND kind = 'sleep_checkin' "
            "AND owner IS DISTINCT FROM 'seed'",
            mark,
        )
    finally:
        await conn.close()
    return out


# --- the table -----------------------------------------------------------------------------


def mib(pair: tuple[float, float]) -> str:
    """A process's resident memory, with its children's if any."""
    main, children = pair
    return f"{main:.0f} MiB" + (f" (+ {children:.0f} MiB children)" if children else "")


async def main_async(args: argparse.Namespace) -> None:
    """Every part, then the table."""
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load_average()}")
    print(f"calibration loop: {calibrate():.2f} s before")
    info = await prepare(args.db, args)
    print("1. the claim with a backlog", flush=True)
    claim = await part_claim(args.db, args.due, args.claims, args.small_due)
    print("2. idle sweeps", flush=True)
    idle = await part_idle(args.db, args.idle_sweeps)
    procs: dict[str, Any] = {}
    if not args.no_processes:
        print("3. processes and a mark", flush=True)
        with tempfile.TemporaryDirectory() as workdir:
            procs = await part_processes(args.db, args.mark, args.after, Path(workdir))
    print(f"calibration loop: {calibrate():.2f} s after")
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load_average()}")
    print()
    print("The claim's plan (EXPLAIN ANALYZE of the statement the app ran):")
    print("    " + claim["statement"].replace("\n", " "))
    for line in claim["plan"]:
        print("    " + line)
    print("The same statement's generic plan (what a prepared statement may cache):")
    for line in claim["generic"]:
        print("    " + line)
    print()
    c = info["counts"]
    rows: list[tuple[str, str]] = [
        ("runners / schedules with a due instant", f"{c['runners']:,} / {c['due schedules']:,}"),
        ("delivery rows (history)", f"{c['deliveries']:,}"),
        ("table sizes", ", ".join(f"{k} {v}" for k, v in info["sizes"].items())),
    ]
    if "seeded_s" in info:
        rows.append(("seeded in", f"{info['seeded_s']:.0f} s"))
    if "refreshed_s" in info:
        rows.append(("schedules refreshed in", f"{info['refreshed_s']:.0f} s"))
    index_scan = any("Index Scan using deliveries_claim" in line for line in claim["plan"])
    sorted_ = any("Sort" in line for line in claim["plan"])
    generic_scan = any("Index Scan using deliveries_claim" in line for line in claim["generic"])
    generic_sorted = any("Sort" in line for line in claim["generic"])
    lim = claim["limit"]
    rows += [
        (
            f"claim of {lim}, {args.due:,} due: pick (its SELECT) p50 / p99 / max",
            "{:.2f} / {:.2f} / {:.2f} ms".format(*claim["pick"]) + " (goal p99 < 10 ms)",
        ),
        (
            f"claim of {lim}, {args.due:,} due: whole (pick + update) p50 / p99 / max",
            "{:.2f} / {:.2f} / {:.2f} ms".format(*claim["whole"]),
        ),
        (
            f"claim of {lim}, {args.small_due:,} due: whole p50 / p99 / max",
            "{:.2f} / {:.2f} / {:.2f} ms".format(*claim["small"]) + f" ({claim['claims']} each)",
        ),
        (
            "claim plan",
            ("index scan on deliveries_claim" if index_scan else "NOT the claim index")
            + (", a Sort node" if sorted_ else ", no sort"),
        ),
        (
            "claim plan, generic",
            ("index scan on deliveries_claim" if generic_scan else "NOT the claim index")
            + (", a Sort node" if generic_sorted else ", no sort"),
        ),
    ]
    for name, (median, worst) in idle.items():
        rows.append((f"idle sweep, {name}", f"{median:.2f} ms median, {worst:.2f} ms max"))
    if procs:
        for role, pair in procs["idle_rss"].items():
            rows.append((f"RSS settled: {role}", mib(pair)))
        for role, pair in procs["peak_rss"].items():
            rows.append((f"RSS peak after the mark: {role}", mib(pair)))
        rows += [
            (
                "cohort rescheduled by the app",
                f"{procs['reschedule_s']:.1f} s ({args.mark:,}), "
                f"{procs['ahead_s']:.0f} s before the mark",
            ),
            (
                f"first message at the receiver after the {args.mark:,} mark",
                f"{procs['first_s']:.2f} s (goal < 5 s)",
            ),
            (
                f"received in the {args.after:.0f} s after it",
                f"{procs['in_window']:,} ({procs['window_rate']:.1f}/s)",
            ),
            (
                "all the mark's rows written, after the mark",
                f"not within {WRITTEN_WITHIN:.0f} s"
                if procs["written_s"] is None
                else f"{procs['written_s']:.1f} s",
            ),
            ("mark rows written at the end", f"{procs['rows_written']:,}"),
            (
                "received until then",
                f"{procs['total']:,} ({procs['total_rate']:.1f}/s from the first)",
            ),
            ("tracebacks in the processes' logs", str(procs["errors"])),
        ]
    width = max(len(k) for k, _ in rows)
    print(f"{'measure':<{width}} | result")
    print(f"{'-' * width}-|-{'-' * 40}")
    for name, value in rows:
        print(f"{name:<{width}} | {value}")


def main() -> None:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="a PostgreSQL URL this bench may reseed")
    parser.add_argument("--runners", type=int, default=1_000_000)
    parser.add_argument("--mark", type=int, default=10_000, help="runners due at the mark")
    parser.add_argument("--history", type=int, default=3_000_000, help="sent delivery rows")
    parser.add_argument("--due", type=int, default=100_000, help="rows due for the claim")
    parser.add_argument("--small-due", type=int, default=1000, help="rows due, for comparison")
    parser.add_argument("--claims", type=int, default=200, help="claims timed")
    parser.add_argument("--idle-sweeps", type=int, default=20)
    parser.add_argument("--after", type=float, default=30.0, help="seconds after the first")
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    parser.add_argument("--no-processes", action="store_true", help="skip part 3")
    args = parser.parse_args()
    if not is_postgres(args.db):
        parser.error("--db must be a PostgreSQL URL")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
