"""The adapter in front of the real core, on a temporary SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from adapters.telegram import TelegramAdapter
from bot.clock import FakeClock
from bot.config import Settings
from bot.core.dispatch import Core
from bot.storage.database import Database
from tests.telegram.fakes import BOT_USERNAME, TOKEN, RecordingRequest
from tests.telegram.updates import GROUP_ID, RUNNER_ID, payload


@pytest.fixture
async def real(tmp_path: Path) -> AsyncIterator[tuple[TelegramAdapter, RecordingRequest]]:
    """An adapter wired to the real core, like ``bot.app.build_app`` does."""
    db = Database(str(tmp_path / "pacer.db"))
    core = Core(db, FakeClock())
    request = RecordingRequest()
    tg = TelegramAdapter(Settings(telegram_token=TOKEN), core, request=request)
    await db.open()
    await tg.application.initialize()
    try:
        yield tg, request
    finally:
        await tg.application.shutdown()
        await db.close()


async def _feed(tg: TelegramAdapter, data: dict[str, Any]) -> None:
    await tg.application.process_update(Update.de_json(data, tg.application.bot))


async def test_log_reply_shows_distance_time_and_pace(
    real: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = real
    await _feed(tg, payload("private_command", text="/log 5k 25:00"))

    [sent] = request.calls_to("sendMessage")
    assert sent.chat_id == RUNNER_ID
    assert "5.00 km" in sent.text
    assert "25:00" in sent.text
    assert "5:00 /km" in sent.text


async def test_redelivered_update_and_edit_log_one_run(
    real: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = real
    await _feed(tg, payload("private_command", update_id=910001, text="/log 5k 25:00"))
    await _feed(tg, payload("private_command", update_id=910001, text="/log 5k 25:00"))
    await _feed(tg, payload("edited_message", update_id=910002, text="/log 6k 30:00"))
    await _feed(tg, payload("private_command", update_id=910003, text="/runs"))

    listing = request.calls_to("sendMessage")[-1].text
    assert listing.count("5.00 km") == 1
    assert "6.00 km" not in listing


async def test_note_with_markup_shows_literally(
    real: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = real
    await _feed(tg, payload("private_command", text="/log 5k 25:00 <b>tempo</b> & hills"))
    await _feed(tg, payload("private_command", update_id=910004, text="/runs"))

    listing = request.calls_to("sendMessage")[-1].params["text"]
    assert "&lt;b&gt;tempo&lt;/b&gt; &amp; hills" in listing
    assert "<b>" not in listing


async def test_personal_reply_in_group_goes_to_the_dm(
    real: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = real
    await _feed(tg, payload("group_command", text=f"/slept@{BOT_USERNAME} 6.5 23:40"))

    dm, notice = request.calls_to("sendMessage")
    assert dm.chat_id == RUNNER_ID
    assert notice.chat_id == GROUP_ID
    assert "23:40" not in notice.text
    assert "6.5" not in notice.text
