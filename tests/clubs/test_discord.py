"""Club challenges through the Discord adapter and the real core (both backends)."""

from __future__ import annotations

from typing import Any

from adapters.discord.client import PacerClient
from adapters.discord.commands import install_commands, schema
from tests.discord import payloads
from tests.discord.club import BOB, answer
from tests.discord.club import sub as server_sub
from tests.discord.harness import CapturedHTTP

ADMIN_ID = payloads.RUNNER_ID
MEMBER_ID = BOB
RUNS_CHANNEL = "500000000000000077"


def sub(
    group: str, name: str, options: dict[str, Any], *, admin: bool, user: str, kind: int = 2
) -> dict[str, Any]:
    """``/group name option:value ...``; a channel option comes with its resolved channel."""
    data = server_sub(group, name, options, admin=admin, user=user, kind=kind)
    if "channel" in options:
        data["data"]["resolved"] = {
            "channels": {
                RUNS_CHANNEL: {
                    "id": RUNS_CHANNEL,
                    "type": 0,
                    "name": "runs",
                    "guild_id": payloads.GUILD_ID,
                    "permissions": payloads.ALL_PERMISSIONS,
                }
            }
        }
    return data


def test_challenge_is_a_command_group_with_typed_options() -> None:
    class NoRunner:
        async def run_command(self, *args: Any) -> None: ...
        async def suggest(self, *args: Any) -> list[Any]:
            return []

    tree_owner = PacerClient(None)
    install_commands(tree_owner.tree, NoRunner())  # type: ignore[arg-type]
    top = {c["name"]: c for c in schema(tree_owner.tree)}
    subs = {o["name"]: o for o in top["challenge"]["options"]}
    assert set(subs) == {"create", "join", "leave", "list", "board", "end"}
    create = {o["name"]: o for o in subs["create"]["options"]}
    assert list(create) == ["name", "metric", "start", "end", "target", "team", "over", "min"]
    assert [c["value"] for c in create["metric"]["choices"]][:3] == ["distance", "time", "runs"]
    assert {o["name"]: o for o in subs["join"]["options"]}["name"]["autocomplete"] is True
    club = {o["name"]: o for o in top["club"]["options"]}
    assert club["channel"]["options"][0]["type"] == 7  # a channel picker


async def test_a_server_runs_a_challenge_and_manage_server_is_admin(
    discord_on_core: PacerClient, discord_http: CapturedHTTP
) -> None:
    create = {
        "name": "Winter Miles",
        "metric": "distance",
        "start": "today",
        "end": "4w",
        "target": "100km",
    }
    refused = await answer(
        discord_on_core,
        discord_http,
        sub("challenge", "create", create, admin=False, user=MEMBER_ID),
    )
    assert "needs the Manage Server permission" in refused["data"]["content"]
    made = await answer(
        discord_on_core, discord_http, sub("challenge", "create", create, admin=True, user=ADMIN_ID)
    )
    assert "🏁 Winter Miles: distance, Thu 26 Nov – Wed 23 Dec 2026" in made["data"]["content"]
    moved = await answer(
        discord_on_core,
        discord_http,
        sub("club", "channel", {"channel": RUNS_CHANNEL}, admin=True, user=ADMIN_ID),
    )
    assert f"Club posts go to <#{RUNS_CHANNEL}>" in moved["data"]["content"]
    # Autocomplete on the name while typing /challenge join.
    typed = await answer(
        discord_on_core,
        discord_http,
        sub("challenge", "join", {"name": "win"}, admin=False, user=MEMBER_ID, kind=4),
    )
    assert typed["data"]["choices"] == [{"name": "Winter Miles", "value": "Winter Miles"}]
    joined = await answer(
        discord_on_core,
        discord_http,
        sub("challenge", "join", {"name": "Winter Miles"}, admin=False, user=MEMBER_ID),
    )
    assert "Bob is in Winter Miles!" in joined["data"]["content"]
    shown = await answer(
        discord_on_core, discord_http, sub("club", "show", {}, admin=False, user=MEMBER_ID)
    )
    assert f"Posts go to: <#{RUNS_CHANNEL}>" in shown["data"]["content"]
