"""The "Set-up is still open" reminder: once, then only when asked."""

from __future__ import annotations

from tests.fakes import Harness

OPEN = "Set-up is still open"


async def test_the_open_question_is_recalled_once_then_on_start(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/start")
    await chat.press("Europe/Berlin")
    first = await chat.say("/log 5k 25:00")
    assert f"{OPEN}: Kilometres or miles?" in first.text
    for line in ("/week", "/log 3k 15:00 yesterday", "/runs", "/settings", "/help"):
        assert OPEN not in (await chat.say(line)).text, line
    asked = await chat.say("/start")
    assert OPEN in asked.text and "Kilometres or miles?" in asked.text and "(2/" in asked.text
    assert [b.label for b in asked.all_buttons][:2] == ["km", "miles"]
    assert (await harness.user(chat)).timezone == "Europe/Berlin"  # not started over
    await chat.press("miles")
    # A new open question is recalled once again.
    assert OPEN in (await chat.say("/week")).text
    assert OPEN not in (await chat.say("/week")).text


async def test_stop_then_start_begins_again(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/start")
    await chat.press("Europe/Berlin")
    await chat.say("stop")
    again = await chat.say("/start")
    assert "(1/" in again.text and OPEN not in again.text
