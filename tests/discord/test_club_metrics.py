"""The climb, longest, fastest and streak challenges, club units, the one combined club post and
the run feed, through the Discord adapter and the real core (both backends): the interaction
answers and the channel posts as Discord receives them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.discord.club import ADA, BOB, CY, EPHEMERAL, DiscordServer, buttons

RUN_FILE = Path(__file__).resolve().parent.parent / "data" / "runfiles" / "run.tcx"


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def create(name: str, metric: str, end: str = "7d", **more: str) -> dict[str, str]:
    """The typed options of ``/challenge create`` starting today."""
    return {"name": name, "metric": metric, "start": "today", "end": end, **more}


async def test_climb_from_the_note_option_with_a_tie_a_hidden_runner_and_a_confirmed_end(
    discord_server: DiscordServer,
) -> None:
    d = discord_server
    created = await d.command(
        "challenge create", create("Hill Month", "climb", "4w", target="1000m")
    )
    assert created["content"].startswith(
        "🏁 Hill Month: elevation gain, Thu 26 Nov – Wed 23 Dec 2026, target 1000 m each."
    )
    # The Join is for everyone in the channel: not stamped with the creator.
    assert buttons(created) == {"🏃 Join Hill Month": "pacer:/challenge join #1"}
    for user, name in ((ADA, "Ada"), (BOB, "Bob"), (CY, "Cy")):
        # The whole channel sees the answer to a press: it names who joined.
        assert (await d.press("🏃 Join Hill Month", on=created, user=user))["content"] == (
            f"{name} is in Hill Month!"
        )
    logged = await d.command("log", {"distance": "10k", "duration": "55:00", "note": "climb 250m"})
    assert not logged.get("flags", 0) & EPHEMERAL  # the run's reply is public in the server
    assert "\nClimb: 250 m.\n" in logged["content"]
    assert "Hill Month: 250/1000 m, 1st of 3" in logged["content"]
    bob_run = {"distance": "8k", "duration": "44:00", "note": "climb 250 steep"}
    assert "Climb: 250 m." in (await d.command("log", bob_run, user=BOB, guild=False))["content"]
    await d.command("settings", {"item": "boards", "value": "hidden"}, user=CY, guild=False)
    await d.command("log", {"distance": "5k", "duration": "25:00", "note": "climb 100m"}, user=CY)
    board = await d.command("challenge board", {"name": "Hill Month"}, user=BOB)
    assert board["content"].splitlines()[2:6] == [
        "1. Ada 250 m ▓▓░░░░░░░░ 25%",
        "1. Bob (you) 250 m ▓▓░░░░░░░░ 25%",
        "3. a runner 100 m ▓░░░░░░░░░ 10%",
        "3 members",
    ]
    asked = await d.command("challenge end", {"name": "Hill Month"})
    assert asked["content"].startswith("End Hill Month now?")
    refused = await d.press("🏁 End it now", on=asked, user=BOB)
    assert refused["flags"] & EPHEMERAL and refused["content"].startswith("That button is for")
    ended = await d.press("🏁 End it now", on=asked)
    assert ended["content"].splitlines()[:6] == [
        "Ada ended Hill Month: it is over.",
        "🏁 Hill Month · final results · elevation gain",
        "Thu 26 Nov – Thu 26 Nov 2026 (ended early; planned until Wed 23 Dec 2026)",
        "1. Ada (you) 250 m ▓▓░░░░░░░░ 25%",
        "1. Bob 250 m ▓▓░░░░░░░░ 25%",
        "3. a runner 100 m ▓░░░░░░░░░ 10%",
    ]
    assert "components" not in ended or not ended["components"]
    await d.command("log", {"distance": "5k", "duration": "25:00", "note": "climb 900m"}, user=CY)
    final = await d.command("challenge board", {"name": "Hill Month"}, user=BOB)
    assert "3. a runner 100 m" in final["content"]  # frozen when it ended
    assert await d.posts_at(utc(2026, 11, 27, 9)) == []


async def test_one_channel_post_a_section_per_joined_challenge_then_the_final_results(
    discord_server: DiscordServer,
) -> None:
    d = discord_server
    shown = await d.command("club posts", {"every": "daily", "time": "18:00"})
    assert "every day at 18:00" in shown["content"]
    long = await d.command("challenge create", create("Long Haul", "longest"))
    fast = await d.command("challenge create", create("Fast Five", "fastest", over="5k"))
    streak = await d.command("challenge create", create("Daily", "streak", min="1.6km"))
    assert "most days in a row with a run of 1.60 km or more" in streak["content"]
    await d.command("challenge create", create("Nobody", "runs"))
    for user in (ADA, BOB, CY):
        await d.press("🏃 Join Long Haul", on=long, user=user)
        await d.press("🏃 Join Fast Five", on=fast, user=user)
    for user in (ADA, BOB):
        await d.press("🏃 Join Daily", on=streak, user=user)
    ada = await d.command("log", {"distance": "5k", "duration": "26:00"}, guild=False)
    assert ada["content"].splitlines()[3:6] == [
        "Long Haul: 5.00 km, 1st of 3",
        "Fast Five: 26:00, 1st of 3",
        "Daily: 1 day, 1st of 2",
    ]
    await d.command("log", {"distance": "5k", "duration": "24:00"}, user=BOB, guild=False)
    await d.command("log", {"distance": "10k", "duration": "50:00"}, user=CY, guild=False)
    [post] = await d.posts_at(utc(2026, 11, 26, 18))
    sections = [s.splitlines() for s in post["content"].split("\n\n")]
    assert [s[0] for s in sections] == [
        "🏆 Long Haul · longest run · 7 days left",
        "🏆 Fast Five · fastest 5 km · 7 days left",
        "🏆 Daily · most days in a row with a run of 1.60 km or more · 7 days left",
    ]
    assert sections[1][2:5] == ["1. Bob 24:00", "2. Ada 26:00", "3. Cy no time yet"]
    assert post["allowed_mentions"] == {"parse": []} and not post.get("components")
    assert await d.posts_at(utc(2026, 11, 27, 18)) == []  # nothing moved: nothing sent
    [final] = await d.posts_at(utc(2026, 12, 4, 0))
    assert "🏁 Fast Five is over!\nWinners: 🥇 Bob 24:00, 🥈 Ada 26:00" in final["content"]
    assert "🏁 Daily is over!\nWinners: 🥇 Ada 1 day, 🥇 Bob 1 day" in final["content"]
    assert "Nobody" not in final["content"] and "join" not in final["content"].lower()


async def test_club_units_in_the_channel_post_and_each_members_own_on_the_board(
    discord_server: DiscordServer,
) -> None:
    d = discord_server
    refused = await d.command("club units", {"units": "mi"}, user=BOB)
    assert refused["flags"] & EPHEMERAL and "Manage Server" in refused["content"]
    assert (await d.command("club units", {"units": "mi"}))["content"].startswith(
        "Club posts use mi from now on."
    )
    await d.command("club posts", {"every": "daily", "time": "18:00"})
    created = await d.command("challenge create", create("Fifty", "distance", target="50"))
    assert "target 50.00 mi each" in created["content"]
    await d.press("🏃 Join Fifty", on=created, user=BOB)
    await d.command("log", {"distance": "10k", "duration": "50:00"}, user=BOB, guild=False)
    [post] = await d.posts_at(utc(2026, 11, 26, 18))
    assert "1. Bob 6.21 mi" in post["content"]
    board = await d.command("challenge board", {"name": "Fifty"}, user=BOB)
    assert "1. Bob (you) 10.00 km" in board["content"]


async def test_the_feed_posts_an_opted_in_members_run_to_the_channel_without_its_note(
    discord_server: DiscordServer,
) -> None:
    d = discord_server
    assert "The run feed is on" in (await d.command("club feed", {"switch": "on"}))["content"]
    await d.command("challenge list", user=BOB)  # Bob and Cy take part in the club
    await d.command("challenge list", user=CY)
    opted = await d.command("settings", {"item": "feed", "value": "on"}, user=BOB, guild=False)
    assert "never a note or sleep" in opted["content"]
    run = {"distance": "7k", "duration": "35:00", "note": "private thoughts"}
    await d.command("log", run, user=BOB, guild=False)
    await d.command("log", {"distance": "12k", "duration": "1:00:00"}, user=CY, guild=False)
    [post] = await d.posts_at(utc(2026, 11, 26, 12))
    assert post["content"] == "🏃 Bob ran 7.00 km in 35:00 (5:00 /km) · today"
    cheered = await d.press("👏 Cheer", on=post, user=CY)
    assert cheered["flags"] & EPHEMERAL
    assert cheered["content"] == "👏 You cheered Bob's 7.00 km."
    assert d.posts() == [post]  # Cy, not opted in, has no post; a cheer posts nothing


async def test_a_run_file_attached_to_log_counts_its_climb_and_its_fastest_5k(
    discord_server: DiscordServer,
) -> None:
    """run.tcx (Sat 15 Aug 2015, Denver): a 9 km run, climb 62 m, a 5 km in 21:44."""
    d = discord_server
    d.harness.clock.set(datetime(2015, 8, 15, 20, 0, tzinfo=UTC))
    climb = await d.command("challenge create", create("Track Climb", "climb"))
    fast = await d.command("challenge create", create("Track Five", "fastest", over="5k"))
    for user in (BOB, CY):
        await d.press("🏃 Join Track Climb", on=climb, user=user)
    await d.press("🏃 Join Track Five", on=fast, user=CY)
    for user in (BOB, CY):
        await d.command("settings", {"item": "timezone", "value": "America/Denver"}, user=user)
    logged = await d.log_file("run.tcx", RUN_FILE.read_bytes(), user=CY)
    assert not logged.get("flags", 0) & EPHEMERAL
    assert "From the TCX file's points: climb 62 m" in logged["content"]
    assert "Track Climb: 62 m, 1st of 2" in logged["content"]
    assert "Track Five: 21:44, 1st of 1" in logged["content"]
    await d.log_file("run.tcx", RUN_FILE.read_bytes(), user=BOB, guild=False)
    board = await d.command("challenge board", {"name": "Track Climb"})
    assert board["content"].splitlines()[2:5] == ["1. Cy 62 m", "1. Bob 62 m", "2 members"]


async def test_challenges_starting_the_same_morning_are_one_post_with_a_join_button_each(
    discord_server: DiscordServer,
) -> None:
    d = discord_server
    await d.command("club posts", {"every": "off"})
    for name, metric in (("Dec Miles", "distance"), ("Dec Sleep", "sleep")):
        options = {"name": name, "metric": metric, "start": "2026-12-01", "end": "2026-12-31"}
        await d.command("challenge create", options)
    assert await d.posts_at(utc(2026, 12, 1, 8)) == []
    [post] = await d.posts_at(utc(2026, 12, 1, 9))
    assert post["content"].count("Starting today! 🏁") == 2
    assert buttons(post) == {
        "🏃 Join Dec Miles": "pacer:/challenge join #1",
        "🏃 Join Dec Sleep": "pacer:/challenge join #2",
    }
    joined = await d.press("🏃 Join Dec Sleep", on=post, user=BOB)
    assert joined["content"] == "Bob is in Dec Sleep!"
    assert await d.posts_at(utc(2026, 12, 2, 9)) == []  # announced once
