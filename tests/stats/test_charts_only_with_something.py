"""A chart is sent only when it shows something; otherwise the reply says what will appear."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes import Harness


async def test_a_new_runner_gets_words_not_empty_pictures(harness: Harness) -> None:
    chat = harness.chat()
    for line in ("/stats", "/stats all", "/chart", "/chart habits"):
        reply = await chat.say(line)
        assert reply.attachments == (), line
    habits = await chat.say("/chart habits")
    assert habits.text.startswith("Nothing to draw yet. Once you log a run or a check-in")
    assert "8 weeks x sleep, mobility, strength and fuel" in habits.text
    assert "Nothing to draw yet: log a run" in (await chat.say("/chart")).text


async def test_one_week_of_history_says_what_fills_in(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/slept 7.5")
    habits = await chat.say("/chart habits")
    assert habits.attachments[0].mime_type == "image/png"
    assert "Weeks before your first run or check-in (Thu 26 Nov) stay grey" in habits.text
    assert len((await chat.say("/stats")).attachments) == 1  # nights show beside the weeks
    harness.clock.advance(timedelta(weeks=7))  # its week is the oldest column now
    later = await chat.say("/chart habits")
    assert "stay grey" not in later.text and len(later.attachments) == 1
