"""Kudos, /pause injured and club units through the Discord adapter and the real core."""

from __future__ import annotations

from typing import Any

from adapters.discord.client import PacerClient
from tests.discord import payloads
from tests.discord.club import BOB, EPHEMERAL, answer, as_member
from tests.discord.harness import CapturedHTTP

MEMBER_ID = BOB


def _press_by(custom_id: str, user_id: str) -> dict[str, Any]:
    """A press of a button on a message in the server's channel, by ``user_id``."""
    return as_member(
        payloads.button_press(custom_id, label="👏 Cheer", guild=True, user_id=user_id), user_id
    )


async def test_a_member_cheers_a_run_once_and_only_they_see_the_answer(
    discord_on_core: PacerClient, discord_http: CapturedHTTP
) -> None:
    log = payloads.slash("log", {"distance": "10k", "duration": "50:00"}, guild=True)
    logged = await answer(discord_on_core, discord_http, log)
    assert not logged["data"].get("flags", 0) & EPHEMERAL  # the run's reply is public
    buttons = {
        b["label"]: b["custom_id"] for r in logged["data"]["components"] for b in r["components"]
    }
    cheer = buttons["👏 Cheer"]
    assert cheer.endswith("/kudos 1")  # not stamped with the runner: for everyone
    first = await answer(discord_on_core, discord_http, _press_by(cheer, MEMBER_ID))
    assert first["data"]["flags"] & EPHEMERAL
    assert first["data"]["content"].startswith("👏 You cheered ")
    again = await answer(discord_on_core, discord_http, _press_by(cheer, MEMBER_ID))
    assert again["data"]["content"] == "You cheered this run already."
    own = await answer(discord_on_core, discord_http, _press_by(cheer, payloads.RUNNER_ID))
    assert own["data"]["content"].startswith("That's your own run")
    assert own["data"]["flags"] & EPHEMERAL


async def test_pause_injured_and_club_units_as_typed_options(
    discord_on_core: PacerClient, discord_http: CapturedHTTP
) -> None:
    pause = payloads.slash("pause", {"until": "2026-12-10", "reason": "injured"})
    paused = await answer(discord_on_core, discord_http, pause)
    assert "Your streaks are frozen (injured) until then" in paused["data"]["content"]
    week = await answer(discord_on_core, discord_http, payloads.slash("week"))
    assert "⏸ Streaks paused (injured) until Thu 10 Dec" in week["data"]["content"]
    units = payloads.slash("club", guild=True, admin=True)
    units["data"]["options"] = [
        {"name": "units", "type": 1, "options": [{"name": "units", "type": 3, "value": "mi"}]}
    ]
    answered = await answer(discord_on_core, discord_http, units)
    assert answered["data"]["content"].startswith("Club posts use mi from now on.")
