"""The slash-command schema built from the core's command list, and when it is synced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord.client import PacerClient
from adapters.discord.commands import install_commands, schema, split_group
from adapters.discord.endpoints import api_base
from adapters.discord.render import split_content
from adapters.discord.sync import (
    _NoRunner,
    sync_commands,
    sync_if_changed,
)
from bot.clock import SystemClock
from bot.core.commands import CommandSpec, Scope, public_commands
from bot.services.command_sync import CommandHashes
from bot.storage.database import Database
from tests.discord.fake_discord import APPLICATION_ID, FakeDiscord
from tests.discord.harness import CapturedHTTP, settings
from tests.discord.test_interactions import ADMIN_SPECS

STRING, INTEGER, NUMBER, SUB_COMMAND = 3, 4, 10, 1


def built(specs: tuple[CommandSpec, ...] | None = None) -> tuple[PacerClient, list[dict[str, Any]]]:
    client = PacerClient(None)
    install_commands(client.tree, _NoRunner(), specs)
    return client, schema(client.tree)


async def opened(url: str) -> Database:
    """An opened, migrated database."""
    db = Database(url)
    await db.open()
    return db


async def recorded_scopes(db: Database, *scopes: str) -> set[str]:
    """Which of ``scopes`` have a synced hash in the database."""
    hashes = CommandHashes(db, SystemClock())
    return {scope for scope in scopes if await hashes.synced(scope) is not None}


def by_name(payload: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in payload}


async def test_every_public_command_is_a_slash_command_with_its_options() -> None:
    _, payload = built()
    commands = by_name(payload)

    # Grouped commands (``challenge create``) are subcommands of one slash command.
    singles = [c for c in public_commands() if " " not in c.name]
    groups = {c.name.split()[0] for c in public_commands() if " " in c.name}
    assert set(commands) == {c.name for c in singles} | groups
    for spec in singles:
        command = commands[spec.name]
        assert command["description"] == spec.description
        assert [o["name"] for o in command.get("options", [])] == [o.name for o in spec.options]
        # servers, the bot DM, other DMs; private-only commands: the bot DM alone
        expected = [1] if spec.scope is Scope.PRIVATE else [0, 1, 2]
        assert command["contexts"] == expected, spec.name
        assert command["integration_types"] == [0, 1]  # server install and user install


async def test_option_types_choices_ranges_and_autocomplete() -> None:
    _, payload = built()
    options = {c["name"]: {o["name"]: o for o in c.get("options", [])} for c in payload}

    log = options["log"]
    # Distance and time, or a file (type 11, attachment): the core checks which was given.
    assert log["distance"]["type"] == STRING and log["distance"]["required"] is False
    assert log["file"]["type"] == 11 and log["file"]["required"] is False
    assert log["note"]["max_length"] == 500 and log["note"]["required"] is False
    runs = options["runs"]["count"]
    assert (runs["type"], runs["min_value"], runs["max_value"]) == (INTEGER, 1, 50)
    exercise = options["strength"]["exercise"]
    assert [c["value"] for c in exercise["choices"]][:2] == ["plank", "side-plank"]
    assert options["start"]["units"]["choices"] == [
        {"name": "km", "value": "km"},
        {"name": "mi", "value": "mi"},
    ]
    assert options["start"]["timezone"]["autocomplete"] is True
    run_id = options["delete"]["run_id"]
    assert (run_id["type"], run_id["autocomplete"], run_id["min_value"]) == (INTEGER, True, 1)
    assert "choices" not in options["settings"]["value"]


async def test_admin_commands_default_to_manage_server_and_servers_only() -> None:
    _, payload = built(ADMIN_SPECS)
    commands = by_name(payload)

    assert str(commands["club"]["default_member_permissions"]) == str(1 << 5)
    assert commands["club"]["contexts"] == [0]


async def test_commands_sharing_a_prefix_become_a_group() -> None:
    _, payload = built(ADMIN_SPECS)
    challenge = by_name(payload)["challenge"]

    subs = {o["name"]: o for o in challenge["options"]}
    assert set(subs) == {"create", "join"}
    assert subs["create"]["type"] == SUB_COMMAND
    assert subs["create"]["options"][0]["name"] == "goal"
    assert split_group("run_days", ["run_days", "log"]) is None
    assert split_group("challenge_end", ["challenge_end", "challenge_join"]) == ("challenge", "end")


async def test_sync_happens_only_when_the_schema_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    http = CapturedHTTP()
    http.install(monkeypatch)
    db = await opened(f"sqlite:///{tmp_path}/pacer.db")
    path = CommandHashes(db, SystemClock())

    client, _ = built()
    await client.login("fake-token")
    try:
        assert await sync_if_changed(client.tree, None, path) is True
        assert await sync_if_changed(client.tree, None, path) is False
        assert await sync_if_changed(client.tree, 123, path) is True  # another scope
    finally:
        await client.close()
    changed, _ = built(ADMIN_SPECS)
    await changed.login("fake-token")
    try:
        assert await sync_if_changed(changed.tree, None, path) is True
    finally:
        await changed.close()

    puts = [c for c in http.calls if c.method == "PUT"]
    assert [c.path for c in puts] == [
        "/applications/900000000000000002/commands",
        "/applications/900000000000000002/guilds/123/commands",
        "/applications/900000000000000002/commands",
    ]
    global_scope, guild_scope = f"{APPLICATION_ID}/global", f"{APPLICATION_ID}/guild:123"
    assert await recorded_scopes(db, global_scope, guild_scope) == {global_scope, guild_scope}
    await db.close()
    assert {c["name"] for c in puts[0].json} == {c.name.split()[0] for c in public_commands()}


async def test_another_application_on_the_same_database_is_synced_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    http = CapturedHTTP()
    http.install(monkeypatch)
    db = await opened(f"sqlite:///{tmp_path}/pacer.db")
    path = CommandHashes(db, SystemClock())
    for app_id in (APPLICATION_ID, "111111111111111111", APPLICATION_ID):
        client = PacerClient(None, application_id=int(app_id))
        install_commands(client.tree, _NoRunner())
        await client.login("fake-token")
        try:
            await sync_if_changed(client.tree, None, path)
        finally:
            await client.close()

    await db.close()
    puts = [c.path for c in http.calls if c.method == "PUT"]
    assert puts == [  # the first application's hash is still known on its return
        f"/applications/{APPLICATION_ID}/commands",
        "/applications/111111111111111111/commands",
    ]


async def test_the_discord_sync_entry_point_uploads_to_one_guild(tmp_path: Path) -> None:
    default_base = api_base()
    async with FakeDiscord() as fake:
        config = settings(
            database_url=f"sqlite:///{tmp_path}/pacer.db", discord_api_base=fake.api_base
        )
        count = await sync_commands(config, guild_id=123)

    assert count == len({c.name.split()[0] for c in public_commands()})
    assert {c["name"] for c in fake.commands["guild:123"]} == {
        c.name.split()[0] for c in public_commands()
    }
    db = await opened(config.database_url)
    global_scope, guild_scope = f"{APPLICATION_ID}/global", f"{APPLICATION_ID}/guild:123"
    assert await recorded_scopes(db, global_scope, guild_scope) == {guild_scope}
    await db.close()
    assert api_base() == default_base  # the override ends with the sync


@given(st.text(min_size=1, max_size=6000))
def test_split_content_keeps_every_part_within_discord_limits(text: str) -> None:
    parts = split_content(text)
    assert parts and all(0 < len(p) <= 2000 for p in parts)
    if text.strip():
        squeezed = "".join(text.split())
        assert "".join("".join(parts).split()) == squeezed
