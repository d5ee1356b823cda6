"""Logging runs through the core, as a runner types them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.clock import FakeClock
from tests.fakes import Harness


async def test_log_replies_with_distance_time_pace_week_and_streak(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/log 5k 25:00")
    assert "5.00 km in 25:00 (5:00 /km)" in reply.text
    assert "This week: 5.00 km over 1 run" in reply.text
    assert "run streak: 1 week" in reply.text
    actions = [b.action for b in reply.all_buttons]
    assert actions == ["/fuel", "/mobility post"]
    [run] = await harness.runs(chat)
    assert (run.distance_m, run.duration_s, run.local_date) == (5000, 1500, date(2026, 11, 26))


@pytest.mark.parametrize(
    ("typed", "meters", "seconds"),
    [
        ("/log 5 km 25:00", 5000, 1500),
        ("/log 5.2km 26:00", 5200, 1560),
        ("/log 3.1mi 25:00", 3.1 * 1609.344, 1500),
        ("/log 10000m 50:00", 10000, 3000),
        ("/log half 1:45:00", 21097.5, 6300),
        ("/log marathon 3:30:00", 42195, 12600),
        ("/log 10k 45m", 10000, 2700),
        ("/log 15k 1h5m", 15000, 3900),
        ("/log 10k 3000s", 10000, 3000),
        ("/log 10k 1:05:30", 10000, 3930),
    ],
)
async def test_log_accepts_every_documented_form(
    harness: Harness, typed: str, meters: float, seconds: int
) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert reply.text.startswith("Logged"), reply.text
    [run] = await harness.runs(chat)
    assert run.distance_m == pytest.approx(meters)
    assert run.duration_s == seconds


async def test_log_shows_miles_for_a_mile_runner(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/settings units mi")
    reply = await chat.say("/log 5k 25:00")
    assert "3.11 mi in 25:00 (8:03 /mi)" in reply.text


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("today", date(2026, 11, 26)),
        ("yesterday", date(2026, 11, 25)),
        ("monday", date(2026, 11, 23)),
        ("thu", date(2026, 11, 26)),
        ("fri", date(2026, 11, 20)),
        ("2026-11-01", date(2026, 11, 1)),
    ],
)
async def test_log_dates(harness: Harness, when: str, expected: date) -> None:
    chat = harness.chat()
    await chat.say(f"/log 5k 25:00 {when}")
    [run] = await harness.runs(chat)
    assert run.local_date == expected


async def test_note_after_the_date_and_without_a_date(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 yesterday easy with Sam")
    await chat.say("/log 8k 40:00 hilly & windy <b>")
    runs = await harness.runs(chat)
    assert {(r.local_date, r.note) for r in runs} == {
        (date(2026, 11, 25), "easy with Sam"),
        (date(2026, 11, 26), "hilly & windy <b>"),
    }


async def test_local_date_follows_the_runners_time_zone(harness: Harness, clock: FakeClock) -> None:
    chat = harness.chat()
    await chat.say("/settings timezone Pacific/Auckland")
    clock.set(clock.now().replace(hour=11, minute=30))  # 00:30 on the 27th in Auckland
    await chat.say("/log 5k 25:00")
    [run] = await harness.runs(chat)
    assert run.local_date == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/log -5k 25:00", "can't be negative"),
        ("/log 5k 0:00", "above zero"),
        ("/log 900km 1:00:00", "more than 300 km"),
        ("/log 10k 10:00", "faster than 2:30 /km"),
        ("/log 1k 2:00:00", "slower than 30:00 /km"),
        ("/log five 25:00", "can't read 'five' as a distance"),
        ("/log 5k quick", "can't read 'quick' as a time"),
        ("/log 5k 25:75", "up to 59"),
        ("/log 5k", "needs a duration"),
        ("/log", "needs a distance"),
        ("/log 5k 25:00 2026-12-01", "in the future"),
        ("/log 5k 25:00 2025-06-01", "more than a year ago"),
        ("/log 5k 25:00 2026-13-45", "can't read '2026-13-45' as a date"),
    ],
)
async def test_bad_input_is_explained_and_nothing_is_stored(
    harness: Harness, typed: str, says: str
) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert says in reply.text
    assert await harness.runs(chat) == []


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/log 0.001k 0:01", "0.001k is 1 m; a run is at least 100 m."),
        ("/log 99m 0:40", "99m is 99 m; a run is at least 100 m."),
        ("/log 900km 1:00:00", "900km is more than 300 km; that doesn't look like one run."),
        (
            "/log 5000k 25:00",
            "5000k is more than 300 km; that doesn't look like one run.\n"
            "For 5000 metres, type 5000m.",
        ),
    ],
)
async def test_a_distance_past_a_runs_bounds_is_told_plainly(
    harness: Harness, typed: str, says: str
) -> None:
    chat = harness.chat()
    reply = await chat.say(typed)
    assert reply.text == says
    assert await harness.runs(chat) == []


async def test_the_shortest_run_is_kept(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/log 100m 0:30")
    assert reply.text.startswith("Logged #1 · today · 0.10 km in 0:30"), reply.text


async def test_a_ten_thousand_character_note_is_refused_not_cut(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/log 5k 25:00 " + "x" * 10_000)
    assert "up to 500 characters" in reply.text
    assert "10,000" in reply.text
    assert "Nothing was saved" in reply.text
    assert await harness.runs(chat) == []


async def test_same_platform_message_twice_stores_one_run(harness: Harness) -> None:
    chat = harness.chat(platform="telegram")
    first = await chat.say("/log 5k 25:00", idempotency_key="update-77")
    second = await chat.say("/log 5k 25:00", idempotency_key="update-77")
    assert first.text.startswith("Logged")
    assert second.text.startswith("Already logged")
    assert len(await harness.runs(chat)) == 1
    # Nothing new was stored: no /undo offered (it would remove the latest run, maybe another).
    assert "Wrong? /undo removes it." in first.text
    assert "/undo" not in second.text


async def test_week_total_and_streak_grow(harness: Harness, clock: FakeClock) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 2026-11-12")  # two weeks ago
    await chat.say("/log 6k 30:00 2026-11-18")  # last week
    await chat.say("/log 4k 20:00 mon")
    reply = await chat.say("/log 10k 50:00")
    assert "This week: 14.00 km over 2 runs" in reply.text
    assert "run streak: 3 weeks" in reply.text


async def test_runs_undo_and_delete(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 yesterday")
    await chat.say("/log 8k 40:00")
    listing = await chat.say("/runs")
    assert "#1 · yesterday · 5.00 km" in listing.text
    assert "#2 · today · 8.00 km" in listing.text
    undo = await chat.say("/undo")
    assert "Removed run #2" in undo.text and "8.00 km" in undo.text
    [left] = await harness.runs(chat)
    assert left.id == 1
    deleted = await chat.say("/delete 1")
    assert "Deleted run #1" in deleted.text
    assert await harness.runs(chat) == []
    nothing = await chat.say("/undo")
    assert "no run to undo" in nothing.text
    # Said alike after every run is gone and before any: no "yet" once runs were logged.
    assert nothing.text.splitlines()[0] == "There's no run to undo: none is logged."
    assert (await harness.chat("new").say("/undo")).text == nothing.text


async def test_delete_never_touches_someone_elses_run(harness: Harness) -> None:
    ana, ben = harness.chat("ana"), harness.chat("ben")
    await ana.say("/log 5k 25:00")
    reply = await ben.say("/delete 1")
    assert "You have no run #1" in reply.text
    assert len(await harness.runs(ana)) == 1
    bad = await ben.say("/delete abc")
    assert "must be a number" in bad.text


async def test_post_run_buttons_check_in_fuel_and_mobility(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    fuel = await chat.press("snack")
    assert fuel.text.startswith("Checked in: post-run snack")
    await chat.say("/log 3k 15:00")
    mobility = await chat.press("mobility")
    assert "post-run hip mobility" in mobility.text
    assert [c.habit for c in await harness.checkins(chat)] == ["fuel", "mobility"]


async def test_log_in_a_group_hides_the_note(harness: Harness) -> None:
    chat = harness.chat(private=False)
    reply = await chat.say("/log 5k 25:00 knee felt sore")
    assert "knee" not in reply.text
    assert not reply.private
    listing = await chat.say("/runs")
    assert listing.private and "knee" in listing.text


async def test_the_cached_streak_follows_backdated_runs_gaps_and_deletes(
    harness: Harness, clock: FakeClock
) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")  # Thu 26 Nov
    await chat.say("/log 5k 25:00 2026-11-12")  # two weeks back: a gap in between
    reply = await chat.say("/log 5k 25:00")
    assert "run streak: 1 week" in reply.text
    reply = await chat.say("/log 5k 25:00 2026-11-17")  # fills the gap: three weeks
    assert "run streak: 3 weeks" in reply.text
    runs = await harness.runs(chat)
    gap_filler = next(r for r in runs if r.local_date.isoformat() == "2026-11-17")
    await chat.say(f"/delete {gap_filler.id}")
    clock.advance(days=7)  # next Thursday
    reply = await chat.say("/log 5k 25:00")
    assert "run streak: 2 weeks" in reply.text  # this week and last week only
    clock.advance(days=14)  # a week without running
    reply = await chat.say("/log 5k 25:00")
    assert "run streak: 1 week" in reply.text


async def test_the_same_undo_delivered_twice_removes_one_run(harness: Harness) -> None:
    chat = harness.chat(platform="telegram")
    await chat.say("/log 10k 50:00 yesterday")
    await chat.say("/log 5k 25:00")
    first = await chat.say("/undo", idempotency_key="u1")
    again = await chat.say("/undo", idempotency_key="u1")
    assert "Removed run #2" in first.text and again.text == first.text
    assert [r.id for r in await harness.runs(chat)] == [1]


async def test_run_ids_are_never_reused(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    await chat.say("/log 6k 30:00")
    await chat.say("/undo")
    reply = await chat.say("/log 7k 35:00")
    assert reply.text.startswith("Logged #3")


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/log 5k 25:00 tomorrow", "in the future"),
        ("/log 5k 25:00 26/11", "can't read '26/11' as a date"),
        ("/log 5k 25:00 2026-2-3", "can't read '2026-2-3' as a date"),
    ],
)
async def test_date_like_words_are_dates_not_notes(harness: Harness, typed: str, says: str) -> None:
    chat = harness.chat()
    assert says in (await chat.say(typed)).text
    assert await harness.runs(chat) == []


async def test_a_date_followed_by_a_colon_is_still_the_date(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 Yesterday: legs heavy")
    [run] = await harness.runs(chat)
    assert (run.local_date.isoformat(), run.note) == ("2026-11-25", "legs heavy")


async def test_a_run_logged_for_another_week_says_which_week(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/log 5k 25:00 2026-11-18")
    assert "Week of Mon 16 Nov 2026: 5.00 km over 1 run" in reply.text
    last_year = await chat.say("/log 5k 25:00 2025-12-01")
    assert "Mon 01 Dec 2025" in last_year.text


async def test_a_pace_typo_is_told_in_the_runners_miles(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/settings units mi")

    text = (await chat.say("/log 3mi 1:00")).text

    # Miles first, the limit in miles too: the runner thinks in /mi.
    assert text.startswith("That's 0:20 /mi (0:12 /km): faster than 4:01 /mi")
    assert await harness.runs(chat) == []


async def test_an_old_run_does_not_say_run_streak_zero_weeks(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 2026-01-05")

    reply = await chat.say("/log 5k 25:00 2026-06-01")

    assert "Logged #2" in reply.text
    assert "run streak: 0 weeks" not in reply.text


async def test_last_monday_is_the_day_of_the_run_not_its_note(harness: Harness) -> None:
    chat = harness.chat()  # today is Thursday 26 Nov 2026

    logged = (await chat.say("/log 5k 25:00 last monday easy")).text
    edited = (await chat.say("/edit 1 date last thu")).text

    assert logged.startswith("Logged #1 · Mon 23 Nov · 5.00 km in 25:00 (5:00 /km) · easy")
    # "last thursday" on a Thursday is a week ago, not today.
    assert "→ Thu 19 Nov 2026" in edited
    [run] = await harness.runs(chat)
    assert (str(run.local_date), run.note) == ("2026-11-19", "easy")
