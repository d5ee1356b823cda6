"""What a /log reply carries besides the run: the time-zone tip, the set-up reminder."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes import Harness

TIP = "Tip: /start sets your time zone"


async def test_the_time_zone_tip_comes_once_a_day(harness: Harness) -> None:
    chat = harness.chat()
    assert TIP in (await chat.say("/log 5k 25:00")).text
    assert TIP not in (await chat.say("/log 6k 30:00")).text
    harness.clock.advance(timedelta(days=1))
    assert TIP in (await chat.say("/log 7k 35:00")).text
    await chat.say("/settings timezone Europe/Berlin")
    harness.clock.advance(timedelta(days=1))
    assert TIP not in (await chat.say("/log 8k 40:00")).text


async def test_the_set_up_reminder_never_comes_between_a_reply_and_its_buttons(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await chat.say("/start")
    logged = await chat.say("/log 5k 25:00")
    assert logged.text.startswith("(Set-up is still open: Which time zone are you in?")
    assert logged.text.rstrip().endswith("Wrong? /undo removes it.")
    assert [b.label for b in logged.all_buttons] == ["🍌 Snack eaten", "🦵 Post-run mobility done"]


async def test_the_week_under_a_run_logged_in_a_group_is_the_runners_alone(
    harness: Harness,
) -> None:
    """The week counts runs logged anywhere; the group sees only its boards' challenges."""
    await harness.chat().say("/log 10k 50:00")  # a morning run, logged privately
    logged = await harness.chat(private=False).say("/log 5k 25:00")
    assert logged.text.startswith("Ana logged #2 · today · 5.00 km in 25:00")
    assert "This week" not in logged.text and "15.00 km" not in logged.text
    assert logged.private_note == "This week: 15.00 km over 2 runs · run streak: 1 week"
    assert not logged.private
    # In the private chat the week stays in the answer, under the run.
    alone = await harness.chat().say("/log 3k 15:00")
    assert alone.text.splitlines()[1] == "This week: 18.00 km over 3 runs · run streak: 1 week"
    assert alone.private_note == ""
