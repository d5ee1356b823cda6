"""Real-shaped updates through PTB's parsing and handlers, Bot API calls recorded."""

from __future__ import annotations

import json
import logging

import pytest

from adapters.telegram import TelegramAdapter
from adapters.telegram.handlers import SORRY
from bot.config import Settings
from bot.core.commands import COMMANDS, CommandSpec, Scope
from bot.messages import Attachment, Button, Incoming, Reply
from tests.fakes import FakeCore
from tests.telegram.conftest import Feed
from tests.telegram.fakes import BOT_USERNAME, TOKEN, RecordingRequest
from tests.telegram.updates import GROUP_ID, RUNNER_ID, callback, payload


async def test_private_command_becomes_incoming(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    await feed(payload("private_command"))

    assert fake_core.received == [
        Incoming(
            platform="telegram",
            user_id=str(RUNNER_ID),
            chat_id=str(RUNNER_ID),
            is_private=True,
            is_admin=True,
            display_name="Ada Runner",
            command="log",
            text="5k 25:00 yesterday",
            idempotency_key="900001",
        )
    ]
    [sent] = fake_request.calls_to("sendMessage")
    assert sent.chat_id == RUNNER_ID
    assert sent.params["text"] == "ok log 5k 25:00 yesterday"
    assert sent.params["parse_mode"] == "HTML"
    assert "reply_parameters" not in sent.params


async def test_arguments_keep_their_words_across_lines(feed: Feed, fake_core: FakeCore) -> None:
    await feed(payload("private_command", text="/log\n10.5km 58:10  yesterday hilly"))

    assert fake_core.received[0].text == "10.5km 58:10  yesterday hilly"


async def test_group_command_addressed_with_bot_name(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    await feed(payload("group_command"))

    [incoming] = fake_core.received
    assert (incoming.command, incoming.text) == ("log", "5k 25:00")
    assert incoming.chat_id == str(GROUP_ID)
    assert not incoming.is_private
    assert not incoming.is_admin
    assert fake_request.calls_to("getChatMember") == []  # /log is not admin-only
    [sent] = fake_request.calls_to("sendMessage")
    assert sent.chat_id == GROUP_ID
    assert sent.params["reply_parameters"]["message_id"] == 501


async def test_group_command_for_another_bot_is_ignored(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    await feed(payload("group_command", text="/log@SomeOtherBot 5k 25:00"))
    await feed(payload("group_command", text="/weather@SomeOtherBot"))
    await feed(payload("group_command", text="/weather"))

    assert fake_core.received == []
    assert fake_request.api_calls == []


async def test_unknown_command_goes_to_the_core_in_private(feed: Feed, fake_core: FakeCore) -> None:
    await feed(payload("private_command", text="/frobnicate now"))
    await feed(payload("group_command", text=f"/frobnicate@{BOT_USERNAME}"))

    assert [(i.command, i.text, i.is_private) for i in fake_core.received] == [
        ("frobnicate", "now", True),
        ("frobnicate", "", False),
    ]


async def test_plain_text_in_private_is_an_answer(feed: Feed, fake_core: FakeCore) -> None:
    await feed(payload("private_text"))

    [incoming] = fake_core.received
    assert (incoming.command, incoming.text, incoming.action) == ("", "Europe/Berlin", None)
    assert incoming.idempotency_key == "900005"


async def test_plain_text_in_group_is_not_read(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    await feed(payload("group_command", text="great run this morning everyone"))

    assert fake_core.received == []
    assert fake_request.api_calls == []


async def test_edited_message_does_not_log_a_second_run(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    await feed(payload("private_command"))
    await feed(payload("edited_message"))

    assert [i.text for i in fake_core.received] == ["5k 25:00 yesterday"]
    assert len(fake_request.calls_to("sendMessage")) == 1


async def test_button_press_is_answered_and_routed(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    await feed(callback("tz:Europe/Berlin"))

    [incoming] = fake_core.received
    assert incoming.action == "tz:Europe/Berlin"
    assert (incoming.command, incoming.idempotency_key) == ("", "900003")
    assert incoming.is_private
    assert fake_request.api_calls == ["answerCallbackQuery", "sendMessage"]
    assert fake_request.calls_to("answerCallbackQuery")[0].params["callback_query_id"] == (
        "2371890347813245231"
    )
    assert fake_request.calls_to("sendMessage")[0].chat_id == RUNNER_ID


async def test_button_press_still_routed_when_the_answer_fails(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    fake_request.fail("answerCallbackQuery", 400, "Bad Request: query is too old")
    await feed(callback("tz:Europe/Berlin"))

    assert [i.action for i in fake_core.received] == ["tz:Europe/Berlin"]
    assert len(fake_request.calls_to("sendMessage")) == 1


async def test_buttons_render_as_inline_keyboard(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    fake_core.reply = lambda i: Reply(
        text="Which time zone are you in?",
        buttons=(
            (Button("London", "tz:Europe/London"), Button("Berlin", "tz:Europe/Berlin")),
            (Button("Other…", "tz:other"),),
        ),
    )
    await feed(payload("private_command", text="/start"))

    [sent] = fake_request.calls_to("sendMessage")
    keyboard = sent.params["reply_markup"]["inline_keyboard"]
    assert [[b["callback_data"] for b in row] for row in keyboard] == [
        ["tz:Europe/London", "tz:Europe/Berlin"],
        ["tz:other"],
    ]
    assert keyboard[1][0]["text"] == "Other…"


async def test_user_text_is_escaped_for_html(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    await feed(payload("private_command", text="/log 5k 25:00 <b>tempo</b> & hills"))

    assert fake_core.received[0].text == "5k 25:00 <b>tempo</b> & hills"
    [sent] = fake_request.calls_to("sendMessage")
    assert sent.params["text"] == "ok log 5k 25:00 &lt;b&gt;tempo&lt;/b&gt; &amp; hills"


async def test_long_reply_is_split_with_buttons_on_the_last_part(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    lines = [f"Run {n}: 5.00 km in 25:00 <easy>" for n in range(400)]
    fake_core.reply = lambda i: Reply(
        text="\n".join(lines), buttons=((Button("More", "runs:more"),),)
    )
    await feed(payload("private_command", text="/runs 50"))

    sent = fake_request.calls_to("sendMessage")
    assert len(sent) == 4
    texts = [c.params["text"] for c in sent]
    assert all(len(t.replace("&lt;", "<").replace("&gt;", ">")) <= 4096 for t in texts)
    assert "\n".join(texts).replace("&lt;", "<").replace("&gt;", ">") == "\n".join(lines)
    assert [("reply_markup" in c.params) for c in sent] == [False, False, False, True]


async def test_attachments_go_out_as_photo_and_document(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    fake_core.reply = lambda i: Reply(
        text="Your week",
        attachments=(
            Attachment("week.png", b"\x89PNG fake", "image/png"),
            Attachment("runs.csv", b"date,km\n", "text/csv"),
        ),
    )
    await feed(payload("private_command", text="/week"))

    assert fake_request.api_calls == ["sendMessage", "sendPhoto", "sendDocument"]
    assert fake_request.calls_to("sendPhoto")[0].files == {"photo": "week.png"}
    assert fake_request.calls_to("sendDocument")[0].files == {"document": "runs.csv"}


async def test_private_reply_in_group_goes_to_the_dm(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    fake_core.reply = lambda i: Reply(text="Bedtime 23:45, slept 6.5 h", private=True)
    await feed(payload("group_command", text=f"/settings@{BOT_USERNAME}"))

    dm, notice = fake_request.calls_to("sendMessage")
    assert dm.chat_id == RUNNER_ID
    assert dm.params["text"] == "Bedtime 23:45, slept 6.5 h"
    assert notice.chat_id == GROUP_ID
    assert "private message" in notice.params["text"]
    assert "23:45" not in notice.params["text"]


async def test_private_reply_in_group_when_dm_is_refused(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    fake_core.reply = lambda i: Reply(text="Bedtime 23:45, slept 6.5 h", private=True)
    fake_request.fail("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user")
    await feed(payload("group_command", text=f"/settings@{BOT_USERNAME}"))

    refused, notice = fake_request.calls_to("sendMessage")
    assert refused.chat_id == RUNNER_ID
    assert notice.chat_id == GROUP_ID
    assert "press Start" in notice.params["text"]
    assert "23:45" not in json.dumps(notice.params)
    url = notice.params["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert url == f"https://t.me/{BOT_USERNAME}"


CHECKED = "Ada checked in: plank 60 s (Sat 05 Dec)."


async def test_a_runners_own_lines_under_a_group_answer_go_to_the_dm_silently(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    fake_core.reply = lambda i: Reply(CHECKED, private_note="Next time: plank 75 s.")
    await feed(payload("group_command", text=f"/strength@{BOT_USERNAME} plank 60"))

    checked, note = fake_request.calls_to("sendMessage")
    assert (checked.chat_id, checked.text) == (GROUP_ID, CHECKED)
    assert (note.chat_id, note.text) == (RUNNER_ID, "Next time: plank 75 s.")
    assert note.params["disable_notification"] is True  # it follows what they just did
    assert "reply_parameters" not in note.params


async def test_a_refused_private_note_leaves_the_group_answer_standing(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    def refuse_the_dm() -> None:
        if len(fake_request.calls_to("sendMessage")) == 2:  # the group answer went out
            fake_request.fail("sendMessage", 403, "Forbidden: bot can't initiate conversation")

    fake_request.recorded = refuse_the_dm  # type: ignore[method-assign]
    fake_core.reply = lambda i: Reply(CHECKED, private_note="Next time: plank 75 s.")
    await feed(payload("group_command", text=f"/strength@{BOT_USERNAME} plank 60"))

    checked, refused = fake_request.calls_to("sendMessage")  # no notice, no apology
    assert (checked.chat_id, checked.text) == (GROUP_ID, CHECKED)
    assert refused.chat_id == RUNNER_ID


async def test_private_reply_after_button_in_group_goes_to_the_dm(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    fake_core.reply = lambda i: Reply(text="Your notes: knee ok", private=True)
    await feed(callback("runs:notes", chat="group"))

    assert fake_core.received[0].is_private is False
    dm, notice = fake_request.calls_to("sendMessage")
    assert (dm.chat_id, notice.chat_id) == (RUNNER_ID, GROUP_ID)
    assert "knee" not in notice.params["text"]


async def test_core_failure_is_logged_without_token_and_user_gets_apology(
    feed: Feed,
    fake_core: FakeCore,
    fake_request: RecordingRequest,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def explode(incoming: Incoming) -> Reply:
        raise RuntimeError(f"boom while talking to /bot{TOKEN}/sendMessage")

    fake_core.reply = explode
    with caplog.at_level(logging.ERROR):
        await feed(payload("private_command"))

    [sent] = fake_request.calls_to("sendMessage")
    assert sent.params["text"] == SORRY
    assert "Traceback" in caplog.text
    assert "RuntimeError: boom" in caplog.text
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


async def test_blocking_the_bot_marks_the_runner_unreachable(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    await feed(payload("my_chat_member_blocked"))

    assert fake_core.unreachable == [("telegram", str(RUNNER_ID), "blocked the bot on Telegram")]
    assert fake_request.api_calls == []


ADMIN_COMMANDS = (
    *COMMANDS,
    CommandSpec("club", "Set up the group's club", scope=Scope.GROUP, admin_only=True),
    CommandSpec("mynotes", "Private notes", scope=Scope.PRIVATE),
)


@pytest.mark.parametrize(
    ("status", "expected"),
    [("member", False), ("administrator", True), ("creator", True), ("left", False)],
)
async def test_admin_only_command_checks_chat_member(
    fake_request: RecordingRequest, fake_core: FakeCore, status: str, expected: bool
) -> None:
    from telegram import Update

    tg = TelegramAdapter(
        Settings(telegram_token=TOKEN), fake_core, commands=ADMIN_COMMANDS, request=fake_request
    )
    fake_request.member_status[(GROUP_ID, RUNNER_ID)] = status
    app = tg.application
    await app.initialize()
    try:
        data = payload("group_command", text=f"/club@{BOT_USERNAME} create")
        await app.process_update(Update.de_json(data, app.bot))
    finally:
        await app.shutdown()

    [incoming] = fake_core.received
    assert (incoming.command, incoming.text, incoming.is_admin) == ("club", "create", expected)
    [check] = fake_request.calls_to("getChatMember")
    assert (int(check.params["chat_id"]), int(check.params["user_id"])) == (GROUP_ID, RUNNER_ID)


@pytest.mark.parametrize(
    ("data", "status", "expected", "asked"),
    [
        ("~5550001 /challenge end #3 confirm", "administrator", True, 1),
        ("~5550001 /challenge end #3 confirm", "member", False, 1),
        ("~5550002 /challenge end #3 confirm", "administrator", False, 0),  # not her button
        ("/challenge join #3", "administrator", False, 0),  # anyone may: nobody is asked
        ("tz:Europe/Berlin", "administrator", False, 0),
    ],
)
async def test_a_press_on_an_admin_button_in_a_group_checks_the_presser(
    adapter: TelegramAdapter,
    fake_request: RecordingRequest,
    fake_core: FakeCore,
    feed: Feed,
    data: str,
    status: str,
    expected: bool,
    asked: int,
) -> None:
    fake_request.member_status[(GROUP_ID, RUNNER_ID)] = status
    await feed(callback(data, chat="group"))
    [incoming] = fake_core.received
    assert (incoming.action, incoming.is_admin) == (data, expected)
    assert len(fake_request.calls_to("getChatMember")) == asked


async def test_a_demoted_admin_loses_admin_commands_when_telegram_says_so(
    fake_request: RecordingRequest, fake_core: FakeCore
) -> None:
    from telegram import Update

    tg = TelegramAdapter(
        Settings(telegram_token=TOKEN), fake_core, commands=ADMIN_COMMANDS, request=fake_request
    )
    fake_request.member_status[(GROUP_ID, RUNNER_ID)] = "administrator"
    app = tg.application
    await app.initialize()
    try:
        club = payload("group_command", text=f"/club@{BOT_USERNAME} create")
        await app.process_update(Update.de_json(club, app.bot))
        await app.process_update(Update.de_json(payload("chat_member_demoted"), app.bot))
        await app.process_update(Update.de_json(club | {"update_id": 900010}, app.bot))
        promoted = payload("chat_member_demoted", update_id=900011)
        change = promoted["chat_member"]
        change["old_chat_member"], change["new_chat_member"] = (
            change["new_chat_member"],
            change["old_chat_member"],
        )
        await app.process_update(Update.de_json(promoted, app.bot))
        await app.process_update(Update.de_json(club | {"update_id": 900012}, app.bot))
    finally:
        await app.shutdown()

    assert [i.is_admin for i in fake_core.received] == [True, False, True]
    assert len(fake_request.calls_to("getChatMember")) == 1  # the rest came from Telegram


async def test_command_menus_per_scope(fake_request: RecordingRequest, fake_core: FakeCore) -> None:
    tg = TelegramAdapter(
        Settings(telegram_token=TOKEN), fake_core, commands=ADMIN_COMMANDS, request=fake_request
    )
    await tg.application.initialize()
    try:
        await tg.publish_commands()
    finally:
        await tg.application.shutdown()

    menus = {
        c.params["scope"]["type"]: [cmd["command"] for cmd in c.params["commands"]]
        for c in fake_request.calls_to("setMyCommands")
    }
    assert set(menus) == {"all_private_chats", "all_group_chats", "all_chat_administrators"}
    assert {"start", "log", "mynotes"} <= set(menus["all_private_chats"])
    assert "club" not in menus["all_private_chats"]
    assert "log" in menus["all_group_chats"]
    assert "mynotes" not in menus["all_group_chats"]
    assert "club" not in menus["all_group_chats"]
    assert "club" in menus["all_chat_administrators"]
    assert "mynotes" not in menus["all_chat_administrators"]


GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}


def _anonymous(
    text: str, sender: dict[str, object], sender_chat: dict[str, object]
) -> dict[str, object]:
    update = payload("group_command", text=text)
    update["message"]["from"] = sender
    update["message"]["sender_chat"] = sender_chat
    return update


@pytest.mark.parametrize(
    ("sender", "sender_chat"),
    [
        (GROUP_ANONYMOUS_BOT, {"id": GROUP_ID, "title": "Sunrise Runners", "type": "supergroup"}),
        (CHANNEL_BOT, {"id": -1009876543210, "title": "Club News", "type": "channel"}),
    ],
)
async def test_anonymous_sender_in_a_group_is_asked_to_post_as_themselves(
    feed: Feed,
    fake_core: FakeCore,
    fake_request: RecordingRequest,
    sender: dict[str, object],
    sender_chat: dict[str, object],
) -> None:
    await feed(_anonymous(f"/log@{BOT_USERNAME} 5k 25:00", sender, sender_chat))

    assert fake_core.received == []  # no shared "GroupAnonymousBot" runner is created
    [sent] = fake_request.calls_to("sendMessage")
    assert sent.chat_id == GROUP_ID
    assert sent.params["text"] == "Post as yourself to use Pacer here."
    assert sent.params["parse_mode"] == "HTML"
    assert sent.params["reply_parameters"]["message_id"] == 501


async def test_anonymous_admin_still_runs_admin_only_commands(
    fake_request: RecordingRequest, fake_core: FakeCore
) -> None:
    from telegram import Update

    tg = TelegramAdapter(
        Settings(telegram_token=TOKEN), fake_core, commands=ADMIN_COMMANDS, request=fake_request
    )
    app = tg.application
    await app.initialize()
    try:
        group = {"id": GROUP_ID, "title": "Sunrise Runners", "type": "supergroup"}
        data = _anonymous(f"/club@{BOT_USERNAME} create", GROUP_ANONYMOUS_BOT, group)
        await app.process_update(Update.de_json(data, app.bot))
    finally:
        await app.shutdown()

    [incoming] = fake_core.received
    assert (incoming.command, incoming.is_admin) == ("club", True)
    assert incoming.display_name == "An admin"  # not "Group", Telegram's name for them
    assert fake_request.calls_to("getChatMember") == []


async def test_button_without_data_is_still_answered(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    update = callback("unused")
    del update["callback_query"]["data"]
    update["callback_query"]["game_short_name"] = "tempo_run"

    await feed(update)

    assert fake_core.received == []
    [answered] = fake_request.calls_to("answerCallbackQuery")
    assert answered.params["callback_query_id"] == "2371890347813245231"
    assert fake_request.calls_to("sendMessage") == []


async def test_empty_reply_shows_a_tick_with_its_buttons(
    feed: Feed, fake_core: FakeCore, fake_request: RecordingRequest
) -> None:
    fake_core.reply = lambda i: Reply(text="  ", buttons=((Button("Undo", "/undo"),),))

    await feed(payload("private_command", text="/fuel"))

    [sent] = fake_request.calls_to("sendMessage")
    assert sent.params["text"] == "✓"
    assert sent.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/undo"
