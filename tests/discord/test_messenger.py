"""DM nudges against the fake Discord on 127.0.0.1: one attempt per call, typed errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.discord.endpoints import apply_endpoints
from adapters.discord.messenger import DiscordMessenger, nonce_for
from bot.messages import Attachment, Button, Reply
from bot.ports import Messenger, RateLimited, TransientDeliveryError, Unreachable
from tests.discord.fake_discord import FakeDiscord, Recorded

USER = "400000000000000001"
NUDGE = Reply("Time for your 07:00 run?", buttons=((Button("Done", "nudge:done:9"),),))


@pytest.fixture
def fake(fake_discord: FakeDiscord) -> FakeDiscord:
    """The fake Discord that discord.py's routes point at (tests/discord/conftest.py)."""
    return fake_discord


@pytest.fixture
async def messenger() -> AsyncIterator[DiscordMessenger]:
    sender = DiscordMessenger("fake-token", timeout=5.0)
    yield sender
    await sender.close()


def messages(fake: FakeDiscord) -> list[Recorded]:
    return [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]


def dm_opens(fake: FakeDiscord) -> list[Recorded]:
    return [r for r in fake.requests if r.path == "/users/@me/channels"]


async def test_a_nudge_is_a_dm_with_a_stable_nonce_and_persistent_buttons(
    fake: FakeDiscord, messenger: DiscordMessenger
) -> None:
    port: Messenger = messenger  # what App.messengers hands the core (checked by mypy)

    await port.send_direct(USER, NUDGE, dedupe_key="nudge:9:2026-11-26")
    await port.send_direct(USER, Reply("Bedtime in 30 minutes"))

    assert [r.json for r in dm_opens(fake)] == [{"recipient_id": USER}]  # channel id cached
    first, second = messages(fake)
    assert first.path == f"/channels/{fake.dm_channels[USER]}/messages"
    assert first.headers["Authorization"] == "Bot fake-token"
    assert first.json["content"] == "Time for your 07:00 run?"
    assert first.json["nonce"] == nonce_for("nudge:9:2026-11-26")
    assert first.json["enforce_nonce"] is True
    assert first.json["allowed_mentions"] == {"parse": []}
    button = first.json["components"][0]["components"][0]
    assert (button["label"], button["custom_id"]) == ("Done", "pacer:nudge:done:9")
    assert "nonce" not in second.json


async def test_closed_dms_raise_unreachable(fake: FakeDiscord, messenger: DiscordMessenger) -> None:
    fake.fail_next(
        "POST", r"/channels/\d+/messages", 403,
        {"message": "Cannot send messages to this user", "code": 50007},
    )  # fmt: skip

    with pytest.raises(Unreachable):
        await messenger.send_direct(USER, NUDGE, dedupe_key="k")

    assert len(messages(fake)) == 1


async def test_429_is_raised_once_and_the_retry_reuses_the_nonce(
    fake: FakeDiscord, messenger: DiscordMessenger
) -> None:
    fake.fail_next(
        "POST", r"/channels/\d+/messages", 429,
        {"message": "You are being rate limited.", "retry_after": 1.5, "global": False},
        {"Retry-After": "2", "Via": "1.1 google"},
    )  # fmt: skip

    with pytest.raises(RateLimited) as raised:
        await messenger.send_direct(USER, NUDGE, dedupe_key="nudge:9:2026-11-26")
    assert raised.value.retry_after == 1.5
    assert len(messages(fake)) == 1  # no silent sleep-and-retry

    await messenger.send_direct(USER, NUDGE, dedupe_key="nudge:9:2026-11-26")  # the queue retries

    first, retry = messages(fake)
    assert first.json["nonce"] == retry.json["nonce"]
    assert retry.json["enforce_nonce"] is True


async def test_server_errors_are_transient_and_not_retried_here(
    fake: FakeDiscord, messenger: DiscordMessenger
) -> None:
    fake.fail_next("POST", r"/channels/\d+/messages", 502, {"message": "Bad Gateway", "code": 0})

    with pytest.raises(TransientDeliveryError):
        await messenger.send_direct(USER, NUDGE, dedupe_key="k")

    assert len(messages(fake)) == 1


async def test_unknown_user_when_opening_the_dm_is_unreachable(
    fake: FakeDiscord, messenger: DiscordMessenger
) -> None:
    fake.fail_next("POST", "/users/@me/channels", 400, {"message": "Unknown User", "code": 10013})

    with pytest.raises(Unreachable):
        await messenger.send_direct(USER, NUDGE)


async def test_network_failure_is_transient(messenger: DiscordMessenger) -> None:
    async with FakeDiscord() as gone:
        base = gone.api_base
    restore = apply_endpoints(base)  # nothing listens there any more
    try:
        with pytest.raises(TransientDeliveryError):
            await messenger.send_direct(USER, NUDGE)
    finally:
        restore()


async def test_attachments_and_long_text(fake: FakeDiscord, messenger: DiscordMessenger) -> None:
    chart = Attachment("week.png", b"\x89PNG fake", "image/png")
    reply = Reply("word " * 900, attachments=(chart,))  # 4500 characters

    await messenger.send_direct(USER, reply, dedupe_key="digest:1")

    first, second, third = messages(fake)
    assert len({first.body["nonce"], second.body["nonce"], third.body["nonce"]}) == 3
    assert third.form["files[0]"] == "week.png"
    assert third.body["nonce"] == nonce_for("digest:1", 2)
    assert third.body["attachments"][0]["filename"] == "week.png"


CHANNEL = "500000000000000001"


async def test_a_group_post_goes_to_the_channel_with_a_stable_nonce(
    fake: FakeDiscord, messenger: DiscordMessenger
) -> None:
    port: Messenger = messenger

    await port.send_group(CHANNEL, NUDGE, dedupe_key="club:weekly:48")
    await port.send_group(CHANNEL, Reply("Club week: 42 km"))

    assert dm_opens(fake) == []  # no DM channel for a server channel
    first, second = messages(fake)
    assert first.path == second.path == f"/channels/{CHANNEL}/messages"
    assert first.json["nonce"] == nonce_for("club:weekly:48")
    assert first.json["enforce_nonce"] is True
    assert first.json["allowed_mentions"] == {"parse": []}
    assert "nonce" not in second.json


@pytest.mark.parametrize(
    ("status", "code"),
    [(404, 10003), (403, 50001), (403, 50013)],
    ids=["unknown channel", "missing access", "missing permissions"],
)
async def test_a_channel_the_bot_cannot_post_in_is_unreachable(
    fake: FakeDiscord, messenger: DiscordMessenger, status: int, code: int
) -> None:
    fake.fail_next("POST", r"/channels/\d+/messages", status, {"message": "no", "code": code})

    with pytest.raises(Unreachable):
        await messenger.send_group(CHANNEL, NUDGE, dedupe_key="k")

    assert len(messages(fake)) == 1


async def test_group_post_errors_are_typed_like_dms(
    fake: FakeDiscord, messenger: DiscordMessenger
) -> None:
    fake.fail_next(
        "POST", r"/channels/\d+/messages", 429,
        {"message": "You are being rate limited.", "retry_after": 0.5, "global": False},
    )  # fmt: skip
    with pytest.raises(RateLimited) as raised:
        await messenger.send_group(CHANNEL, NUDGE)
    assert raised.value.retry_after == 0.5

    fake.fail_next("POST", r"/channels/\d+/messages", 503, {"message": "Unavailable", "code": 0})
    with pytest.raises(TransientDeliveryError):
        await messenger.send_group(CHANNEL, NUDGE)
