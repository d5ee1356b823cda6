"""The adapter in front of the real core, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from adapters.telegram import TelegramAdapter
from tests.telegram.fakes import BOT_USERNAME, RecordingRequest
from tests.telegram.updates import GROUP_ID, RUNNER_ID, callback, feed, payload


async def _feed(tg: TelegramAdapter, data: dict[str, Any]) -> None:
    await tg.application.process_update(Update.de_json(data, tg.application.bot))


async def test_log_reply_shows_distance_time_and_pace(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    await feed(tg, payload("private_command", text="/log 5k 25:00"))

    [sent] = request.calls_to("sendMessage")
    assert sent.chat_id == RUNNER_ID
    assert "5.00 km" in sent.text
    assert "25:00" in sent.text
    assert "5:00 /km" in sent.text


async def test_redelivered_update_and_edit_log_one_run(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    await feed(tg, payload("private_command", update_id=910001, text="/log 5k 25:00"))
    await feed(tg, payload("private_command", update_id=910001, text="/log 5k 25:00"))
    await feed(tg, payload("edited_message", update_id=910002, text="/log 6k 30:00"))
    await feed(tg, payload("private_command", update_id=910003, text="/runs"))

    listing = request.calls_to("sendMessage")[-1].text
    assert listing.count("5.00 km") == 1
    assert "6.00 km" not in listing


async def test_note_with_markup_shows_literally(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    await feed(tg, payload("private_command", text="/log 5k 25:00 <b>tempo</b> & hills"))
    await feed(tg, payload("private_command", update_id=910004, text="/runs"))

    listing = request.calls_to("sendMessage")[-1].params["text"]
    assert "&lt;b&gt;tempo&lt;/b&gt; &amp; hills" in listing
    assert "<b>" not in listing


async def test_personal_reply_in_group_goes_to_the_dm(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    await feed(tg, payload("group_command", text=f"/slept@{BOT_USERNAME} 6.5 23:40"))

    dm, notice = request.calls_to("sendMessage")
    assert dm.chat_id == RUNNER_ID
    assert notice.chat_id == GROUP_ID
    assert "23:40" not in notice.text
    assert "6.5" not in notice.text


SETUP = (
    "/settings timezone Europe/Berlin",
    "/settings bedtime 23:45",
    "/settings target_bedtime 22:45",
    "/settings wake_time 06:30",
    "/settings run_days mon,wed,sat",
    "/settings run_time 07:00",
    "/settings strength_days tue,fri",
    "/settings strength_time 18:30",
)


class Runner:
    """Sends updates with fresh ids (each id is an idempotency key) and reads the answers."""

    def __init__(self, tg: TelegramAdapter, request: RecordingRequest) -> None:
        self.tg, self.request = tg, request
        self.next_id = 920000

    async def say(self, text: str, *, where: str = "private_command") -> list[dict[str, Any]]:
        self.next_id += 1
        return await self._send(payload(where, update_id=self.next_id, text=text))

    async def press(self, data: str) -> list[dict[str, Any]]:
        self.next_id += 1
        return await self._send(callback(data, update_id=self.next_id))

    async def _send(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        mark = len(self.request.calls)
        await feed(self.tg, update)
        return [c.params for c in self.request.calls[mark:] if c.method == "sendMessage"]


def _actions(sent: dict[str, Any]) -> list[list[str]]:
    rows = sent.get("reply_markup", {}).get("inline_keyboard", [])
    return [[b["callback_data"] for b in row] for row in rows]


@pytest.fixture
async def runner(telegram_on_core: tuple[TelegramAdapter, RecordingRequest]) -> Runner:
    """A runner with every setting in place, so every nudge kind is set up."""
    who = Runner(*telegram_on_core)
    for line in SETUP:
        await who.say(line)
    return who


async def test_bedtime_shows_the_plan_and_its_step_buttons(runner: Runner) -> None:
    [plan] = await runner.say("/bedtime")

    assert "22:45" in plan["text"]
    steps = [a for row in _actions(plan) for a in row]
    assert "/bedtime 20" in steps
    [changed] = await runner.press("/bedtime 20")
    assert "20" in changed["text"]


async def test_bedtime_in_a_group_goes_to_the_dm(runner: Runner) -> None:
    dm, notice = await runner.say(f"/bedtime@{BOT_USERNAME}", where="group_command")

    assert (int(dm["chat_id"]), int(notice["chat_id"])) == (RUNNER_ID, GROUP_ID)
    assert "22:45" in dm["text"]
    assert "22:45" not in notice["text"]


async def test_race_is_stored_and_shown(runner: Runner) -> None:
    [set_race] = await runner.say("/race 2027-04-12 Berlin Half")
    [shown] = await runner.say("/race")

    assert "Berlin Half" in set_race["text"]
    assert "Berlin Half" in shown["text"] and "2027-04-12" in shown["text"]


async def test_nudges_lists_every_kind_with_toggles_and_a_test_button(runner: Runner) -> None:
    [listing] = await runner.say("/nudges")

    actions = _actions(listing)
    assert len(actions) == 6  # five toggles and "Send me one of each now"
    flat = [a for row in actions for a in row]
    assert "/nudge stop post_run_fuel" in flat
    assert "/nudges test" in flat
    assert all(len(a.encode()) <= 64 for a in flat)  # Telegram's callback_data limit


async def test_nudge_button_turns_a_kind_off_for_good(runner: Runner) -> None:
    await runner.say("/nudges")
    [pressed] = await runner.press("/nudge stop post_run_fuel")
    [again] = await runner.say("/nudges")

    assert "Post-run fuel" in pressed["text"] and "off" in pressed["text"]
    flat = [a for row in _actions(again) for a in row]
    assert "/nudge start post_run_fuel" in flat  # stored: the toggle now turns it back on
    assert "/nudge stop post_run_fuel" not in flat


async def test_pause_until_a_date(runner: Runner) -> None:
    [paused] = await runner.say("/pause 2026-12-24")
    [resumed] = await runner.say("/pause off")

    assert "24 Dec 2026" in paused["text"]
    assert paused["text"] != resumed["text"]


async def test_blocking_the_bot_is_no_error_with_the_real_core(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest], caplog: pytest.LogCaptureFixture
) -> None:
    tg, request = telegram_on_core
    await feed(tg, payload("my_chat_member_blocked"))

    assert request.calls_to("sendMessage") == []
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
