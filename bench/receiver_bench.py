"""The send budget as Telegram would count it: run by hand, prints a table (not a test).

    .venv/bin/python -m bench.receiver_bench [--db URL] [--burst 10000] [--logs 2000]
        [--log-chats 500] [--load 2]

Everything goes through the real Telegram adapter (python-telegram-bot, its rate
limiter hook, the outbound queue, the sweep) to the fake Bot API of
``tests/telegram/fake_bot_api.py``, served on 127.0.0.1 from a process of its own,
which notes when each message reaches it (``time.perf_counter``: one monotonic
clock for every process of the host). ``--load`` CPU-bound busy loops run beside
it for the whole run (bounded by ``--load-seconds``), so the event loop is late.

1. idle: one ``/log`` every ``--reply-interval`` s from 40 runners, timed from
   the update reaching the fake API to the reply reaching it;
2. a burst of ``--burst`` nudges due at one instant (the sweep runs on a grid from
   the whole minute, as the app's does), with the same ``/log`` going on;
3. ``--logs`` ``/log`` from ``--log-chats`` chats at once (ten of them groups
   with thirty runners each), all answered?

``--db`` defaults to a temporary SQLite file; a PostgreSQL URL works as in
``bench.nudge_bench`` (schema ``public`` is dropped first).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp

from adapters.telegram import TelegramAdapter
from bench.nudge_bench import (
    BURST_DUE,
    NoScheduler,
    ShiftedClock,
    insert_runners,
    open_db,
    percentile,
)
from bot.bootstrap import build_core
from bot.config import Settings
from bot.delivery.sweep import SweepSettings
from bot.operations import heap
from tests.telegram.fake_bot_api import FakeBotApi

TOKEN = "123456:BENCH-receiver-token"
MESSAGES = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
NUDGE_BASE = 1_000_000  # nudged runners' Telegram ids (private chats)
REPLY_BASE = 9_000_000  # the runners timing /log during the phases
BURST_BASE = 8_000_000  # the /log burst's private chats
GROUP_BASE = -1_000_000_000_000  # its group chats
GROUPS = 10
GROUP_MEMBERS = 30


class TimedBotApi(FakeBotApi):
    """The fake Bot API, noting when each message arrives; two methods for the bench."""

    def __init__(self, token: str) -> None:
        super().__init__(token, max_poll_wait=1.0)
        self.arrived: list[tuple[float, str, int, str]] = []

    def answer(
        self, method: str, params: dict[str, Any], files: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]] | None:
        """Note messages as they arrive; ``benchPush`` queues updates, ``benchArrivals`` tells."""
        if method == "benchPush":
            for update in params["updates"]:
                self.push_update(update)
            return 200, {"ok": True, "result": True}
        if method == "benchArrivals":
            return 200, {"ok": True, "result": self.arrived}
        if method in MESSAGES:
            text = str(params.get("text", ""))
            self.arrived.append((time.perf_counter(), method, int(params["chat_id"]), text[:24]))
        self.calls.clear()  # nobody reads them here: keep memory flat
        return super().answer(method, params, files)


def serve(port: Any, stop: Any) -> None:
    """The fake Bot API's process: serve until ``stop`` is set."""

    async def run() -> None:
        api = TimedBotApi(TOKEN)
        await api.start()
        port.put(api.port)
        await asyncio.to_thread(stop.wait)
        await api.stop()

    asyncio.run(run())


def busy(seconds: float) -> None:
    """A CPU-bound loop for at most ``seconds`` (loads one core)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(i * i for i in range(10_000))


def log_update(chat: int, user: int, n: int) -> dict[str, Any]:
    """A ``/log`` message as Telegram sends it, in a private chat or a group."""
    group = chat < 0
    return {
        "message": {
            "message_id": n,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "supergroup", "title": "Bench Club"}
            if group
            else {"id": chat, "type": "private", "first_name": "Runner"},
            "from": {"id": user, "is_bot": False, "first_name": "Runner"},
            "text": f"/log {3 + n % 18}k {(3 + n % 18) * 5 + n % 3}:00",  # 5:00-5:40 a km
            "entities": [{"offset": 0, "length": 4, "type": "bot_command"}],
        }
    }


class Driver:
    """Pushes updates to the fake Bot API and notes when each ``/log`` was sent."""

    def __init__(self, base: str, session: aiohttp.ClientSession) -> None:
        self.base = base
        self.session = session
        self.pushed: dict[int, list[float]] = defaultdict(list)  # chat -> push instants
        self.n = 0

    async def push(self, logs: list[tuple[int, int]]) -> None:
        """Send ``/log`` from (chat, user) pairs now."""
        updates = []
        for chat, user in logs:
            self.n += 1
            updates.append(log_update(chat, user, self.n))
        now = time.perf_counter()
        for chat, _ in logs:
            self.pushed[chat].append(now)
        async with self.session.post(f"{self.base}/benchPush", json={"updates": updates}) as r:
            r.raise_for_status()

    async def arrivals(self) -> list[tuple[float, str, int, str]]:
        """Every message the fake Bot API has received, with its arrival instant."""
        async with self.session.post(f"{self.base}/benchArrivals", json={}) as r:
            body = await r.json()
        return [tuple(a) for a in body["result"]]  # type: ignore[misc]


async def trickle(driver: Driver, stop: asyncio.Event, interval: float, chats: list[int]) -> None:
    """One ``/log`` every ``interval`` s, round the reply runners, until ``stop``."""
    n = 0
    while not stop.is_set():
        chat = chats[n % len(chats)]
        n += 1
        await driver.push([(chat, chat)])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


def sliding_max(times: list[float], window: float) -> int:
    """The most instants in any half-open window [t, t + window)."""
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while j < len(times) and times[j] < t + window:
            j += 1
        best = max(best, j - i)
    return best


def answer_word(text: str) -> str:
    """An answer's first word; in a group a run is "Ana logged #12 ...", counted as "Logged"."""
    first, _, rest = text.partition(" ")
    return "Logged" if rest.startswith("logged #") else first


def latencies(
    driver: Driver, arrived: list[tuple[float, str, int, str]], chats: set[int]
) -> dict[str, Any]:
    """Per ``/log`` pushed to these chats: the wait for its answer, and the answers' words.

    A ``/log``'s answer is the first message to its chat after it (a runner sends the
    next one 20 s later; the fuel nudge a logged run brings comes within a sweep).
    """
    answers: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for at, _, chat, text in arrived:
        if chat in chats:
            answers[chat].append((at, text))
    waits: list[tuple[float, float]] = []  # (pushed, waited)
    words: dict[str, int] = defaultdict(int)
    unanswered = 0
    for chat in chats:
        got = iter(answers.get(chat, []))
        for pushed in driver.pushed.get(chat, []):
            answer = next((a for a in got if a[0] >= pushed), None)
            if answer is None:
                unanswered += 1
                continue
            waits.append((pushed, answer[0] - pushed))
            words[answer_word(answer[1])] += 1
    return {"waits": waits, "words": dict(words), "unanswered": unanswered}


async def sweep_until_done(sweeper: Any, db: Any, within: float) -> dict[str, int]:
    """Sweep as the app does until nothing is due, claimed or sending; the statuses then."""
    deadline = time.perf_counter() + within
    while True:
        report = await sweeper.sweep()
        async with db.reader() as uow:
            counts: dict[str, int] = await uow.deliveries.counts()
        done = report.claimed == 0 and not any(
            counts.get(s, 0) for s in ("due", "claimed", "sending")
        )
        if done or time.perf_counter() >= deadline:
            break
        await asyncio.sleep(sweeper.settings.sweep_seconds)
    await sweeper.drain()
    return counts


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """Everything in one run; the figures."""
    ctx = multiprocessing.get_context("spawn")
    port_queue, stop_api = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=serve, args=(port_queue, stop_api))
    server.start()
    loads = [ctx.Process(target=busy, args=(args.load_seconds,)) for _ in range(args.load)]
    db = await open_db(url)
    clock = ShiftedClock(BURST_DUE - timedelta(hours=1))
    core = build_core(db, clock, SweepSettings())
    await insert_runners(db, args.burst, same_minute=True, account_base=NUDGE_BASE)
    await core.services.nudge_settings.reschedule_users()
    port = port_queue.get(timeout=30)
    base = f"http://127.0.0.1:{port}/bot{TOKEN}"
    settings = Settings(telegram_token=TOKEN, telegram_api_base_url=f"http://127.0.0.1:{port}/bot")
    adapter = TelegramAdapter(settings, core, budget=core.sweeper.queues.budget("telegram"))
    core.messengers["telegram"] = adapter.messenger
    sweeper = core.sweeper
    out: dict[str, Any] = {}
    try:
        await adapter.start()
        sweeper.start(NoScheduler())
        heap.settle()  # as the app does once started (App.start)
        reply_chats = [REPLY_BASE + n for n in range(40)]
        for process in loads:
            process.start()
        async with aiohttp.ClientSession() as session:
            driver = Driver(base, session)
            # Warm up: every runner's first contact (onboarding), untimed.
            members = [BURST_BASE + 100_000 + g * 100 + m for g in range(GROUPS) for m in range(30)]
            await driver.push([(c, c) for c in reply_chats + members])
            # Until every one of them is answered and a quiet moment follows (bounded), so
            # the idle phase does not share the budget or the write turns with the warm-up.
            deadline = time.perf_counter() + 120
            while time.perf_counter() < deadline:
                await asyncio.sleep(5)
                arrived = await driver.arrivals()
                all_in = {a[2] for a in arrived} >= set(reply_chats + members)
                if all_in and time.perf_counter() - max(a[0] for a in arrived) >= 5:
                    break
            driver.pushed.clear()

            stop = asyncio.Event()
            idle_start = time.perf_counter()
            idle = asyncio.create_task(trickle(driver, stop, args.reply_interval, reply_chats))
            await asyncio.sleep(args.idle_seconds)
            stop.set()
            await idle
            idle_end = time.perf_counter()

            # What the warm-up and the idle /log planned for later (onboarding follow-ups,
            # fuel nudges) falls due when the clock jumps ahead: it goes out now, so that
            # the burst's lateness is its own and not theirs (they are due before it).
            clock.set(BURST_DUE - timedelta(minutes=2))
            await sweep_until_done(sweeper, db, args.burst_timeout)

            # The burst: the clock reaches the due instant one second from now.
            clock.set(BURST_DUE - timedelta(seconds=1))
            due_at = time.perf_counter() + 1.0
            stop = asyncio.Event()
            busy_start = time.perf_counter()
            during = asyncio.create_task(trickle(driver, stop, args.reply_interval, reply_chats))
            await asyncio.sleep(1.0)
            counts = await sweep_until_done(sweeper, db, args.burst_timeout)
            stop.set()
            await during
            busy_end = time.perf_counter()
            out["statuses"] = counts

            # 2,000 /log from 500 chats at once: 490 private, 10 groups of 30 runners.
            private = args.log_chats - GROUPS
            logs: list[tuple[int, int]] = []
            for g in range(GROUPS):
                logs += [(GROUP_BASE - g, BURST_BASE + 100_000 + g * 100 + m) for m in range(30)]
            n = 0
            while len(logs) < args.logs:
                chat = BURST_BASE + n % private
                logs.append((chat, chat))
                n += 1
            log_chats = {c for c, _ in logs}
            logs_start = time.perf_counter()
            await driver.push(logs)
            deadline = time.perf_counter() + args.logs_timeout
            while time.perf_counter() < deadline:
                await asyncio.sleep(2)
                arrived = await driver.arrivals()
                answered = sum(1 for a in arrived if a[2] in log_chats and a[0] >= logs_start)
                if answered >= len(logs):
                    break
            arrived = await driver.arrivals()
    finally:
        for process in loads:
            process.terminate()
        await sweeper.stop()
        await adapter.stop()
        await db.close()
        stop_api.set()
        server.join(10)

    messages = [a[0] for a in arrived]
    by_chat: dict[int, list[float]] = defaultdict(list)
    for at, _, chat, _ in arrived:
        by_chat[chat].append(at)
    gaps = [b - a for times in by_chat.values() for a, b in itertools.pairwise(times)]
    group_max = max((sliding_max(t, 60.0) for c, t in by_chat.items() if c < 0), default=0)
    nudges = sorted(a[0] for a in arrived if NUDGE_BASE < a[2] <= NUDGE_BASE + args.burst)
    replies = latencies(driver, arrived, set(reply_chats))
    busy_waits = [w for p, w in replies["waits"] if busy_start <= p <= busy_end]
    idle_waits = [w for p, w in replies["waits"] if idle_start <= p <= idle_end]
    burst_logs = latencies(driver, [a for a in arrived if a[0] >= logs_start], log_chats)
    log_times = sorted(a[0] for a in arrived if a[2] in log_chats and a[0] >= logs_start)
    silences = [b - a for a, b in zip([logs_start, *log_times], log_times, strict=False)]
    out.update(
        messages=len(messages),
        sliding_max=sliding_max(messages, 1.0),
        nudge_sliding_max=sliding_max(nudges, 1.0),
        min_chat_gap=min(gaps) if gaps else float("nan"),
        group_max=group_max,
        nudges=len(nudges),
        drain_rate=(len(nudges) - 1) / (nudges[-1] - nudges[0]) if len(nudges) > 1 else 0.0,
        # What the budget sent while the burst's backlog lasted: nudges and replies alike.
        budget_rate=(
            (sum(1 for m in messages if nudges[0] <= m <= nudges[-1]) - 1)
            / (nudges[-1] - nudges[0])
            if len(nudges) > 1
            else 0.0
        ),
        first_late=nudges[0] - due_at if nudges else float("nan"),
        idle_p50=percentile(idle_waits, 0.5) if idle_waits else float("nan"),
        idle_p99=percentile(idle_waits, 0.99) if idle_waits else float("nan"),
        busy_p50=percentile(busy_waits, 0.5) if busy_waits else float("nan"),
        busy_p99=percentile(busy_waits, 0.99) if busy_waits else float("nan"),
        idle_n=len(idle_waits),
        busy_n=len(busy_waits),
        logs=len(logs),
        log_words=burst_logs["words"],
        log_unanswered=burst_logs["unanswered"],
        log_span=(log_times[-1] - logs_start) if log_times else float("nan"),
        log_silence=max(silences) if silences else float("nan"),
        log_sliding_max=sliding_max(log_times, 1.0),
    )
    return out


def main() -> None:
    """Run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite file)")
    parser.add_argument("--burst", type=int, default=10_000, help="nudges due at one instant")
    parser.add_argument("--burst-timeout", type=float, default=900.0)
    parser.add_argument("--logs", type=int, default=2000, help="/log sent at once")
    parser.add_argument("--log-chats", type=int, default=500)
    parser.add_argument("--logs-timeout", type=float, default=300.0)
    parser.add_argument("--reply-interval", type=float, default=0.5)
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--load", type=int, default=2, help="busy-loop processes beside it")
    parser.add_argument("--load-seconds", type=float, default=1200.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'receiver.db'}"
        r = asyncio.run(run(args, url))
    rows = [
        (
            "host",
            f"{os.cpu_count()} CPUs, {args.load} busy loops, load {load_before:.1f} before, "
            f"{os.getloadavg()[0]:.1f} after; {time.perf_counter() - began:.0f} s in all",
        ),
        ("messages received (all)", f"{r['messages']:,}"),
        ("sliding 1-s max, all messages (<= 30)", str(r["sliding_max"])),
        ("min gap between two messages to one chat (>= 1.0 s)", f"{r['min_chat_gap']:.3f} s"),
        ("max to one group in any 60 s (<= 20)", str(r["group_max"])),
        (f"nudge burst: received of {args.burst:,}", f"{r['nudges']:,} ({r['statuses']})"),
        ("nudge burst: sliding 1-s max", str(r["nudge_sliding_max"])),
        (
            "nudge burst: drain rate, nudges alone (replies go first)",
            f"{r['drain_rate']:.2f}/s = {r['drain_rate'] / 30:.3f} of 30/s",
        ),
        (
            "nudge burst: the budget's drain, every message (>= 0.9 of 30/s)",
            f"{r['budget_rate']:.2f}/s = {r['budget_rate'] / 30:.3f} of 30/s",
        ),
        ("nudge burst: first message after its due instant (<= 5 s)", f"{r['first_late']:.2f} s"),
        (
            "/log reply idle p50 / p99",
            f"{r['idle_p50'] * 1000:.0f} / {r['idle_p99'] * 1000:.0f} ms ({r['idle_n']})",
        ),
        (
            "/log reply during burst p50 / p99",
            f"{r['busy_p50'] * 1000:.0f} / {r['busy_p99'] * 1000:.0f} ms ({r['busy_n']})",
        ),
        ("/log reply p99 during burst / idle (<= 2)", f"{r['busy_p99'] / r['idle_p99']:.2f}x"),
        (f"/log burst: {r['logs']:,} at once, answers by first word", str(r["log_words"])),
        ("/log burst: unanswered", str(r["log_unanswered"])),
        (
            "/log burst: all answered after / longest silence",
            f"{r['log_span']:.1f} s / {r['log_silence']:.2f} s",
        ),
        ("/log burst: sliding 1-s max", str(r["log_sliding_max"])),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}} | result")
    print(f"{'-' * width}-|-{'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}} | {value}")


if __name__ == "__main__":
    main()
