"""Club challenges through the Telegram adapter and the real core (both backends)."""

from __future__ import annotations

from itertools import count

from telegram import Update

from adapters.telegram import TelegramAdapter
from tests.telegram.club import BOB_ID, say
from tests.telegram.fakes import RecordingRequest
from tests.telegram.updates import GROUP_ID, RUNNER_ID, callback

_updates = count(970001)


async def test_a_telegram_group_runs_a_challenge_with_admins_checked_once(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    request.member_status[(GROUP_ID, RUNNER_ID)] = "administrator"
    await say(tg, "/challenge create Winter Miles distance today 4w target 100km")
    created = request.calls_to("sendMessage")[-1]
    assert created.chat_id == GROUP_ID
    assert "🏁 Winter Miles: distance, Thu 26 Nov – Wed 23 Dec 2026" in created.text
    keyboard = created.params["reply_markup"]["inline_keyboard"]
    join = keyboard[0][0]["callback_data"]
    await say(tg, "/club timezone Europe/Berlin")
    assert "Club time zone set to Europe/Berlin" in request.calls_to("sendMessage")[-1].text
    assert len(request.calls_to("getChatMember")) == 1  # cached for a few minutes

    # A plain member may join and look, but not end it; they are told why.
    await say(tg, "/challenge end Winter Miles", user=BOB_ID)
    # Errors are private: the answer goes to Bob's private chat, the group is told so.
    refusal = next(c for c in request.calls_to("sendMessage") if c.chat_id == BOB_ID).text
    assert "Bob, I sent you the answer in a private message." in (
        request.calls_to("sendMessage")[-1].text
    )
    assert "Only admins can use /challenge end here." in refusal
    assert "group's administrators" in refusal
    await say(tg, "/challenge join Winter Miles", user=BOB_ID)
    assert "Bob is in Winter Miles!" in request.calls_to("sendMessage")[-1].text

    # Ada taps Join under the announcement, then logs a run in her private chat.
    await tg.application.process_update(
        Update.de_json(callback(join, chat="group", update_id=next(_updates)), tg.application.bot)
    )
    await say(tg, "/log 12k 1:00:00", group=False)
    logged = request.calls_to("sendMessage")[-1]
    assert logged.chat_id == RUNNER_ID
    assert "Winter Miles: 12.00/100.00 km, 1st of 2" in logged.text
    await say(tg, "/challenge board", user=BOB_ID)
    board = request.calls_to("sendMessage")[-1]
    assert board.chat_id == GROUP_ID
    assert "1. Ada 12.00 km" in board.text and "2. Bob (you) 0.00 km" in board.text


async def test_club_commands_in_a_private_chat_say_where_they_work(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    await say(tg, "/challenge list", group=False)
    reply = request.calls_to("sendMessage")[-1].text
    assert "works in a group or server channel" in reply
