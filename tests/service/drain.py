"""The failover drain: two Telegram processes, two schedulers, a burst of nudges, a kill -9.

Shared by ``tests/service/test_failover_drain.py`` (small) and
``bench/failover_bench.py`` (10,000 nudges). Everything the receiver sees is
timed at the fake Bot API, so the rate and per-chat spacing are the ones
Telegram would count.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.storage.database import Database
from bot.storage.deliveries import NewDelivery, user_target
from tests.service.conflicting_bot_api import ConflictingBotApi
from tests.service.processes import kill, pacer_env, read_log, start_pacer, stop
from tests.telegram.updates import payload

TOKEN = "515151:drain"
FIRST_CHAT = 800_000
ACTIVE = "Telegram: receiving updates"
_DELIVERY = re.compile(r"/nudge skip (\d+)")


class TimedBotApi(ConflictingBotApi):
    """The 409-answering fake that also notes when each message reached it."""

    def __init__(self, token: str) -> None:
        super().__init__(token, max_poll_wait=1.0)
        # (monotonic time, wall-clock time, chat, text and markup) of each sendMessage
        self.received: list[tuple[float, datetime, int, str]] = []
        self.handed_out: dict[int, float] = {}  # update id -> when a poll first took it
        # Seconds each sendMessage is answered after its arrival: a slow platform keeps
        # every request on the wire (and its row ``sending``) that long.
        self.answer_delay = 0.0

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Serve as the fake does, noting when each update first left with a poll."""
        updates = await super()._get_updates(params)
        now = time.monotonic()
        for update in updates:
            self.handed_out.setdefault(int(update["update_id"]), now)
        return updates

    async def _handle(self, request: web.Request) -> web.Response:
        response = await super()._handle(request)
        if self.answer_delay and request.match_info["method"] == "sendMessage":
            await asyncio.sleep(self.answer_delay)
        return response

    def answer(
        self, method: str, params: dict[str, Any], files: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]] | None:
        """Note a sendMessage's arrival, then answer as the fake does."""
        if method == "sendMessage":
            markup = params.get("reply_markup", "")
            text = markup if isinstance(markup, str) else json.dumps(markup)
            self.received.append(
                (
                    time.monotonic(),
                    datetime.now(UTC),
                    int(params["chat_id"]),
                    f"{params.get('text')} {text}",
                )
            )
        return super().answer(method, params, files or {})


@dataclass
class DrainResult:
    """What the receiver saw."""

    nudges: int
    delivered: int = 0
    duplicates: int = 0
    in_doubt: int = 0  # failed as "in doubt after a crash": the requests on the wire at the kill
    lost: int = 0
    left_open: int = 0  # rows still due, claimed or sending at the end
    max_per_second: int = 0  # most messages at the receiver in any sliding second
    closest_same_chat: float = 0.0  # seconds between two messages to one chat, at least
    failover_seconds: float = 0.0  # from the kill to the standby's first send
    drain_seconds: float = 0.0
    lateness_p99: float = 0.0
    log_replies: int = 0
    log_sent: int = 0
    log_answered_twice: int = 0
    # /log updates never answered: those the killed poller had taken (on the wire at the
    # kill) and any other (a real loss)
    log_lost_at_kill: int = 0
    log_lost_otherwise: int = 0
    conflicts: int = 0
    states: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Messages a second over the drain."""
        return self.delivered / self.drain_seconds if self.drain_seconds else 0.0


async def seed(url: str, nudges: int, spread: timedelta) -> datetime:
    """``nudges`` Telegram runners with one sleep check-in each, due over ``spread``."""
    db = Database(url)
    await db.open()
    start = datetime.now(UTC) + timedelta(seconds=5)
    try:
        async with db.uow() as uow:
            rows = []
            for i in range(nudges):
                chat = str(FIRST_CHAT + i)
                await uow.runners.create("telegram", chat, f"runner {i}", start)
                found = await uow.runners.find("telegram", chat)
                assert found is not None
                rows.append(
                    NewDelivery(
                        target=user_target(found.user.id),
                        kind="sleep_checkin",
                        occurrence=start.date().isoformat(),
                        due_at=start + spread * (i / nudges),
                        user_id=found.user.id,
                        anchor=start.date(),
                        platform="telegram",
                        chat_id=chat,
                    )
                )
            await uow.deliveries.add_many(rows)
            await uow.commit()
    finally:
        await db.close()
    return start


async def states(url: str) -> dict[str, int]:
    """Delivery records per status."""
    db = Database(url)
    await db.open(migrate=False)
    try:
        async with db.reader() as uow:
            return await uow.deliveries.counts()
    finally:
        await db.close()


async def due_times(url: str) -> dict[int, datetime]:
    """Each delivery's due instant."""
    db = Database(url)
    await db.open(migrate=False)
    try:
        async with db.reader() as uow:
            return {d.id: d.due_at for d in await uow.deliveries.listing()}
    finally:
        await db.close()


def _sliding_max(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def _closest_same_chat(received: list[tuple[float, datetime, int, str]]) -> float:
    last: dict[int, float] = {}
    closest = float("inf")
    for t, _, chat, _ in sorted(received):
        if chat in last:
            closest = min(closest, t - last[chat])
        last[chat] = t
    return closest


def _log_update(chat: int) -> dict[str, Any]:
    update = payload("private_command", text="/log 5k 25:00")
    update["message"]["chat"]["id"] = chat
    update["message"]["from"]["id"] = chat
    return update


async def run_drain(
    url: str,
    workdir: Path,
    nudges: int,
    *,
    spread: timedelta = timedelta(minutes=1),
    kill_after: float = 0.3,
    log_every: float = 2.0,
    lease_seconds: float = 10.0,
    limit_seconds: float = 900.0,
) -> DrainResult:
    """Seed, run 2 Telegram + 2 scheduler processes, kill the active poller, drain, measure."""
    await seed(url, nudges, spread)
    result = DrainResult(nudges)
    api = TimedBotApi(TOKEN)
    loop = asyncio.get_running_loop()
    async with api:
        common = {
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DATABASE_URL": url,
            "PACER_SWEEP_SECONDS": "1",
            "PACER_LEASE_SECONDS": str(lease_seconds),
        }
        names = ["telegram-1", "telegram-2", "scheduler-1", "scheduler-2"]
        logs = {n: workdir / f"{n}.log" for n in names}
        processes = {}
        for name in names:
            roles = name.split("-")[0]
            env = pacer_env(**common, PACER_ROLES=roles, PACER_PROCESS_NAME=name)
            processes[name] = await start_pacer(env, logs[name])
        try:
            # The drain: /log from runners meanwhile; the active poller killed part-way.
            deadline = loop.time() + limit_seconds
            killed_at: float | None = None
            sent_before_kill = 0
            standby = ""
            next_log = loop.time() + log_every
            log_chats = iter(range(FIRST_CHAT, FIRST_CHAT + nudges))
            log_updates: dict[int, int] = {}  # chat -> its /log's update id
            while True:
                delivered = len(set(_delivery_ids(api)))
                if killed_at is None and delivered >= nudges * kill_after:
                    active = next(
                        n for n in ("telegram-1", "telegram-2") if ACTIVE in read_log(logs[n])
                    )
                    standby = "telegram-2" if active == "telegram-1" else "telegram-1"
                    await kill(processes[active])
                    killed_at = time.monotonic()
                    sent_before_kill = len(api.received)
                if loop.time() >= next_log:
                    chat = next(log_chats, None)
                    if chat is not None:
                        log_updates[chat] = api.push_update(_log_update(chat))
                        result.log_sent += 1
                    next_log += log_every
                if killed_at is not None and not result.failover_seconds:
                    after = api.received[sent_before_kill:]
                    if after:
                        result.failover_seconds = after[0][0] - killed_at
                counts = await states(url)
                if killed_at is not None and not any(
                    counts.get(s, 0) for s in ("due", "claimed", "sending")
                ):
                    break
                assert loop.time() < deadline, f"not drained in {limit_seconds} s: {counts}"
                await asyncio.sleep(0.5)
            await asyncio.sleep(2.0)  # replies to the last /log
            assert await stop(processes[standby]) == 0, read_log(logs[standby])[-3000:]
        finally:
            for process in processes.values():
                await kill(process)
    ids = _delivery_ids(api)
    received = Counter(ids)
    result.delivered = len(received)
    result.duplicates = sum(n - 1 for n in received.values() if n > 1)
    result.states = await states(url)
    result.in_doubt = result.states.get("failed", 0)
    result.lost = nudges - result.delivered
    result.left_open = sum(result.states.get(s, 0) for s in ("due", "claimed", "sending"))
    times = [t for t, _, _, _ in api.received]
    result.max_per_second = _sliding_max(times)
    result.closest_same_chat = _closest_same_chat(api.received)
    result.log_replies = sum("5.00 km in 25:00" in text for _, _, _, text in api.received)
    answers = Counter(chat for _, _, chat, text in api.received if "5.00 km in 25:00" in text)
    result.log_answered_twice = sum(1 for n in answers.values() if n > 1)
    for chat, update_id in log_updates.items():
        if answers[chat]:
            continue
        taken = api.handed_out.get(update_id)
        if killed_at is not None and taken is not None and taken < killed_at:
            result.log_lost_at_kill += 1
        else:
            result.log_lost_otherwise += 1
    result.conflicts = api.conflicts
    nudge_times = [t for t, _, _, text in api.received if _DELIVERY.search(text)]
    if nudge_times:
        result.drain_seconds = max(nudge_times) - min(nudge_times)
    due = await due_times(url)
    lateness = sorted(
        max(0.0, (wall - due[int(m.group(1))]).total_seconds())
        for _, wall, _, text in api.received
        if (m := _DELIVERY.search(text)) is not None and int(m.group(1)) in due
    )
    if lateness:
        result.lateness_p99 = lateness[int(0.99 * (len(lateness) - 1))]
    return result


def _delivery_ids(api: TimedBotApi) -> list[int]:
    return [int(m.group(1)) for _, _, _, text in api.received if (m := _DELIVERY.search(text))]
