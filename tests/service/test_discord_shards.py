"""Two Discord processes with one shard each: every interaction answered once, one sync.

The fake gateway routes a server's events to shard ``(guild_id >> 22) % 2``
and DMs to shard 0, as Discord does. Each process connects only its shard,
so each interaction reaches one process; the command schema is uploaded once,
and not again when both restart (its hash is in the database).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.databases import empty_postgres, postgres_url
from tests.discord import payloads
from tests.discord.fake_discord import APPLICATION_ID, Recorded
from tests.service.processes import pacer_env, read_log, start_pacer, stop
from tests.service.sharded_discord import ShardedDiscord, shard_of

pytestmark = pytest.mark.slow  # wall-clock time: Pacer processes, fake servers on 127.0.0.1

TOKEN = "fake-sharded-token"
SERVERS = 12


def _in_server(guild_id: int, user_id: str) -> dict[str, Any]:
    """``/runs`` typed in one server by one member."""
    payload = payloads.slash("runs", guild=True, user_id=user_id)
    guild = str(guild_id)
    payload["guild_id"] = guild
    payload["channel"]["guild_id"] = guild
    payload["guild"]["id"] = guild
    payload["authorizing_integration_owners"] = {"0": guild}
    return payload


def _answers(fake: ShardedDiscord) -> Counter[str]:
    return Counter(
        r.path.split("/")[2]
        for r in fake.requests
        if r.method == "POST" and r.path.startswith("/interactions/")
    )


def _uploads(fake: ShardedDiscord) -> list[Recorded]:
    return [r for r in fake.requests if r.method == "PUT" and r.path.endswith("/commands")]


async def test_two_discord_processes_with_a_shard_each_answer_every_interaction_once(
    tmp_path: Path,
) -> None:
    url = await postgres_url()
    await (await empty_postgres(url)).close()
    fake = ShardedDiscord()
    sent: list[str] = []
    logs: list[Path] = []
    async with fake:
        for round_ in (1, 2):  # the second round is a restart of both
            identified = len(fake.identifies)
            processes = []
            for shard in (0, 1):
                log = tmp_path / f"discord-{shard}-{round_}.log"
                logs.append(log)
                env = pacer_env(
                    DISCORD_TOKEN=TOKEN,
                    DISCORD_APPLICATION_ID=APPLICATION_ID,
                    DISCORD_API_BASE=fake.api_base,
                    DISCORD_GATEWAY_URL=fake.gateway_url,
                    DISCORD_SHARD_COUNT="2",
                    DISCORD_SHARD_IDS=str(shard),
                    DATABASE_URL=url,
                    PACER_ROLES="discord",
                    PACER_PROCESS_NAME=f"discord-{shard}",
                )
                processes.append(await start_pacer(env, log))
            try:
                expected = identified + 2
                await fake.wait_until(lambda: len(fake.identifies) >= expected, within=60)  # noqa: B023
                shards = sorted(tuple(i["shard"]) for i in fake.identifies[identified:])
                assert shards == [(0, 2), (1, 2)]  # each process only its own shard
                await fake.wait_until(lambda: len(_uploads(fake)) >= 1, within=30)
                batch = []
                for n in range(SERVERS):
                    guild_id = ((1000 + n) << 22) | 77  # servers on both shards
                    batch.append(_in_server(guild_id, str(400000000000001000 + n)))
                batch.append(payloads.slash("runs"))  # a DM: shard 0
                assert {shard_of(int(p.get("guild_id") or 0) or None, 2) for p in batch} == {0, 1}
                for payload in batch:
                    sent.append(payload["id"])
                    await fake.dispatch("INTERACTION_CREATE", payload)
                await fake.wait_until(lambda: set(sent) <= set(_answers(fake)), within=30)
                await asyncio.sleep(1.0)  # time for any second answer to show up
            finally:
                codes = [await stop(p, within=20) for p in processes]
            assert codes == [0, 0], [read_log(log)[-2000:] for log in logs[-2:]]
    answers = _answers(fake)
    assert {i: answers[i] for i in sent if answers[i] != 1} == {}
    assert len(_uploads(fake)) == 1  # synced once; the restart found the hash in the database
    for log in logs:
        text = read_log(log)
        assert "Traceback" not in text and TOKEN not in text
