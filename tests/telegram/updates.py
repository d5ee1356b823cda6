"""Real-shaped Telegram ``Update`` payloads, loaded from ``payloads/*.json`` and varied."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from telegram import Update

from adapters.telegram import TelegramAdapter

PAYLOADS = Path(__file__).parent / "payloads"

RUNNER_ID = 5550001
GROUP_ID = -1001234567890


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def payload(name: str, *, update_id: int | None = None, text: str | None = None) -> dict[str, Any]:
    """A fresh copy of ``payloads/<name>.json``, optionally with another id or message text.

    A new text starting with ``/`` gets a matching ``bot_command`` entity, as
    Telegram would send it.
    """
    data = copy.deepcopy(_load(name))
    if update_id is not None:
        data["update_id"] = update_id
    if text is not None:
        message = data.get("message") or data["edited_message"]
        message["text"] = text
        message.pop("entities", None)
        if text.startswith("/"):
            length = len(text.split(None, 1)[0])
            message["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
    return data


def callback(data: str, *, chat: str = "private", update_id: int = 900003) -> dict[str, Any]:
    """A button press carrying ``data``, in the runner's private chat or in the group."""
    update = payload("callback_query", update_id=update_id)
    update["callback_query"]["data"] = data
    if chat == "group":
        update["callback_query"]["message"]["chat"] = {
            "id": GROUP_ID,
            "title": "Sunrise Runners",
            "type": "supergroup",
        }
    return update


def document(
    name: str, file_id: str, size: int, *, caption: str | None = None, group: bool = False
) -> dict[str, Any]:
    """A message carrying a document, shaped like the Bot API sends it."""
    update = payload("group_command" if group else "private_command")
    message = update["message"]
    message.pop("text", None)
    message.pop("entities", None)
    message["document"] = {
        "file_name": name,
        "mime_type": "application/octet-stream",
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_size": size,
    }
    if caption is not None:
        message["caption"] = caption
        if caption.startswith("/"):
            length = len(caption.split(None, 1)[0])
            message["caption_entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
    return update


async def feed(tg: TelegramAdapter, data: dict[str, Any]) -> None:
    """One update through PTB's parsing (``Update.de_json``) and the adapter's handlers."""
    await tg.application.process_update(Update.de_json(data, tg.application.bot))
