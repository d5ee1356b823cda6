"""A Telegram group (Sunrise Runners) in front of the real core: members' messages and taps in,
what the Bot API is asked to show out, and the club's scheduled posts driven by the fake clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import count
from typing import Any

from telegram import Update

from adapters.telegram import TelegramAdapter
from tests.fakes import Harness
from tests.telegram.fakes import Call, RecordingRequest
from tests.telegram.updates import GROUP_ID, RUNNER_ID, callback, document, payload

BOB_ID = 5550002
CY_ID = 5550003
NAMES = {RUNNER_ID: "Ada", BOB_ID: "Bob", CY_ID: "Cy"}
_updates = count(960001)


async def say(tg: TelegramAdapter, text: str, *, user: int = RUNNER_ID, group: bool = True) -> None:
    """A message from ``user`` in the Sunrise Runners group (or their private chat)."""
    data = payload(
        "group_command" if group else "private_command", update_id=next(_updates), text=text
    )
    data["message"]["from"].update(id=user, first_name=NAMES[user], last_name="")
    if not group:
        data["message"]["chat"] = {"id": user, "type": "private", "first_name": NAMES[user]}
    await tg.application.process_update(Update.de_json(data, tg.application.bot))


async def press(tg: TelegramAdapter, data: str, *, user: int = RUNNER_ID) -> None:
    """``user`` taps a button carrying ``data`` in the group."""
    update = callback(data, chat="group", update_id=next(_updates))
    update["callback_query"]["from"].update(id=user, first_name=NAMES[user], last_name="")
    await tg.application.process_update(Update.de_json(update, tg.application.bot))


def buttons(call: Call) -> dict[str, str]:
    """A sent message's inline buttons: label -> callback data."""
    rows = call.params.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


@dataclass
class TelegramGroup:
    """The group, its members and what Telegram was asked to show in it."""

    tg: TelegramAdapter
    request: RecordingRequest
    harness: Harness

    async def say(self, text: str, *, user: int = RUNNER_ID, group: bool = True) -> Call:
        """``user`` sends ``text``; the last message the bot sent after it."""
        await say(self.tg, text, user=user, group=group)
        return self.request.calls_to("sendMessage")[-1]

    async def press(self, label: str, *, on: Call, user: int = RUNNER_ID) -> Call:
        """``user`` taps the button labelled ``label`` under ``on``; the bot's last message."""
        await press(self.tg, buttons(on)[label], user=user)
        return self.request.calls_to("sendMessage")[-1]

    async def send_file(
        self, name: str, content: bytes, *, user: int = RUNNER_ID, caption: str | None = None
    ) -> Call:
        """``user`` sends a file (a run's GPX, FIT or TCX) in their private chat with the bot,
        or captioned ``/log`` in the group; the last message the bot sent after it."""
        file_id = f"doc-{next(_updates)}"
        self.request.files[file_id] = content
        data = document(name, file_id, len(content), caption=caption, group=caption is not None)
        data["update_id"] = next(_updates)
        message = data["message"]
        message["from"].update(id=user, first_name=NAMES[user], last_name="")
        if caption is None:
            message["chat"] = {"id": user, "type": "private", "first_name": NAMES[user]}
        await self.tg.application.process_update(Update.de_json(data, self.tg.application.bot))
        return self.request.calls_to("sendMessage")[-1]

    def alerts(self) -> list[Any]:
        """The texts shown on button presses (answerCallbackQuery), in order."""
        return [c.params.get("text") for c in self.request.calls_to("answerCallbackQuery")]

    async def posts_at(self, when: datetime) -> list[Call]:
        """Move the clock there, sweep once, send what is due: the messages sent to the group."""
        self.harness.clock.set(when)
        before = len(self.request.calls)
        await self.harness.core.sweeper.sweep()
        await self.harness.core.sweeper.drain()
        return [
            c
            for c in self.request.calls[before:]
            if c.method == "sendMessage" and c.chat_id == GROUP_ID
        ]
