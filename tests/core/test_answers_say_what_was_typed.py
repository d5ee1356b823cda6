"""Answers quote what the runner typed, never the command list's labels."""

from __future__ import annotations

import pytest

from tests.clubs.conftest import club_chat
from tests.fakes import Harness


async def test_sixteen_hours_is_a_long_night_not_the_ideal(harness: Harness) -> None:
    chat = harness.chat()
    long_night = await chat.say("/slept 16")
    assert "ideal" not in long_night.text and "A long night" in long_night.text
    assert "That's the ideal amount" in (await chat.say("/slept 8.5 yesterday")).text


@pytest.mark.parametrize(
    ("typed", "first_line", "example"),
    [
        ("/slept", "/slept needs hours.", "For example: /slept 7.5"),
        ("/delete", "/delete needs a run id.", "For example: /delete 12"),
        ("/log 5k", "/log needs a duration.", "For example: /log 5k 25:00"),
        ("/edit 1", "/edit needs a field.", "For example: /edit 12 distance 10.2km"),
        ("/pause", "/pause needs the day to resume.", "For example: /pause 2026-12-24"),
    ],
)
async def test_a_missing_value_is_named_without_the_option_label(
    harness: Harness, typed: str, first_line: str, example: str
) -> None:
    lines = (await harness.chat().say(typed)).text.splitlines()
    assert lines[0] == first_line and lines[1] == example
    assert "Hours slept:" not in lines[0] and "shown by /runs" not in lines[0]


async def test_edit_quotes_the_time_that_was_typed(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    reply = await chat.say("/edit 1 time 1:00")
    assert "faster than 2:30 /km" in reply.text
    assert reply.text.endswith("Check the time: 1:00 is 1 minute.")
    far = await chat.say("/edit 1 distance 50km")
    assert far.text.endswith("Check the distance: 50km is 50.00 km.")
    typed = await chat.say("/log 5k 3:00:00")
    assert typed.text.endswith(
        "Check the distance and the time: 5k is 5.00 km, 3:00:00 is 3 hours."
    )


async def test_edit_pace_says_where_the_pace_comes_from(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    reply = await chat.say("/edit 1 pace 5:00")
    assert "Did you mean" not in reply.text
    assert "The pace follows from the distance and the time" in reply.text


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/bedtime 45", "Step can be at most 30 minutes."),
        ("/bedtime 2", "Step must be at least 5 minutes."),
    ],
)
async def test_a_number_out_of_bounds_says_its_unit(
    harness: Harness, typed: str, says: str
) -> None:
    assert (await harness.chat().say(typed)).text.splitlines()[0] == says


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/challenge create", "/challenge create needs a name."),
        (
            "/challenge create Daily streak min 0km today 2w",
            "A streak day's minimum must be above zero, not '0km'.",
        ),
        (
            "/challenge create Daily streak min 400km today 2w",
            "A streak day's minimum can be up to 300 km, not '400km'.",
        ),
    ],
)
async def test_a_challenge_missing_or_wrong_says_what_it_is_about(
    harness: Harness, typed: str, says: str
) -> None:
    admin = club_chat(harness, "ann", admin=True)
    assert (await admin.say(typed)).text.splitlines()[0] == says
    assert "No challenges here yet" in (await admin.say("/challenge list")).text


@pytest.mark.parametrize("day", ["funday", "sundae", "Weekdays"])
async def test_club_posts_read_the_day_as_the_digest_does(harness: Harness, day: str) -> None:
    admin = club_chat(harness, "ann", admin=True)
    reply = await admin.say(f"/club posts weekly {day} 18:00")
    assert reply.text.splitlines() == [
        f"I can't read '{day.lower()}' as a day of the week.",
        "For example: /club posts weekly sun 18:00",
    ]
    digest = await harness.chat("ann").say(f"/settings digest {day} 18:00")
    assert digest.text.splitlines()[0] == f"I can't read '{day.lower()}' as a day of the week."
    assert "Sunday" in (await admin.say("/club posts weekly Sunday 18:00")).text


@pytest.mark.parametrize("word", ["quit", "/exit"])
async def test_help_quit_in_the_console_says_how_to_end_it(harness: Harness, word: str) -> None:
    console = await harness.chat("ann", "console").say(f"/help {word}")
    assert console.text == "/quit or /exit (or Ctrl-D) ends the console chat."
    telegram = await harness.chat("ann", "telegram").say(f"/help {word}")
    assert telegram.text.startswith(f"There's no /{word.lstrip('/')}.")


async def test_stats_of_a_period_with_nothing_in_it_is_one_line(harness: Harness) -> None:
    chat = harness.chat()
    assert (await chat.say("/stats week")).text == (
        "This week (23 Nov 2026 - 26 Nov 2026): no runs yet. Log one with /log 5k 25:00."
    )
    assert (await chat.say("/stats all")).text == (
        "All time (26 Nov 2026 - 26 Nov 2026): no runs yet. Log one with /log 5k 25:00."
    )
