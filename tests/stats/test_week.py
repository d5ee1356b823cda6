"""/week last and /week <date>: an earlier week, with specific answers for impossible ones."""

from __future__ import annotations

from tests.fakes import Harness


async def test_week_last_shows_the_week_before(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")  # Thu 26 Nov
    await chat.say("/log 10k 55:00 2026-11-18")  # Wed of last week
    await chat.say("/log 3k 18:00 2026-11-22")  # Sun of last week

    reply = await chat.say("/week last")

    assert reply.text.startswith("Last week (Mon 16 Nov - Sun 22 Nov):")
    assert "🏃 Runs: 2 · 13.00 km" in reply.text
    assert "🍌 Fuel: a snack on 0 of 2 run days" in reply.text
    assert "Streaks today: runs 2 weeks" in reply.text


async def test_week_of_a_date_and_of_a_weekday(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 8k 40:00 2026-10-06")
    await chat.say("/slept 8 ")

    by_date = await chat.say("/week 2026-10-08")
    this = await chat.say("/week mon")  # Monday of this week

    assert by_date.text.startswith("The week (Mon 05 Oct - Sun 11 Oct):")
    assert "🏃 Runs: 1 · 8.00 km" in by_date.text
    assert "😴 Sleep: no nights logged" in by_date.text
    assert this.text.startswith("Your week (Mon 23 Nov - Sun 29 Nov):")
    assert "😴 Sleep: 1 of 1 logged night at 7 h or more" in this.text


async def test_week_of_last_year_shows_the_year(harness: Harness) -> None:
    chat = harness.chat()

    reply = await chat.say("/week 2025-12-29")

    assert reply.text.startswith("The week (Mon 29 Dec 2025 - Sun 04 Jan 2026):")


async def test_later_this_week_is_this_week_but_next_week_has_not_started(
    harness: Harness,
) -> None:
    chat = harness.chat()

    sunday = await chat.say("/week 2026-11-29")
    next_week = await chat.say("/week 2026-11-30")
    tomorrow = await chat.say("/week tomorrow")

    assert sunday.text.startswith("Your week (Mon 23 Nov - Sun 29 Nov):")
    assert next_week.text.startswith("That week hasn't started yet.")
    assert tomorrow.text.startswith("That week hasn't started yet.")


async def test_more_than_a_year_back_and_nonsense_get_their_own_answers(harness: Harness) -> None:
    chat = harness.chat()

    old = await chat.say("/week 2025-06-01")
    bad = await chat.say("/week someday")

    assert old.text.startswith("2025-06-01 is more than a year ago; /week looks back a year.")
    assert "/stats all" in old.text
    assert bad.text.startswith("I can't read 'someday' as a date.")
