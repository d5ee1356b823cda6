"""The climb, longest, fastest and streak challenges through the core's fake chat."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.messages import Attachment
from tests.clubs.conftest import club_chat
from tests.fakes import Harness

DATA = Path(__file__).resolve().parent.parent / "data" / "runfiles"


async def _board(harness: Harness, who: str, name: str) -> list[str]:
    return (await club_chat(harness, who).say(f"/challenge board {name}")).text.splitlines()


async def _create_and_join(harness: Harness, line: str, name: str, *members: str) -> str:
    created = await club_chat(harness, "ann", admin=True).say(f"/challenge create {line}")
    for member in members:
        joined = (await club_chat(harness, member).say(f"/challenge join {name}")).text
        assert joined.startswith(f"{member.capitalize()} is in {name}!")
    return created.text


async def test_climb_from_a_typed_log_in_each_viewers_units(harness: Harness) -> None:
    created = await _create_and_join(
        harness, "Hill Month climb today 4w target 1000m", "Hill Month", "ann", "bob", "cy"
    )
    assert "Hill Month: elevation gain, Thu 26 Nov – Wed 23 Dec 2026, target 1000 m each" in (
        created
    )
    logged = await harness.chat("ann", "telegram").say("/log 10k 55:00 climb 250m hilly")
    assert "\nClimb: 250 m.\n" in logged.text
    assert "Hill Month: 250/1000 m, 1st of 3" in logged.text
    assert [r.note for r in await harness.runs(harness.chat("ann", "telegram"))] == ["hilly"]
    await harness.chat("bob", "telegram").say("/log 8k 44:00 climb 250")  # metres: km runner
    await harness.chat("cy", "telegram").say("/log 5k 25:00")  # a flat run
    lines = await _board(harness, "bob", "Hill Month")
    assert lines[0] == "🏆 Hill Month · elevation gain · 28 days left"
    # Equal: Ann got there first. A flat run climbs nothing.
    assert lines[2:5] == [
        "1. Ann 250 m ▓▓░░░░░░░░ 25%",
        "1. Bob (you) 250 m ▓▓░░░░░░░░ 25%",
        "3. Cy 0 m ░░░░░░░░░░ 0%",
    ]
    cy = harness.chat("cy", "telegram")
    await cy.say("/settings units mi")
    await cy.say("/log 3mi 27:00 climb 1000ft")
    lines = await _board(harness, "cy", "Hill Month")
    assert lines[2].startswith("1. Cy (you) 1000 ft")  # 304.8 m, shown in feet to Cy
    assert lines[3].startswith("2. Ann 820 ft")
    refused = await cy.say("/log 5k 25:00 climb 40000m")
    assert refused.text.startswith("A climb of 40000 m is more than one run climbs")
    negative = await cy.say("/log 5k 25:00 climb -5m")
    assert negative.text.startswith("A climb must be more than zero")
    twice = await cy.say("/log 5k 25:00 climb 100m climb 200m")
    assert twice.text.startswith("One climb a run, please")
    assert len(await harness.runs(cy)) == 2  # nothing stored


async def test_longest_run_with_a_hidden_runner_and_frozen_results(harness: Harness) -> None:
    await _create_and_join(harness, "Long Haul longest today 2w", "Long Haul", "ann", "bob")
    ann, bob = harness.chat("ann", "telegram"), harness.chat("bob", "telegram")
    await ann.say("/log 5k 25:00")
    await bob.say("/log 10k 55:00")
    logged = await ann.say("/log 12k 66:00")
    assert "Long Haul: 12.00 km, 1st of 2" in logged.text
    await bob.say("/settings boards hidden")
    assert (await _board(harness, "ann", "Long Haul"))[2:4] == [
        "1. Ann (you) 12.00 km",
        "2. a runner 10.00 km",
    ]
    ann = club_chat(harness, "ann", admin=True)
    await ann.say("/challenge end Long Haul")
    ended = await ann.press("End it now")
    assert "1. Ann (you) 12.00 km" in ended.text and "2. a runner 10.00 km" in ended.text
    await bob.say("/log 20k 1:50:00")  # after the end: the results stay as they were
    final = await _board(harness, "cy", "Long Haul")
    assert final[0] == "🏁 Long Haul · final results · longest run"
    assert final[2:4] == ["1. Ann 12.00 km", "2. a runner 10.00 km"]


async def test_fastest_5k_ranks_the_lowest_time_first(harness: Harness) -> None:
    created = await _create_and_join(
        harness, "Fast Five fastest 5k today 4w target 25:00", "Fast Five", "ann", "bob", "cy"
    )
    assert "Fast Five: fastest 5 km, Thu 26 Nov – Wed 23 Dec 2026, target 25:00 each" in (created)
    await harness.chat("ann", "telegram").say("/log 5k 26:00")
    await harness.chat("bob", "telegram").say("/log 5k 24:00")
    await harness.chat("cy", "telegram").say("/log 10k 50:00")  # no 5 km effort in a typed 10k
    lines = await _board(harness, "cy", "Fast Five")
    assert lines[0] == "🏆 Fast Five · fastest 5 km · 28 days left"
    assert lines[2:5] == ["1. Bob 24:00 ✓", "2. Ann 26:00", "3. Cy (you) no time yet"]
    dan = club_chat(harness, "dan")
    await dan.say("/challenge join Fast Five")
    logged = await harness.chat("dan", "telegram").say("/log 4.95km 23:45")  # within 2%: 23:59.4
    assert "Fast Five: 23:59 (target 25:00), 1st of 4" in logged.text
    await harness.chat("ann", "telegram").say("/log 5k 23:59.4")
    lines = await _board(harness, "ann", "Fast Five")
    assert lines[2].startswith("1. Dan 23:59 ✓")
    refused = await club_chat(harness, "ann", admin=True).say(
        "/challenge create Speedy fastest 3k today 4w"
    )
    assert refused.text.startswith("/challenge create knows 1k, 5k, 10k or half there; not '3k'")
    bare = await club_chat(harness, "ann", admin=True).say(
        "/challenge create Speedy fastest today 4w"
    )
    assert bare.text.startswith("Fastest over which distance: 1k, 5k, 10k or half?")
    team = await club_chat(harness, "ann", admin=True).say(
        "/challenge create Speedy fastest 5k today 4w target 25:00 team"
    )
    assert "doesn't add up" in team.text


async def test_streak_with_a_daily_minimum_across_the_spring_forward(harness: Harness) -> None:
    """Europe/Berlin moves its clocks on Sun 28 Mar 2027: days stay the runner's days."""
    harness.clock.set(datetime(2027, 3, 20, 12, 0, tzinfo=UTC))
    created = await _create_and_join(
        harness, "Daily streak min 1.6km 2027-03-25 7d", "Daily", "ann", "bob"
    )
    assert "most days in a row with a run of 1.60 km or more" in created
    ann, bob = harness.chat("ann", "telegram"), harness.chat("bob", "telegram")
    for chat in (ann, bob):
        await chat.say("/settings timezone Europe/Berlin")
    harness.clock.set(datetime(2027, 3, 28, 21, 30, tzinfo=UTC))  # 23:30 CEST, Sun 28
    for day in ("2027-03-26", "2027-03-27"):
        await ann.say(f"/log 3k 15:00 {day}")
    await ann.say("/log 2k 10:00")  # today: the 28th in Berlin (the 28th in UTC too)
    harness.clock.set(datetime(2027, 3, 29, 22, 30, tzinfo=UTC))  # 00:30 CEST, Tue 30
    await ann.say("/log 1k 5:00")  # the 30th, under the minimum: the streak stops at 3
    await ann.say("/log 5k 25:00 2027-03-29")
    for day in ("2027-03-25", "2027-03-26"):
        await bob.say(f"/log 1.6km 9:00 {day}")
    await bob.say("/log 1k 6:00 2027-03-27")  # two short runs make the day's 1.60 km
    logged = await bob.say("/log 1k 6:05 2027-03-27")  # not the same again: no double tap
    assert "Daily: 3 days, 2nd of 2" in logged.text
    lines = await _board(harness, "ann", "Daily")
    assert lines[2:4] == ["1. Ann (you) 4 days", "2. Bob 3 days"]
    await bob.say("/log 2k 12:00 2027-03-28")  # Bob's 4th day in a row: level, later
    lines = await _board(harness, "ann", "Daily")
    assert lines[2:4] == ["1. Ann (you) 4 days", "1. Bob 4 days"]


async def test_a_run_file_counts_its_climb_and_its_fastest_stretch(harness: Harness) -> None:
    """run.tcx (Sat 15 Aug 2015, Denver): a 9 km run whose track holds a 5 km in 21:44."""
    harness.clock.set(datetime(2015, 8, 15, 20, 0, tzinfo=UTC))
    await _create_and_join(harness, "Track Five fastest 5k today 7d", "Track Five", "ann")
    await _create_and_join(harness, "Track Climb climb today 7d", "Track Climb", "ann")
    ann = harness.chat("ann", "telegram")
    await ann.say("/settings timezone America/Denver")
    data = (DATA / "run.tcx").read_bytes()
    assert "Logged" in (await ann.say("/log", attachments=(Attachment("run.tcx", data),))).text
    [run] = await harness.runs(ann)
    async with harness.db.reader() as uow:
        facts = await uow.tracks.facts(run.id)
    assert facts is not None and facts.elevation_gain_m
    assert (await _board(harness, "ann", "Track Five"))[2] == "1. Ann (you) 21:44"
    climb = round(facts.elevation_gain_m)
    assert (await _board(harness, "ann", "Track Climb"))[2] == f"1. Ann (you) {climb} m"
    await ann.say(f"/edit {run.id} distance 4km")  # corrected shorter: no 5 km in it any more
    assert (await _board(harness, "ann", "Track Five"))[2] == "1. Ann (you) no time yet"


async def test_create_reads_each_metrics_own_words(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    reply = await admin.say("/challenge create Club Streak streak min 2k today 2w target 10")
    assert reply.text.startswith(
        "🏁 Club Streak: most days in a row with a run of 2.00 km or more, Thu 26 Nov – "
        "Wed 09 Dec 2026, target 10 days each"
    )
    reply = await admin.say("/challenge create Fastest Ten fastest 10k today 2w")
    assert reply.text.startswith("🏁 Fastest Ten: fastest 10 km, Thu 26 Nov")
    reply = await admin.say("/challenge create Long One longest today 2w target 30km")
    assert "Long One: longest run" in reply.text and "target 30.00 km each" in reply.text
    listing = await admin.say("/challenge list")
    assert "• Fastest Ten: fastest 10 km, Thu 26 Nov – Wed 09 Dec" in listing.text
    refused = await admin.say("/challenge create Longer longest today 2w target 400km")
    assert refused.text.startswith("A target of 400km in 14 days is more than one runner")
    refused = await admin.say("/challenge create Days On streak today 2w target 15")
    assert refused.text.startswith("A target of 15 in 14 days is more than one runner")
    refused = await admin.say("/challenge create Together streak today 2w target 5 team")
    assert "A team goal adds everyone's numbers up; streak doesn't add up." in refused.text
    hills = await admin.say("/challenge create Hills climb today 2w target 30000m team")
    assert "team goal 30000 m" in hills.text


async def test_edit_corrects_or_removes_a_runs_climb_and_the_board_follows(
    harness: Harness,
) -> None:
    await _create_and_join(harness, "Hill Month climb today 4w", "Hill Month", "ann", "bob")
    ann, bob = harness.chat("ann", "telegram"), harness.chat("bob", "telegram")
    await ann.say("/log 10k 55:00 climb 250m")
    await bob.say("/log 8k 44:00")
    edited = await bob.say("/edit 2 climb 300m")
    assert edited.text.startswith("Run #2: climb (no climb) → 300 m.")
    assert (await _board(harness, "ann", "Hill Month"))[2:4] == [
        "1. Bob 300 m",
        "2. Ann (you) 250 m",
    ]
    # A runner in miles reads and types the climb in feet; a bare number is feet too.
    await ann.say("/settings units mi")
    assert (await ann.say("/edit 1 climb 1200")).text.startswith("Run #1: climb 820 ft → 1200 ft.")
    assert (await _board(harness, "bob", "Hill Month"))[2].startswith("1. Ann 366 m")
    assert (await ann.say("/edit 1 climb none")).text.startswith(
        "Run #1: climb 1200 ft → (no climb)."
    )
    assert (await _board(harness, "bob", "Hill Month"))[2:4] == [
        "1. Bob (you) 300 m",
        "2. Ann 0 m",
    ]
    for typed, says in (
        ("/edit 2 climb -20m", "A climb can't be negative (-20m). Nothing was saved."),
        ("/edit 2 climb 40000m", "A climb of 40000 m is more than one run climbs."),
        ("/edit 2 climb lots", "I can't read 'lots' as a climb."),
        ("/edit 2 climb", "What should the climb be?"),
    ):
        assert (await bob.say(typed)).text.startswith(says), typed
    assert (await _board(harness, "bob", "Hill Month"))[2] == "1. Bob (you) 300 m"


async def test_the_log_reply_shows_the_challenges_the_run_counted_toward(
    harness: Harness,
) -> None:
    # Joined first, but this run counts for none of them: flat, no 5 km in it, not started.
    await _create_and_join(harness, "Hill Month climb today 4w", "Hill Month", "ann")
    await _create_and_join(harness, "Fast Five fastest 5k today 4w", "Fast Five", "ann")
    await _create_and_join(harness, "Spring Miles distance 2026-12-10 2w", "Spring Miles", "ann")
    await _create_and_join(harness, "Long Run longest today 4w", "Long Run", "ann")
    await _create_and_join(harness, "Winter Week runs today 1w", "Winter Week", "ann")
    await _create_and_join(harness, "Big Month distance today 3w", "Big Month", "ann")
    await _create_and_join(harness, "Daily streak today 2w", "Daily", "ann")
    ann = harness.chat("ann", "telegram")
    logged = await ann.say("/log 10k 50:00")
    lines = [line.split(":")[0] for line in logged.text.splitlines()]
    # The soonest to end first; three at most.
    assert [n for n in lines if n in {"Winter Week", "Daily", "Big Month", "Long Run"}] == [
        "Winter Week",
        "Daily",
        "Big Month",
    ]
    assert not {"Hill Month", "Fast Five", "Spring Miles"} & set(lines)
    # A flat 3 km counts for the longest run only; a hilly 5 km for all three.
    for name in ("Hill Month", "Fast Five", "Long Run"):
        await club_chat(harness, "bob").say(f"/challenge join {name}")
    bob = harness.chat("bob", "telegram")
    flat = await bob.say("/log 3k 15:00")
    assert "Long Run: 3.00 km" in flat.text
    assert "Hill Month" not in flat.text and "Fast Five" not in flat.text
    hilly = await bob.say("/log 5k 25:00 climb 80m")
    assert [
        n
        for n in hilly.text.splitlines()
        if n.split(":")[0] in {"Hill Month", "Fast Five", "Long Run"}
    ] == [
        "Hill Month: 80 m, 1st of 2",
        "Fast Five: 25:00, 1st of 2",
        "Long Run: 5.00 km, 2nd of 2",
    ]
    # A run from before the windows counts toward none: no standing lines.
    before = await ann.say("/log 8k 40:00 2026-11-20")
    assert before.text.startswith("Logged #4")
    assert not any(
        name in before.text for name in ("Winter Week", "Daily", "Big Month", "Hill Month")
    )
