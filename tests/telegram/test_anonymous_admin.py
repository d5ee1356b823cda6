"""An admin writing anonymously, as the group (Telegram's GroupAnonymousBot, with the group as
``sender_chat``), through the Telegram adapter and the real core: what the group reads."""

from __future__ import annotations

from itertools import count
from typing import Any

from telegram import Update

from tests.telegram.club import BOB_ID, TelegramGroup, buttons
from tests.telegram.fakes import Call
from tests.telegram.updates import GROUP_ID, document, payload

GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
SUNRISE_RUNNERS = {"id": GROUP_ID, "title": "Sunrise Runners", "type": "supergroup"}
_updates = count(980001)


def _as_the_group(data: dict[str, Any]) -> dict[str, Any]:
    data["update_id"] = next(_updates)
    data["message"]["from"] = GROUP_ANONYMOUS_BOT
    data["message"]["sender_chat"] = SUNRISE_RUNNERS
    return data


async def _anonymous(g: TelegramGroup, text: str) -> Call:
    """The anonymous admin sends ``text`` in the group; the bot's last message after it."""
    data = _as_the_group(payload("group_command", text=text))
    await g.tg.application.process_update(Update.de_json(data, g.tg.application.bot))
    return g.request.calls_to("sendMessage")[-1]


async def test_an_anonymous_admin_reads_as_an_admin_and_any_admin_may_confirm(
    telegram_group: TelegramGroup,
) -> None:
    g = telegram_group
    created = await _anonymous(g, "/challenge create Quick runs today 7d")
    assert created.chat_id == GROUP_ID and created.text.startswith("🏁 Quick: runs")
    # A mistake is answered in the group: the anonymous admin has no private chat.
    refused = await _anonymous(g, "/challenge create Slow runs")
    assert refused.chat_id == GROUP_ID
    assert refused.text.startswith("/challenge create needs a start.")
    asked = await _anonymous(g, "/challenge end Quick")
    assert asked.chat_id == GROUP_ID and asked.text.startswith("End Quick now?")
    # Made for "the group", so any admin may tap it; each tap is checked against the tapper.
    assert buttons(asked)["🏁 End it now"] == "/challenge end #1 confirm"
    await g.press("🏁 End it now", on=asked, user=BOB_ID)  # Bob is a plain member
    refusal = g.request.calls_to("sendMessage")[-2]
    assert refusal.chat_id == BOB_ID
    assert refusal.text.startswith("Only admins can use /challenge end here.")
    typed = await _anonymous(g, "/challenge end #1 confirm")
    assert typed.chat_id == GROUP_ID
    assert typed.text.splitlines()[0] == "An admin ended Quick: it is over."
    assert "Group" not in typed.text


async def test_an_anonymous_admins_run_file_is_not_logged_for_the_group(
    telegram_group: TelegramGroup,
) -> None:
    g = telegram_group
    g.request.files["doc-anon"] = b"<gpx/>"
    data = _as_the_group(document("run.gpx", "doc-anon", 6, caption="/log", group=True))
    await g.tg.application.process_update(Update.de_json(data, g.tg.application.bot))

    [sent] = g.request.calls_to("sendMessage")
    assert (sent.chat_id, sent.text) == (GROUP_ID, "Post as yourself to use Pacer here.")
    assert g.request.downloads == []
