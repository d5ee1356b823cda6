"""Real-shaped ``INTERACTION_CREATE`` payloads, as the gateway delivers them."""

from __future__ import annotations

from typing import Any

from tests.discord.fake_discord import (
    APPLICATION_ID,
    message_payload,
    snowflake,
    user_payload,
)

RUNNER_ID = "400000000000000001"
GUILD_ID = "500000000000000001"
CHANNEL_ID = "500000000000000002"
DM_CHANNEL_ID = "600000000000000001"
ALL_PERMISSIONS = str((1 << 47) - 1)
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = str(((1 << 47) - 1) & ~MANAGE_GUILD & ~(1 << 3))  # no admin, no manage


def _where(*, guild: bool, admin: bool = False, user_id: str = RUNNER_ID) -> dict[str, Any]:
    user = user_payload(user_id, "ada")
    if guild:
        return {
            "guild_id": GUILD_ID,
            "channel_id": CHANNEL_ID,
            "channel": {
                "id": CHANNEL_ID,
                "type": 0,
                "guild_id": GUILD_ID,
                "name": "running-club",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "permissions": ALL_PERMISSIONS if admin else MEMBER_PERMISSIONS,
            },
            "member": {
                "user": user,
                "roles": [],
                "nick": None,
                "avatar": None,
                "joined_at": "2026-01-01T00:00:00.000000+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
                "permissions": ALL_PERMISSIONS if admin else MEMBER_PERMISSIONS,
            },
            "guild": {"id": GUILD_ID, "locale": "en-US", "features": []},
            "guild_locale": "en-US",
            "app_permissions": ALL_PERMISSIONS,
            "authorizing_integration_owners": {"0": GUILD_ID},
            "context": 0,
        }
    return {
        "channel_id": DM_CHANNEL_ID,
        "channel": {"id": DM_CHANNEL_ID, "type": 1, "recipients": [user], "flags": 0},
        "user": user,
        "app_permissions": ALL_PERMISSIONS,
        "authorizing_integration_owners": {"1": user_id},
        "context": 1,
    }


def _base(kind: int, data: dict[str, Any], **where: Any) -> dict[str, Any]:
    return {
        "id": snowflake(),
        "application_id": APPLICATION_ID,
        "type": kind,
        "token": "interaction-token-" + snowflake(),
        "version": 1,
        "locale": "en-GB",
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        "data": data,
        **_where(**where),
    }


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


def slash(
    name: str,
    options: dict[str, Any] | None = None,
    *,
    guild: bool = False,
    admin: bool = False,
    user_id: str = RUNNER_ID,
) -> dict[str, Any]:
    """A slash command invocation (type 2) with typed options."""
    data: dict[str, Any] = {"id": snowflake(), "name": name, "type": 1}
    if options:
        data["options"] = [
            {"name": k, "type": _option_type(v), "value": v} for k, v in options.items()
        ]
    return _base(2, data, guild=guild, admin=admin, user_id=user_id)


def slash_with_file(
    name: str,
    size: int,
    options: dict[str, Any] | None = None,
    command: str = "log",
    **where: Any,
) -> dict[str, Any]:
    """``/log file:<attachment>`` as Discord sends it: the option names a resolved attachment
    (at ``attachment_url(event)``); ``where`` as for :func:`slash` (``guild``, ``user_id``)."""
    event = slash(command, options, **where)
    data = event["data"]
    attachment_id = snowflake()
    data.setdefault("options", []).append({"name": "file", "type": 11, "value": attachment_id})
    url = f"https://cdn.discordapp.com/attachments/1/{attachment_id}/{name}"
    data["resolved"] = {
        "attachments": {
            attachment_id: {
                "id": attachment_id,
                "filename": name,
                "size": size,
                "url": url,
                "proxy_url": url,
                "content_type": "application/octet-stream",
            }
        }
    }
    return event


def attachment_url(event: dict[str, Any]) -> str:
    """Where the file of a :func:`slash_with_file` event is downloaded from."""
    [attachment] = event["data"]["resolved"]["attachments"].values()
    url: str = attachment["url"]
    return url


def autocomplete(
    name: str, focused: str, partial: Any, others: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An autocomplete request (type 4) while typing ``focused`` in a DM."""
    options = [{"name": k, "type": _option_type(v), "value": v} for k, v in (others or {}).items()]
    options.append({"name": focused, "type": 3, "value": str(partial), "focused": True})
    data = {"id": snowflake(), "name": name, "type": 1, "options": options}
    return _base(4, data, guild=False)


def button_press(
    custom_id: str,
    *,
    label: str = "Done",
    guild: bool = False,
    admin: bool = False,
    user_id: str = RUNNER_ID,
) -> dict[str, Any]:
    """A button press (type 3) on an older bot message carrying that button."""
    channel = CHANNEL_ID if guild else DM_CHANNEL_ID
    components = [
        {
            "type": 1,
            "id": 1,
            "components": [
                {"type": 2, "id": 2, "style": 2, "label": label, "custom_id": custom_id}
            ],
        }
    ]
    message = message_payload(channel, "Time for your run?", components=components)
    data = {"custom_id": custom_id, "component_type": 2}
    payload = _base(3, data, guild=guild, admin=admin, user_id=user_id)
    payload["message"] = message
    return payload


def dm_message(content: str, *, user_id: str = RUNNER_ID, bot: bool = False) -> dict[str, Any]:
    """A ``MESSAGE_CREATE`` for text typed in the DM with Pacer's bot user."""
    author = user_payload(user_id, "ada", bot=bot)
    return message_payload(DM_CHANNEL_ID, content, author=author)
