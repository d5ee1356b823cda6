"""The adapter with the real core on a temporary SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord.adapter import build_client
from adapters.discord.client import PacerClient
from adapters.discord.handler import InteractionHandler
from bot.clock import FakeClock
from bot.core.dispatch import Core
from bot.storage.database import Database
from tests.discord import payloads
from tests.discord.harness import CapturedHTTP, deliver, settings

EPHEMERAL = 1 << 6


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    db = Database(str(tmp_path / "pacer.db"))
    await db.open()
    try:
        yield Core(db, FakeClock())
    finally:
        await db.close()


@pytest.fixture
def http(monkeypatch: pytest.MonkeyPatch) -> CapturedHTTP:
    captured = CapturedHTTP()
    captured.install(monkeypatch)
    return captured


@pytest.fixture
async def client(http: CapturedHTTP, core: Core) -> AsyncIterator[PacerClient]:
    bot = build_client(settings(), InteractionHandler(core))
    await bot.login("fake-token")
    try:
        yield bot
    finally:
        await bot.close()


async def test_log_then_press_a_button_then_autocomplete_delete(
    client: PacerClient, http: CapturedHTTP
) -> None:
    log = payloads.slash("log", {"distance": "5k", "duration": "25:00"})
    deliver(client, log)
    answer = await http.wait_for(lambda c: f"/interactions/{log['id']}/" in c.path)

    content = answer.json["data"]["content"]
    assert "5.00 km" in content and "25:00" in content and "5:00 /km" in content
    buttons = [b for row in answer.json["data"]["components"] for b in row["components"]]
    assert buttons and all(b["custom_id"].startswith("pacer:") for b in buttons)

    press = payloads.button_press(buttons[0]["custom_id"], label=buttons[0]["label"])
    deliver(client, press)
    pressed = await http.wait_for(lambda c: f"/interactions/{press['id']}/" in c.path)
    assert pressed.json["type"] == 4 and pressed.json["data"]["content"]

    ask = payloads.autocomplete("delete", "run_id", "")
    deliver(client, ask)
    suggested = await http.wait_for(lambda c: f"/interactions/{ask['id']}/" in c.path)
    [choice] = suggested.json["data"]["choices"]
    assert choice["value"] == 1 and "5.00 km" in choice["name"]


async def test_personal_replies_stay_private_in_a_server(
    client: PacerClient, http: CapturedHTTP
) -> None:
    week = payloads.slash("week", guild=True)
    deliver(client, week)
    answer = await http.wait_for(lambda c: f"/interactions/{week['id']}/" in c.path)

    assert answer.json["data"]["flags"] & EPHEMERAL


async def test_timezone_autocomplete_from_the_core(client: PacerClient, http: CapturedHTTP) -> None:
    ask = payloads.autocomplete("start", "timezone", "Europe/Ber")
    deliver(client, ask)
    suggested = await http.wait_for(lambda c: f"/interactions/{ask['id']}/" in c.path)

    values = [c["value"] for c in suggested.json["data"]["choices"]]
    assert "Europe/Berlin" in values and len(values) <= 25
