"""/stats and /week read as a runner would: no '0 of 0', no averages over weeks before Pacer."""

from __future__ import annotations

from tests.fakes import Harness

# The fake clock's today is Thursday 26 Nov 2026; this week starts Monday 23 Nov.


async def test_a_new_runners_trend_counts_only_the_weeks_since_the_first_run(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await chat.say("/log 20k 1:40:00 2026-11-17")  # one full week before this one
    await chat.say("/log 5k 25:00")

    text = (await chat.say("/stats week")).text

    # Not 20 km / 4 = 5 km "a week over the last 4 weeks": Pacer saw one week of it.
    assert "Weekly trend: 20.00 km a week in your first full week" in text
    assert "over the last 4 weeks" not in text

    await chat.say("/log 10k 50:00 2026-11-10")  # a second full week
    two = (await chat.say("/stats week")).text

    assert "Weekly trend: 15.00 km a week over your first 2 full weeks" in two


async def test_stats_habits_say_counts_not_zero_of_zero_or_tenths(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 2026-11-02")
    await chat.say("/log 6k 30:00")
    await chat.say("/strength plank 60")

    year = (await chat.say("/stats year")).text

    assert "0 of 0" not in year
    assert "😴 no nights logged" in year
    assert "(before and after: 2)" not in year
    assert "🦵 Mobility: 0 of 4 sessions on run days" in year
    # The year so far for this runner is the 4 weeks since 2 Nov, not 47 weeks.
    assert "💪 1 strength session in 4 weeks" in year
    assert "0.0" not in year


async def test_stats_of_an_empty_period_is_one_line_and_the_chart(harness: Harness) -> None:
    chat = harness.chat()

    reply = await chat.say("/stats")

    assert reply.text.splitlines()[0] == (
        "This month (01 Nov 2026 - 26 Nov 2026): no runs yet. Log one with /log 5k 25:00."
    )
    assert "Habits:" not in reply.text
    assert "0 of 0" not in reply.text


async def test_an_empty_week_says_so_instead_of_zero_of_zero(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/mobility pre")

    text = (await chat.say("/week")).text

    assert "0 of 0" not in text
    assert "😴 Sleep: no nights logged" in text
    assert "🦵 Mobility: no runs this week (+1 session)" in text
    assert "🍌 Fuel: no runs this week" in text


def test_the_digest_of_a_week_without_runs_does_not_count_sessions_for_zero_runs() -> None:
    from datetime import date

    from bot.storage.progress import HabitCounts, RunTotals
    from bot.texts.progress import digest_text

    text = digest_text(date(2026, 11, 9), RunTotals(), HabitCounts(mobility_sessions=1), "km")

    assert "for 0 runs" not in text
    assert "🦵 Mobility: no runs this week (+1 session)" in text


async def test_week_last_is_called_last_week(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 2026-11-17")

    last = (await chat.say("/week last")).text
    older = (await chat.say("/week 2026-11-09")).text

    assert last.startswith("Last week (Mon 16 Nov - Sun 22 Nov):")
    assert older.startswith("The week (Mon 09 Nov - Sun 15 Nov):")


async def test_an_earlier_week_without_runs_says_that_week(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 2026-11-10")
    await chat.say("/log 5k 25:00")

    text = (await chat.say("/week last")).text

    assert "🦵 Mobility: no runs that week" in text
    assert "🍌 Fuel: no runs that week" in text
