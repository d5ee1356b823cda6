"""Interactions through discord.py's own parsing, with the HTTP layer captured."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from adapters.discord.client import PacerClient, pacer_intents
from adapters.discord.handler import AUTOCOMPLETE_TIMEOUT, InteractionHandler
from adapters.discord.render import button_rows
from adapters.discord.texts import ANSWERED_PRIVATELY, NEEDS_MANAGE_SERVER, RESTARTING, SORRY
from bot.core.commands import CommandSpec, OptionSpec
from bot.messages import Attachment, Button, Choice, Incoming, Reply
from tests.discord import payloads
from tests.discord.fake_discord import APPLICATION_ID
from tests.discord.harness import CapturedHTTP, deliver, logged_in_client
from tests.fakes import FakeCore

EPHEMERAL = 1 << 6


@pytest.fixture
def http(monkeypatch: pytest.MonkeyPatch) -> CapturedHTTP:
    captured = CapturedHTTP()
    captured.install(monkeypatch)
    return captured


@pytest.fixture
async def clients() -> AsyncIterator[list[PacerClient]]:
    """Clients created by a test, closed afterwards."""
    made: list[PacerClient] = []
    yield made
    for client in made:
        await client.close()


async def start(clients: list[PacerClient], core: FakeCore, **kwargs: Any) -> PacerClient:
    client = await logged_in_client(core, **kwargs)
    clients.append(client)
    return client


def callback_of(payload: dict[str, Any]) -> Any:
    """A predicate for the interaction callback of ``payload``."""
    return lambda c: (
        c.path.startswith(f"/interactions/{payload['id']}/") and c.path.endswith("/callback")
    )


def followup_of(payload: dict[str, Any], method: str = "POST") -> Any:
    """A predicate for a followup/edit through the interaction's webhook."""
    prefix = f"/webhooks/{APPLICATION_ID}/{payload['token']}"
    return lambda c: c.method == method and c.path.startswith(prefix)


async def test_log_in_a_server_reaches_the_core_and_answers_publicly(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    core = FakeCore(Reply("Logged 5.00 km in 25:00 (5:00 /km)"))
    client = await start(clients, core)
    payload = payloads.slash("log", {"distance": "5k", "duration": "25:00"}, guild=True)

    deliver(client, payload)
    call = await http.wait_for(callback_of(payload))

    [incoming] = core.received
    assert incoming.platform == "discord"
    assert incoming.command == "log"
    assert incoming.options == {"distance": "5k", "duration": "25:00"}
    assert incoming.user_id == payloads.RUNNER_ID
    assert incoming.chat_id == payloads.CHANNEL_ID
    assert incoming.display_name == "Ada"
    assert incoming.is_private is False
    assert incoming.is_admin is False
    assert incoming.idempotency_key == payload["id"]
    assert call.json["type"] == 4
    assert call.json["data"]["content"] == "Logged 5.00 km in 25:00 (5:00 /km)"
    assert not call.json["data"].get("flags", 0) & EPHEMERAL
    assert call.json["data"]["allowed_mentions"] == {"parse": []}


async def test_a_runners_own_lines_under_a_channel_answer_are_ephemeral(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    core = FakeCore(
        Reply("Ada checked in: plank 60 s (Sat 05 Dec).", private_note="Next time: plank 75 s.")
    )
    client = await start(clients, core)
    payload = payloads.slash("strength", {"exercise": "plank", "detail": "60"}, guild=True)

    deliver(client, payload)
    call = await http.wait_for(callback_of(payload))
    note = await http.wait_for(followup_of(payload))

    assert call.json["data"]["content"] == "Ada checked in: plank 60 s (Sat 05 Dec)."
    assert not call.json["data"].get("flags", 0) & EPHEMERAL  # the channel reads this
    assert note.json["content"] == "Next time: plank 75 s."
    assert note.json["flags"] & EPHEMERAL  # and only Ada this


async def test_typed_options_arrive_as_strings_and_only_when_given(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    core = FakeCore()
    client = await start(clients, core)
    runs = payloads.slash("runs", {"count": 5})
    strength = payloads.slash("strength", {"exercise": "side-plank", "detail": "45"})
    week = payloads.slash("week")

    for payload in (runs, strength, week):
        deliver(client, payload)
        await http.wait_for(callback_of(payload))

    assert [i.options for i in core.received] == [
        {"count": "5"},
        {"exercise": "side-plank", "detail": "45"},
        {},
    ]
    assert all(i.is_private for i in core.received)  # the DM with Pacer's bot user


async def test_private_reply_is_ephemeral_in_a_server_but_plain_in_the_dm(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    client = await start(clients, FakeCore(Reply("Your week: 3 runs", private=True)))
    in_server = payloads.slash("week", guild=True)
    in_dm = payloads.slash("week")

    deliver(client, in_server)
    deliver(client, in_dm)
    server_call = await http.wait_for(callback_of(in_server))
    dm_call = await http.wait_for(callback_of(in_dm))

    assert server_call.json["data"]["flags"] & EPHEMERAL
    assert not dm_call.json["data"].get("flags", 0) & EPHEMERAL


async def test_slow_core_is_deferred_then_answered_by_followup(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    core = FakeCore(Reply("Logged."), delay=0.3)
    client = await start(clients, core, defer_after=0.05)
    payload = payloads.slash("log", {"distance": "5k", "duration": "25:00"}, guild=True)

    deliver(client, payload)
    followup = await http.wait_for(followup_of(payload))

    callback = await http.wait_for(callback_of(payload))
    assert callback.json["type"] == 5  # deferred channel message ("thinking")
    assert followup.json["content"] == "Logged."
    assert http.calls.index(callback) < http.calls.index(followup)


async def test_slow_private_reply_to_a_button_never_fills_the_public_thinking_message(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    client = await start(
        clients, FakeCore(Reply("secret", private=True), delay=0.3), defer_after=0.05
    )
    payload = payloads.button_press("pacer:week:notes", guild=True)

    deliver(client, payload)
    followup = await http.wait_for(followup_of(payload, "POST"))

    callback = await http.wait_for(callback_of(payload))
    edit = await http.wait_for(followup_of(payload, "PATCH"))
    assert not callback.json.get("data", {}).get("flags", 0) & EPHEMERAL  # privacy unknown yet
    assert edit.json["content"] == ANSWERED_PRIVATELY
    assert followup.json["content"] == "secret"
    assert followup.json["flags"] & EPHEMERAL
    assert http.calls.index(edit) < http.calls.index(followup)


async def test_slow_private_command_in_a_server_defers_ephemerally(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    client = await start(
        clients, FakeCore(Reply("Slept 6.5 h", private=True), delay=0.3), defer_after=0.05
    )
    payload = payloads.slash("week", guild=True)  # /week has private_reply=True

    deliver(client, payload)
    followup = await http.wait_for(followup_of(payload, "POST"))

    callback = await http.wait_for(callback_of(payload))
    assert callback.json["type"] == 5
    assert callback.json["data"]["flags"] & EPHEMERAL  # no public "thinking" stub at all
    assert followup.json["content"] == "Slept 6.5 h"
    assert followup.json["flags"] & EPHEMERAL
    assert [c for c in http.calls if followup_of(payload, "PATCH")(c)] == []


async def test_slow_private_command_in_the_bot_dm_defers_normally(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    client = await start(
        clients, FakeCore(Reply("Slept 6.5 h", private=True), delay=0.3), defer_after=0.05
    )
    payload = payloads.slash("week")

    deliver(client, payload)
    followup = await http.wait_for(followup_of(payload, "POST"))

    callback = await http.wait_for(callback_of(payload))
    assert not callback.json.get("data", {}).get("flags", 0) & EPHEMERAL
    assert not followup.json.get("flags", 0) & EPHEMERAL


async def test_failed_followup_after_a_defer_replaces_thinking_with_an_apology(
    http: CapturedHTTP, clients: list[PacerClient], caplog: pytest.LogCaptureFixture
) -> None:
    client = await start(clients, FakeCore(Reply("Logged."), delay=0.3), defer_after=0.05)
    payload = payloads.slash("log", {"distance": "5k", "duration": "25:00"}, guild=True)
    http.fail_next(followup_of(payload, "POST"), aiohttp.ClientConnectionError("reset by peer"))

    deliver(client, payload)
    edit = await http.wait_for(followup_of(payload, "PATCH"))

    assert edit.path.endswith("/messages/@original")
    assert edit.json["content"] == SORRY
    assert "could not answer /log" in caplog.text
    assert "ClientConnectionError" in caplog.text


async def test_slow_autocomplete_answers_nothing_with_a_one_line_warning(
    http: CapturedHTTP, clients: list[PacerClient], caplog: pytest.LogCaptureFixture
) -> None:
    core = FakeCore(suggestions=[Choice("Europe/Berlin", "Europe/Berlin")], suggest_delay=0.5)
    client = await start(clients, core, autocomplete_timeout=0.05)
    payload = payloads.autocomplete("start", "timezone", "Eur")

    deliver(client, payload)
    call = await http.wait_for(callback_of(payload))

    assert call.json["data"]["choices"] == []
    [warning] = [r for r in caplog.records if r.name == "adapters.discord.handler"]
    assert warning.levelname == "WARNING"
    assert warning.exc_info is None and "Traceback" not in caplog.text
    assert "/start timezone" in warning.getMessage()
    assert AUTOCOMPLETE_TIMEOUT < 2.0  # Discord allows 3 s for the whole round trip


async def test_six_button_rows_are_repacked_into_discords_five(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    rows = tuple((Button(f"Toggle {n}", f"t:{n}"),) for n in range(5))
    reply = Reply("Your nudges", buttons=(*rows, (Button("Send one now", "test"),)))
    client = await start(clients, FakeCore(reply))
    payload = payloads.slash("nudges")

    deliver(client, payload)
    call = await http.wait_for(callback_of(payload))

    layout = [[b["custom_id"] for b in r["components"]] for r in call.json["data"]["components"]]
    assert layout == [
        ["pacer:t:0", "pacer:t:1", "pacer:t:2", "pacer:t:3", "pacer:t:4"],
        ["pacer:test"],
    ]


def test_more_than_25_buttons_keep_25_and_warn(caplog: pytest.LogCaptureFixture) -> None:
    reply = Reply("many", buttons=tuple((Button(f"B{n}", f"b:{n}"),) for n in range(30)))

    rows = button_rows(reply)

    assert [len(r) for r in rows] == [5, 5, 5, 5, 5]
    assert [b.action for r in rows for b in r] == [f"b:{n}" for n in range(25)]
    assert "dropped: B25, B26, B27, B28, B29" in caplog.text


async def test_text_typed_in_the_bot_dm_reaches_the_core_and_is_answered_there(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    core = FakeCore(Reply("Timezone set to Europe/Berlin.", buttons=((Button("km", "units=km"),),)))
    client = await start(clients, core)
    typed = payloads.dm_message("  Europe/Berlin ")

    deliver(client, payloads.dm_message("hello from a bot", bot=True), "MESSAGE_CREATE")
    deliver(client, payloads.dm_message("/log 5k 25:00"), "MESSAGE_CREATE")
    deliver(client, typed, "MESSAGE_CREATE")
    sent = await http.wait_for(lambda c: c.method == "POST" and c.path.endswith("/messages"))

    assert core.received == [
        Incoming(
            platform="discord",
            user_id=payloads.RUNNER_ID,
            chat_id=payloads.DM_CHANNEL_ID,
            is_private=True,
            is_admin=False,
            display_name="Ada",
            text="Europe/Berlin",
            idempotency_key=typed["id"],
        )
    ]
    assert sent.path == f"/channels/{payloads.DM_CHANNEL_ID}/messages"
    assert sent.json["content"] == "Timezone set to Europe/Berlin."
    assert sent.json["components"][0]["components"][0]["custom_id"] == "pacer:units=km"
    assert sent.json["allowed_mentions"] == {"parse": []}


async def test_text_in_a_server_channel_is_not_read(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    core = FakeCore()
    client = await start(clients, core)
    in_server = payloads.dm_message("great run everyone")
    in_server.update(channel_id=payloads.CHANNEL_ID, guild_id=payloads.GUILD_ID)

    deliver(client, in_server, "MESSAGE_CREATE")
    await asyncio.sleep(0.05)

    assert core.received == []
    assert [c for c in http.calls if c.path.endswith("/messages")] == []


def test_gateway_intents_are_dm_messages_only() -> None:
    intents = pacer_intents()

    assert intents.value == 1 << 12
    assert intents.dm_messages and not intents.message_content and not intents.guild_messages


async def test_core_failure_is_answered_privately(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    client = await start(clients, FakeCore(fail=True))
    payload = payloads.slash("week", guild=True)

    deliver(client, payload)
    call = await http.wait_for(callback_of(payload))

    assert call.json["data"]["content"] == SORRY
    assert call.json["data"]["flags"] & EPHEMERAL


async def test_long_reply_is_split_and_attachments_are_files(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    text = "\n".join(f"line {i:04d} " + "x" * 40 for i in range(80))  # ~4000 chars
    chart = Attachment("week.png", b"\x89PNG fake", "image/png")
    client = await start(clients, FakeCore(Reply(text, attachments=(chart,))))
    payload = payloads.slash("week")

    deliver(client, payload)
    await http.wait_for(lambda c: followup_of(payload)(c) and bool(c.files))

    first = await http.wait_for(callback_of(payload))
    followups = [c for c in http.calls if followup_of(payload)(c)]
    parts = [first.json["data"]["content"]] + [c.json["content"] for c in followups]
    assert all(len(part) <= 2000 for part in parts)
    assert "\n".join(parts) == text
    assert [c.files for c in followups][-1] == ["week.png"]
    assert all(c.files == [] for c in followups[:-1])


async def test_buttons_are_persistent_custom_ids(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    reply = Reply("Run today?", buttons=((Button("Done", "nudge:done:42"), Button("Skip", "s")),))
    client = await start(clients, FakeCore(reply))
    payload = payloads.slash("week")

    deliver(client, payload)
    call = await http.wait_for(callback_of(payload))

    [row] = call.json["data"]["components"]
    assert [(b["label"], b["custom_id"]) for b in row["components"]] == [
        ("Done", "pacer:nudge:done:42"),
        ("Skip", "pacer:s"),
    ]


async def test_button_press_after_a_restart_reaches_the_core(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    before = await start(
        clients, FakeCore(Reply("Run today?", buttons=((Button("Done", "d:7"),),)))
    )
    payload = payloads.slash("week")
    deliver(before, payload)
    call = await http.wait_for(callback_of(payload))
    custom_id = call.json["data"]["components"][0]["components"][0]["custom_id"]
    await before.close()

    core = FakeCore(Reply("Nice, checked in."))
    after = await start(clients, core)  # a new process: nothing in memory
    press = payloads.button_press(custom_id)
    deliver(after, press)
    answer = await http.wait_for(callback_of(press))

    [incoming] = core.received
    assert incoming.action == "d:7"
    assert incoming.command == ""
    assert incoming.idempotency_key == press["id"]
    assert answer.json["type"] == 4
    assert answer.json["data"]["content"] == "Nice, checked in."


async def test_timezone_autocomplete_asks_the_core_and_caps_at_25(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    zones = [Choice(f"Europe/Zone{i}", f"Europe/Zone{i}") for i in range(40)]
    core = FakeCore(suggestions=zones)
    client = await start(clients, core)
    payload = payloads.autocomplete("start", "timezone", "Europe/", {"units": "km"})

    deliver(client, payload)
    call = await http.wait_for(callback_of(payload))

    [(incoming, option, partial)] = core.autocompleted
    assert (option, partial) == ("timezone", "Europe/")
    assert incoming.command == "start"
    assert incoming.options == {"units": "km", "timezone": "Europe/"}
    assert call.json["type"] == 8
    choices = call.json["data"]["choices"]
    assert len(choices) == 25
    assert choices[0] == {"name": "Europe/Zone0", "value": "Europe/Zone0"}
    assert core.received == []


async def test_run_autocomplete_for_delete_sends_integer_values(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    runs = [Choice("#12 · 5.00 km · Tue", "12"), Choice("#11 · 10.00 km · Sun", "11")]
    client = await start(clients, FakeCore(suggestions=runs))
    payload = payloads.autocomplete("delete", "run_id", "1")

    deliver(client, payload)
    call = await http.wait_for(callback_of(payload))

    assert call.json["data"]["choices"] == [
        {"name": "#12 · 5.00 km · Tue", "value": 12},
        {"name": "#11 · 10.00 km · Sun", "value": 11},
    ]


ADMIN_SPECS = (
    CommandSpec("club", "Set up the club channel", admin_only=True),
    CommandSpec(
        "challenge create",
        "Start a challenge",
        options=(OptionSpec("goal", "Goal in km", required=True),),
    ),
    CommandSpec("challenge join", "Join the running challenge"),
)


async def test_admin_command_needs_manage_server_at_runtime(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    core = FakeCore(Reply("Club channel set."))
    client = await start(clients, core, specs=ADMIN_SPECS)
    member = payloads.slash("club", guild=True, admin=False)
    admin = payloads.slash("club", guild=True, admin=True)

    deliver(client, member)
    refused = await http.wait_for(callback_of(member))
    deliver(client, admin)
    allowed = await http.wait_for(callback_of(admin))

    assert refused.json["data"]["content"] == NEEDS_MANAGE_SERVER.format(name="club")
    assert refused.json["data"]["flags"] & EPHEMERAL
    assert allowed.json["data"]["content"] == "Club channel set."
    [incoming] = core.received
    assert incoming.is_admin is True


async def test_subcommand_of_a_group_reaches_the_core_by_its_core_name(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    core = FakeCore()
    client = await start(clients, core, specs=ADMIN_SPECS)
    payload = payloads.slash("challenge", guild=True)
    payload["data"]["options"] = [
        {"name": "create", "type": 1, "options": [{"name": "goal", "type": 3, "value": "100"}]}
    ]

    deliver(client, payload)
    await http.wait_for(callback_of(payload))

    [incoming] = core.received
    assert incoming.command == "challenge create"
    assert incoming.options == {"goal": "100"}


async def test_after_shutdown_begins_new_interactions_are_not_sent_to_the_core(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    core = FakeCore()
    client = await start(clients, core)
    handler = client.interactions
    assert isinstance(handler, InteractionHandler)
    await handler.drain(1.0)  # what DiscordAdapter.stop() does first
    payload = payloads.slash("log", {"distance": "5k", "duration": "25:00"}, guild=True)

    deliver(client, payload)
    call = await http.wait_for(callback_of(payload))

    assert core.received == []  # the database is about to close
    assert call.json["data"]["content"] == RESTARTING
    assert call.json["data"]["flags"] & EPHEMERAL
