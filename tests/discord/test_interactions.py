"""Interactions through discord.py's own parsing, with the HTTP layer captured."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.discord.client import PacerClient
from adapters.discord.texts import ANSWERED_PRIVATELY, NEEDS_MANAGE_SERVER, SORRY
from bot.core.commands import CommandSpec, OptionSpec
from bot.core.dispatch import Choice
from bot.core.messages import Attachment, Button, Reply
from tests.discord import payloads
from tests.discord.fake_discord import APPLICATION_ID
from tests.discord.harness import CapturedHTTP, FakeCore, deliver, logged_in_client

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

    [incoming] = core.handled
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

    assert [i.options for i in core.handled] == [
        {"count": "5"},
        {"exercise": "side-plank", "detail": "45"},
        {},
    ]
    assert all(i.is_private for i in core.handled)  # the DM with Pacer's bot user


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


async def test_slow_private_reply_never_fills_the_public_thinking_message(
    http: CapturedHTTP, clients: list[PacerClient]
) -> None:
    client = await start(
        clients, FakeCore(Reply("secret", private=True), delay=0.3), defer_after=0.05
    )
    payload = payloads.slash("week", guild=True)

    deliver(client, payload)
    followup = await http.wait_for(followup_of(payload, "POST"))

    edit = await http.wait_for(followup_of(payload, "PATCH"))
    assert edit.json["content"] == ANSWERED_PRIVATELY
    assert followup.json["content"] == "secret"
    assert followup.json["flags"] & EPHEMERAL
    assert http.calls.index(edit) < http.calls.index(followup)


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

    [incoming] = core.handled
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
    assert core.handled == []


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
    [incoming] = core.handled
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

    [incoming] = core.handled
    assert incoming.command == "challenge create"
    assert incoming.options == {"goal": "100"}
