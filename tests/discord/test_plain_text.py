"""What Discord shows is the text as typed: markdown in a name or a note is not applied."""

from __future__ import annotations

import pytest

from adapters.discord.adapter import build_client
from adapters.discord.handler import InteractionHandler
from tests.discord import payloads
from tests.discord.fake_discord import user_payload
from tests.discord.harness import CapturedHTTP, deliver
from tests.discord.harness import settings as discord_settings
from tests.fakes import Harness


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("# ana", "\\# ana logged #1 · today"),  # not a heading
        ("**ana**", "\\*\\*ana\\*\\* logged #1 · today"),  # not bold
        ("-# ana", "\\-# ana logged #1 · today"),  # not small print
    ],
)
async def test_a_display_name_with_markdown_shows_as_typed_in_the_channel(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, name: str, shown: str
) -> None:
    http = CapturedHTTP()
    http.install(monkeypatch)
    client = build_client(discord_settings(), InteractionHandler(harness.core))
    await client.login("fake-token")
    try:
        log = payloads.slash(
            "log", {"distance": "5k", "duration": "25:00", "note": "easy *tempo*"}, guild=True
        )
        log["member"]["user"] = user_payload("5151515151515151", name)
        deliver(client, log)
        answer = await http.wait_for(lambda c: f"/interactions/{log['id']}/" in c.path)
        content = answer.json["data"]["content"]
        assert content.startswith(shown)
        assert "/undo" in content  # the rest of the answer is unchanged plain text
    finally:
        await client.close()
    [run] = await harness.runs(harness.chat("5151515151515151", "discord"))
    assert run.note == "easy *tempo*"  # stored as typed: only what Discord shows is escaped
