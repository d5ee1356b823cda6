"""The adapter with the real core, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.discord.client import PacerClient
from tests.discord import payloads
from tests.discord.harness import CapturedHTTP, deliver

EPHEMERAL = 1 << 6


async def test_log_then_press_a_button_then_autocomplete_delete(
    discord_on_core: PacerClient, discord_http: CapturedHTTP
) -> None:
    log = payloads.slash("log", {"distance": "5k", "duration": "25:00"})
    deliver(discord_on_core, log)
    answer = await discord_http.wait_for(lambda c: f"/interactions/{log['id']}/" in c.path)

    content = answer.json["data"]["content"]
    assert "5.00 km" in content and "25:00" in content and "5:00 /km" in content
    buttons = [b for row in answer.json["data"]["components"] for b in row["components"]]
    assert buttons and all(b["custom_id"].startswith("pacer:") for b in buttons)

    press = payloads.button_press(buttons[0]["custom_id"], label=buttons[0]["label"])
    deliver(discord_on_core, press)
    pressed = await discord_http.wait_for(lambda c: f"/interactions/{press['id']}/" in c.path)
    assert pressed.json["type"] == 4 and pressed.json["data"]["content"]

    ask = payloads.autocomplete("delete", "run_id", "")
    deliver(discord_on_core, ask)
    suggested = await discord_http.wait_for(lambda c: f"/interactions/{ask['id']}/" in c.path)
    [choice] = suggested.json["data"]["choices"]
    assert choice["value"] == 1 and "5.00 km" in choice["name"]


async def test_personal_replies_stay_private_in_a_server(
    discord_on_core: PacerClient, discord_http: CapturedHTTP
) -> None:
    week = payloads.slash("week", guild=True)
    deliver(discord_on_core, week)
    answer = await discord_http.wait_for(lambda c: f"/interactions/{week['id']}/" in c.path)

    assert answer.json["data"]["flags"] & EPHEMERAL


async def test_timezone_autocomplete_from_the_core(
    discord_on_core: PacerClient, discord_http: CapturedHTTP
) -> None:
    ask = payloads.autocomplete("start", "timezone", "Europe/Ber")
    deliver(discord_on_core, ask)
    suggested = await discord_http.wait_for(lambda c: f"/interactions/{ask['id']}/" in c.path)

    values = [c["value"] for c in suggested.json["data"]["choices"]]
    assert "Europe/Berlin" in values and len(values) <= 25


SETUP = {
    "timezone": "Europe/Berlin",
    "bedtime": "23:45",
    "target_bedtime": "22:45",
    "wake_time": "06:30",
    "run_days": "mon,wed,sat",
    "run_time": "07:00",
    "strength_days": "tue,fri",
    "strength_time": "18:30",
}


async def ask(client: PacerClient, http: CapturedHTTP, payload: dict[str, Any]) -> dict[str, Any]:
    """Deliver an interaction; the ``data`` of its callback (type 4 message)."""
    deliver(client, payload)
    answer = await http.wait_for(lambda c: f"/interactions/{payload['id']}/" in c.path)
    assert answer.json["type"] == 4
    data: dict[str, Any] = answer.json["data"]
    return data


def components(data: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [row["components"] for row in data.get("components", [])]


@pytest.fixture
async def set_up(discord_on_core: PacerClient, discord_http: CapturedHTTP) -> PacerClient:
    """A runner with every setting in place, so every nudge kind is set up."""
    for item, value in SETUP.items():
        await ask(
            discord_on_core,
            discord_http,
            payloads.slash("settings", {"item": item, "value": value}),
        )
    return discord_on_core


async def test_bedtime_plan_is_ephemeral_in_a_server(
    set_up: PacerClient, discord_http: CapturedHTTP
) -> None:
    plan = await ask(set_up, discord_http, payloads.slash("bedtime", guild=True))

    assert "22:45" in plan["content"]
    assert plan["flags"] & EPHEMERAL
    step = await ask(set_up, discord_http, payloads.slash("bedtime", {"step": 20}))
    assert "20" in step["content"]


async def test_race_is_stored_and_shown(set_up: PacerClient, discord_http: CapturedHTTP) -> None:
    options = {"date": "2027-04-12", "name": "Berlin Half"}
    await ask(set_up, discord_http, payloads.slash("race", options))
    shown = await ask(set_up, discord_http, payloads.slash("race"))

    assert "Berlin Half" in shown["content"] and "2027-04-12" in shown["content"]


async def test_nudges_buttons_all_fit_discords_limits(
    set_up: PacerClient, discord_http: CapturedHTTP
) -> None:
    listing = await ask(set_up, discord_http, payloads.slash("nudges"))

    rows = components(listing)
    ids = [b["custom_id"] for row in rows for b in row]
    assert len(rows) <= 5 and all(len(row) <= 5 for row in rows)
    # The core's six rows (five toggles and "send one of each") all survive the repacking.
    assert "pacer:/nudges test" in ids
    assert "pacer:/nudge stop post_run_fuel" in ids
    assert len(ids) == 6
    assert all(len(b["label"]) <= 80 for row in rows for b in row)


async def test_nudge_button_turns_a_kind_off_for_good(
    set_up: PacerClient, discord_http: CapturedHTTP
) -> None:
    listing = await ask(set_up, discord_http, payloads.slash("nudges"))
    stop = next(
        b for row in components(listing) for b in row if b["custom_id"].endswith("post_run_fuel")
    )

    pressed = await ask(
        set_up, discord_http, payloads.button_press(stop["custom_id"], label=stop["label"])
    )
    again = await ask(set_up, discord_http, payloads.slash("nudges"))

    assert "Post-run fuel" in pressed["content"] and "off" in pressed["content"]
    ids = [b["custom_id"] for row in components(again) for b in row]
    assert "pacer:/nudge start post_run_fuel" in ids  # stored: the toggle turns it back on
    assert "pacer:/nudge stop post_run_fuel" not in ids


async def test_pause_until_a_date(set_up: PacerClient, discord_http: CapturedHTTP) -> None:
    paused = await ask(set_up, discord_http, payloads.slash("pause", {"until": "2026-12-24"}))
    resumed = await ask(set_up, discord_http, payloads.slash("pause", {"until": "off"}))

    assert "24 Dec 2026" in paused["content"]
    assert resumed["content"] != paused["content"]


async def test_snack_button_after_a_run_checks_in(
    discord_on_core: PacerClient, discord_http: CapturedHTTP
) -> None:
    logged = await ask(
        discord_on_core,
        discord_http,
        payloads.slash("log", {"distance": "5k", "duration": "25:00"}),
    )
    snack = next(b for row in components(logged) for b in row if "Snack" in b["label"])

    pressed = await ask(
        discord_on_core,
        discord_http,
        payloads.button_press(snack["custom_id"], label=snack["label"]),
    )
    week = await ask(discord_on_core, discord_http, payloads.slash("week"))

    assert "Checked in: post-run snack" in pressed["content"]
    assert week["content"] and "5.00 km" in week["content"]
