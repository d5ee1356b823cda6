"""In a group, a button answers only the runner it was made for."""

from __future__ import annotations

import json
from typing import Any

import pytest
from telegram import Update

from adapters.discord.adapter import build_client
from adapters.discord.handler import InteractionHandler
from adapters.telegram import TelegramAdapter
from bot.core.ownership import owner_of
from bot.messages import MAX_ACTION_BYTES
from tests.clubs.conftest import club_chat
from tests.discord import payloads
from tests.discord.fake_discord import user_payload
from tests.discord.harness import CapturedHTTP, deliver
from tests.discord.harness import settings as discord_settings
from tests.fakes import Harness
from tests.runfiles.test_log_file import send
from tests.telegram.fakes import RecordingRequest
from tests.telegram.updates import GROUP_ID, callback, feed, payload


async def test_another_runner_cannot_check_in_with_my_buttons(harness: Harness) -> None:
    ana = harness.chat("111", "telegram", private=False)
    ben = harness.chat("222", "telegram", private=False)
    await harness.chat("111", "telegram").say("/start", display_name="Ana")
    await ana.say("stop")
    logged = await ana.say("/log 5k 25:00")
    assert [b.label for b in logged.all_buttons] == [
        "🍌 Snack eaten",
        "🦵 Post-run mobility done",
        "👏 Cheer",  # the one button for everyone else in the group
    ]
    assert all(len(b.action.encode()) <= MAX_ACTION_BYTES for b in logged.all_buttons)
    ben.replies.append(logged)  # ben sees ana's reply in the group and taps
    reply = await ben.press("Snack eaten")
    assert "That button is for Ana" in reply.text and reply.private
    assert await harness.checkins(ben) == [] and await harness.checkins(ana) == []
    mine = await ana.press("Snack eaten")
    # The group reads the answer as a new message with nobody shown pressing: it says whose.
    assert mine.text.startswith("111 checked in: post-run snack (")
    assert not mine.private
    assert len(await harness.checkins(ana, "fuel")) == 1
    ana.replies.append(logged)  # a second tap on the same run's button
    again = await ana.press("Snack eaten")
    assert again.text.startswith("111 already checked in: post-run snack (")


async def test_another_runners_button_says_how_to_get_ones_own_only_under_a_run(
    harness: Harness,
) -> None:
    await harness.chat("111", "telegram").say("/start", display_name="Ann")
    ann = club_chat(harness, "111", admin=True)
    bob = club_chat(harness, "222")
    await ann.say("stop")
    logged = await ann.say("/log 5k 25:00")
    bob.replies.append(logged)
    assert (await bob.press("Snack eaten")).text == (
        "That button is for Ann: it answers only them, so I did nothing. "
        "Log your own run with /log 5k 25:00 to get yours."
    )
    await ann.say("/challenge create Winter Miles distance today 4w")
    asked = await ann.say("/challenge end Winter Miles")
    bob.replies.append(asked)
    assert (await bob.press("End it now")).text == (
        "That button is for Ann: it answers only them, so I did nothing."
    )


async def test_the_join_under_a_new_challenge_is_for_everyone_in_the_group(
    harness: Harness,
) -> None:
    admin = club_chat(harness, "111", admin=True)
    created = await admin.say("/challenge create Winter Miles distance today 4w")
    [join] = created.all_buttons
    assert join.action == "/challenge join #1"  # not stamped with the creator
    ben = club_chat(harness, "222")
    ben.replies.append(created)  # ben sees the announcement in the group and taps Join
    # Everyone in the group reads the answer to a press: it names who joined.
    assert (await ben.press("Join")).text == "222 is in Winter Miles!"
    assert (await admin.press("Join")).text == "111 is in Winter Miles!"
    board = (await ben.say("/challenge board")).text
    assert "2 members" in board


async def test_every_press_answered_in_the_group_says_whose_it_is(harness: Harness) -> None:
    """A button's answer is a new message showing nobody who pressed: it names the runner,
    or "A runner" for one who hides on boards (as boards and a challenge join do)."""
    bob = harness.chat("bob", "telegram", private=False)
    await bob.say("/log 5k 25:00")
    await bob.say("/log 5k 25:00")  # the same run again: asked, with Log it again
    assert (await bob.press("Log it again")).text.startswith("Bob logged #2 · today · 5.00 km")
    assert (await bob.press("mobility")).text.startswith("Bob checked in: post-run hip mobility")

    question = await send(bob, "other-sup.tcx")  # a file that names no sport, sent here
    assert "log it as a run?" in question
    assert (await bob.press("No")).text == (
        "Not logged: Bob's file wasn't a run, and Pacer logs runs only. Nothing was saved."
    )
    await send(bob, "other-sup.tcx")
    assert (await bob.press("Yes")).text.startswith("Bob logged #3 · Sat 16 Jul 2022 · 1.16 km")

    await harness.chat("bob", "telegram").say("/settings boards hidden")
    await bob.say("/log 8k 40:00")
    hidden = await bob.press("Snack eaten")
    assert hidden.text.startswith("A runner checked in: post-run snack (")
    assert "Bob" not in hidden.text
    # In private the answers read as before.
    alone = harness.chat("bob", "telegram")
    await alone.say("/log 3k 15:00")
    assert (await alone.press("Snack eaten")).text.startswith("Already checked in: post-run snack")


async def test_buttons_in_private_chats_are_left_as_they_are(harness: Harness) -> None:
    chat = harness.chat("111", "telegram")
    logged = await chat.say("/log 5k 25:00")
    assert [b.action for b in logged.all_buttons] == ["/fuel", "/mobility post"]


async def test_a_discord_sized_owner_still_fits_callback_data(harness: Harness) -> None:
    ana = harness.chat("1234567890123456789", "discord", private=False)
    logged = await ana.say("/log 5k 25:00")
    assert all(len(b.action.encode()) <= MAX_ACTION_BYTES for b in logged.all_buttons)
    pressed = await ana.press("mobility")
    assert pressed.text.startswith("1234567890123456789 checked in: post-run hip mobility")


async def _feed(tg: TelegramAdapter, data: dict[str, Any]) -> None:
    await tg.application.process_update(Update.de_json(data, tg.application.bot))


async def test_telegram_tells_the_other_presser_on_the_press_itself(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest], harness: Harness
) -> None:
    tg, request = telegram_on_core
    await feed(tg, payload("group_command", text="/log@PacerTestBot 5k 25:00"))
    [sent, week] = request.calls_to("sendMessage")
    assert (sent.chat_id, week.chat_id) == (GROUP_ID, 5550001)  # the week: Ada's alone
    markup = sent.params["reply_markup"]
    keyboard = (json.loads(markup) if isinstance(markup, str) else markup)["inline_keyboard"]
    data = keyboard[0][0]["callback_data"]
    assert data.startswith("~5550001 ")

    press = callback(data, chat="group", update_id=900100)
    press["callback_query"]["from"] = {"id": 5550002, "is_bot": False, "first_name": "Ben"}
    await feed(tg, press)
    [answer] = request.calls_to("answerCallbackQuery")
    assert "That button is for Ada" in answer.params["text"]
    assert str(answer.params["show_alert"]).lower() == "true"
    assert len(request.calls_to("sendMessage")) == 2  # nothing posted, nothing stored
    ben = harness.chat("5550002", "telegram")
    assert await harness.checkins(ben) == []

    await feed(tg, callback(data, chat="group", update_id=900101))  # Ada herself
    # A new message quoting nothing: its text says whose check-in it is.
    checked, coached = request.calls_to("sendMessage")[-2:]
    assert checked.text.startswith("Ada Runner checked in: post-run snack (")
    assert checked.params["chat_id"] == GROUP_ID
    assert checked.text.count("\n") == 0  # the coach's word on the snack is Ada's alone:
    assert coached.chat_id == 5550001 and coached.text.startswith("Refuelled early")


async def test_discord_answers_the_other_presser_ephemerally(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    http = CapturedHTTP()
    http.install(monkeypatch)
    client = build_client(discord_settings(), InteractionHandler(harness.core))
    await client.login("fake-token")
    try:
        log = payloads.slash("log", {"distance": "5k", "duration": "25:00"}, guild=True)
        deliver(client, log)
        answer = await http.wait_for(lambda c: f"/interactions/{log['id']}/" in c.path)
        rows = answer.json["data"]["components"]
        snack = next(b for row in rows for b in row["components"] if "Snack" in b["label"])
        assert snack["custom_id"].startswith(f"pacer:~{payloads.RUNNER_ID} ")

        press = payloads.button_press(snack["custom_id"], label=snack["label"], guild=True)
        other = user_payload("4242424242424242", "ben")
        press["member"]["user"] = other
        deliver(client, press)
        pressed = await http.wait_for(lambda c: f"/interactions/{press['id']}/" in c.path)
        data = pressed.json["data"]
        assert "That button is for" in data["content"] and data["flags"] & (1 << 6)
        ben = harness.chat("4242424242424242", "discord")
        assert await harness.checkins(ben) == []

        # Ada's own press: a public answer (type 4, not ephemeral) that the channel reads
        # with no "used /log" line above it, so its text says whose check-in it is.
        mine = payloads.button_press(snack["custom_id"], label=snack["label"], guild=True)
        deliver(client, mine)
        answered = await http.wait_for(lambda c: f"/interactions/{mine['id']}/" in c.path)
        assert answered.json["type"] == 4
        data = answered.json["data"]
        assert data["content"].startswith("Ada checked in: post-run snack (")
        assert "\n" not in data["content"]
        assert not (data.get("flags") or 0) & (1 << 6)
        # The coach's word on the snack is Ada's own: an ephemeral followup.
        coached = await http.wait_for(
            lambda c: c.method == "POST" and c.path.startswith("/webhooks/")
            and mine["token"] in c.path
        )  # fmt: skip
        assert coached.json["content"].startswith("Refuelled early")
        assert coached.json["flags"] & (1 << 6)
    finally:
        await client.close()


async def test_an_answer_that_goes_to_the_runner_alone_does_not_name_them(
    harness: Harness,
) -> None:
    group = harness.chat("111", "telegram", private=False)
    await harness.chat("111", "telegram").say("/start", display_name="Ana")
    slept = await group.say("/slept 7.5", display_name="Ana")
    assert slept.private  # /slept answers in private, even when typed in the group
    assert slept.text.startswith("Checked in: sleep: 7 h 30 min")
    assert "Ana" not in slept.text
    logged = await group.say("/log 5k 25:00", display_name="Ana")
    assert logged.text.startswith("Ana logged #1")  # the group reads this one


def test_a_hidden_runners_file_that_was_not_a_run_reads_right_mid_sentence() -> None:
    from bot.texts.runfiles import not_a_run

    assert not_a_run("A runner") == (
        "Not logged: a runner's file wasn't a run, and Pacer logs runs only. Nothing was saved."
    )
    assert not_a_run("Bob").startswith("Not logged: Bob's file wasn't a run")
    assert not_a_run() == "Not logged: Pacer logs runs only. Nothing was saved."


def test_an_owners_stamp_is_read_the_same_everywhere() -> None:
    """The one reader of ``~<owner> <action>`` (the core's dispatch and Telegram's adapter)."""
    assert owner_of("~5550001 /challenge end #3 confirm") == (
        "5550001",
        "/challenge end #3 confirm",
    )
    assert owner_of("/kudos 3") == (None, "/kudos 3")
