"""Discord's scheduled messages go over REST from the active Discord sender only.

Two Discord processes (shard 0 and shard 1 of 2) and a scheduler on one
PostgreSQL. Runners' DM nudges and a club post fall due: each goes out exactly
once, as a REST request to the fake Discord, claimed and sent by the process
that holds the Discord sender lock (whichever shard it serves: DMs arrive on
shard 0, but sending needs no gateway). While the sender is paused (alive, its
lock held) the other process sends nothing. Then the sender is killed with
``kill -9`` while nothing is on the wire; the other process takes over and
sends the next messages within 10 s, each once.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.discord.messenger import nonce_for
from bot.clubs.posts import POST, START
from bot.models import Challenge
from bot.storage.database import Database
from bot.storage.deliveries import Delivery, NewDelivery, chat_target, user_target
from tests.databases import empty_postgres, postgres_url
from tests.discord.fake_discord import APPLICATION_ID
from tests.service.processes import kill, pacer_env, read_log, start_pacer, stop, wait_for_line
from tests.service.sharded_discord import ShardedDiscord

pytestmark = pytest.mark.slow  # wall-clock time: Pacer processes, fake servers on 127.0.0.1

TOKEN = "fake-sender-token"
FIRST_USER = 400_000_000_000_200_000
CLUB_SERVER = "500000000000000001"
CLUB_CHANNEL = "500000000000000002"
ACTIVE = "active for the discord role"
DMS = 12  # per wave
WINDOW = timedelta(days=6)  # a challenge's last day, after its first


async def _seed(url: str, first: int, due: datetime, *, club_post: bool) -> list[int]:
    """``DMS`` Discord runners with a sleep check-in due from ``due`` on (and a club post); ids."""
    db = Database(url)
    await db.open(migrate=False)
    try:
        async with db.uow() as uow:
            before = {d.id for d in await uow.deliveries.listing()}
            rows = []
            for n in range(first, first + DMS):
                user = str(FIRST_USER + n)
                await uow.runners.create("discord", user, f"runner {n}", due)
                found = await uow.runners.find("discord", user)
                assert found is not None
                rows.append(
                    NewDelivery(
                        target=user_target(found.user.id),
                        kind="sleep_checkin",
                        occurrence=due.date().isoformat(),
                        due_at=due + timedelta(seconds=(n - first) / 3),
                        user_id=found.user.id,
                        anchor=due.date(),
                        platform="discord",
                        chat_id=user,
                    )
                )
            if club_post:
                club = await uow.clubs.ensure_club("discord", CLUB_SERVER, "Harriers", due)
                start = due.date() + timedelta(days=1)
                challenge = await uow.clubs.add_challenge(
                    Challenge(0, club.id, "December miles", "distance", start, start + WINDOW),
                    due,
                )
                rows.append(
                    NewDelivery(
                        target=chat_target("discord", CLUB_CHANNEL),
                        kind=POST,
                        occurrence=f"club:{club.id}:{due.isoformat()}",
                        due_at=due,
                        platform="discord",
                        chat_id=CLUB_CHANNEL,
                        anchor=due.date(),
                        payload=f'{{"club": {club.id}, "sections": [["{START}", {challenge.id}]]}}',
                    )
                )
            await uow.deliveries.add_many(rows)
            await uow.commit()
            added = [d.id for d in await uow.deliveries.listing() if d.id not in before]
            assert len(added) == DMS + club_post
            return added
    finally:
        await db.close()


async def _records(url: str) -> dict[int, Delivery]:
    db = Database(url)
    await db.open(migrate=False)
    try:
        async with db.reader() as uow:
            return {d.id: d for d in await uow.deliveries.listing()}
    finally:
        await db.close()


def _posts(fake: ShardedDiscord) -> list[tuple[float, str]]:
    """(arrival, nonce) of every message the fake received over REST."""
    return [
        (r.at, str((r.body or {}).get("nonce")))
        for r in fake.requests
        if r.method == "POST" and r.path.startswith("/channels/") and r.path.endswith("/messages")
    ]


def _sent_once(fake: ShardedDiscord, ids: list[int]) -> Counter[int]:
    by_nonce = {nonce_for(f"pacer-{i}"): i for i in ids}
    return Counter(by_nonce[n] for _, n in _posts(fake) if n in by_nonce)


async def _until(check: Callable[[], bool], within: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        assert loop.time() < deadline, f"{what} within {within} s"
        await asyncio.sleep(0.2)


async def test_scheduled_dms_and_club_posts_go_once_from_the_active_sender(
    tmp_path: Path,
) -> None:
    url = await postgres_url()
    await (await empty_postgres(url)).close()
    fake = ShardedDiscord()
    names = ["discord-0", "discord-1", "scheduler-1"]
    logs = {n: tmp_path / f"{n}.log" for n in names}
    async with fake:
        processes = {}
        for name in names:
            settings = {"DATABASE_URL": url, "PACER_PROCESS_NAME": name, "PACER_SWEEP_SECONDS": "1"}
            if name.startswith("discord"):
                settings.update(
                    DISCORD_TOKEN=TOKEN,
                    DISCORD_APPLICATION_ID=APPLICATION_ID,
                    DISCORD_API_BASE=fake.api_base,
                    DISCORD_GATEWAY_URL=fake.gateway_url,
                    DISCORD_SHARD_COUNT="2",
                    DISCORD_SHARD_IDS=name[-1],
                    PACER_ROLES="discord",
                )
            else:
                settings.update(PACER_ROLES="scheduler")
            processes[name] = await start_pacer(pacer_env(**settings), logs[name])
        try:
            await wait_for_line(logs["scheduler-1"], "active for the scheduler role", 60)
            await fake.wait_until(lambda: len(fake.identifies) >= 2, within=60)
            await _until(
                lambda: any(ACTIVE in read_log(logs[n]) for n in names[:2]), 30, "a sender"
            )
            first = next(n for n in names[:2] if ACTIVE in read_log(logs[n]))
            second = next(n for n in names[:2] if n != first)

            # The sender is alive but slow (paused): its lock holds, so the standby waits
            # and sends nothing; the sender sends everything once it goes on.
            processes[first].send_signal(signal.SIGSTOP)
            try:
                wave_1 = await _seed(url, 0, datetime.now(UTC), club_post=True)
                await asyncio.sleep(DMS / 3 + 2)  # every one due, and swept over by the standby
                assert _sent_once(fake, wave_1) == Counter()
            finally:
                processes[first].send_signal(signal.SIGCONT)
            await _until(lambda: set(_sent_once(fake, wave_1)) == set(wave_1), 30, "wave 1 sent")
            # Nothing on the wire at the kill: every answer recorded (else a DM in doubt is
            # resent with its nonce, which Discord, unlike this fake, would de-duplicate).
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            while {r.status for i, r in (await _records(url)).items() if i in wave_1} != {"sent"}:
                assert loop.time() < deadline, "wave 1 recorded as sent"
                await asyncio.sleep(0.2)

            # The sender dies with nothing on the wire; the next wave falls due meanwhile.
            await kill(processes[first])
            killed_at = time.monotonic()
            wave_2 = await _seed(url, DMS, datetime.now(UTC), club_post=False)
            await _until(lambda: set(_sent_once(fake, wave_2)) == set(wave_2), 30, "wave 2 sent")
            await asyncio.sleep(2.0)  # a second copy of anything would show up by now
            for name in (second, "scheduler-1"):
                assert await stop(processes[name]) == 0, read_log(logs[name])[-3000:]
        finally:
            for process in processes.values():
                await kill(process)
    sent = _sent_once(fake, wave_1 + wave_2)
    assert {i: n for i, n in sent.items() if n != 1} == {}
    assert len(sent) == 2 * DMS + 1
    records = await _records(url)
    assert {records[i].status for i in wave_1 + wave_2} == {"sent"}
    # Claimed and sent by the sender of the moment, whichever shard it serves.
    assert {str(records[i].owner).partition(":")[0] for i in wave_1} == {first}
    assert {str(records[i].owner).partition(":")[0] for i in wave_2} == {second}
    club = [r for r in records.values() if r.kind == POST and r.status == "sent"]
    assert [r.chat_id for r in club] == [CLUB_CHANNEL]
    wave_2_nonces = {nonce_for(f"pacer-{i}") for i in wave_2}
    first_after_kill = min(t for t, n in _posts(fake) if n in wave_2_nonces)
    assert first_after_kill - killed_at < 10  # the other process took over and sent
    for name in (second, "scheduler-1"):
        assert "Traceback" not in read_log(logs[name])
