"""One post per club and post time, club units, /help for club commands, /challenge end asks."""

from __future__ import annotations

from tests.clubs.conftest import GroupPosts, club_chat, sweep_at, utc
from tests.fakes import Harness


async def test_one_combined_post_per_post_time_and_none_when_nothing_moved(
    harness: Harness,
) -> None:
    posts = GroupPosts("telegram")
    harness.core.messengers["telegram"] = posts
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/club posts daily 18:00")
    for name, metric in (("Miles", "distance"), ("Sleepers", "sleep"), ("Empty One", "runs")):
        await admin.say(f"/challenge create {name} {metric} today 7d")
    for extra in range(5):  # more challenges nobody joins: no section each
        await admin.say(f"/challenge create Quiet {extra} days today 7d")
    await admin.say("/challenge join Miles")
    await club_chat(harness, "bob").say("/challenge join Sleepers")
    await harness.chat("ann", "telegram").say("/log 6k 30:00")
    [post] = await sweep_at(harness, utc(2026, 11, 26, 18, 0), posts)
    sections = post.split("\n\n")
    assert [s.splitlines()[0] for s in sections] == [
        "🏆 Miles · distance · 7 days left",
        "🏆 Sleepers · nights of 7 h or more · 7 days left",
    ]
    assert "Nobody has joined yet" not in post
    # Nothing moved since: the next post time sends nothing.
    assert await sweep_at(harness, utc(2026, 11, 27, 18, 0), posts) == []
    # One board moved: only its section comes.
    await harness.chat("bob", "telegram").say("/slept 8")
    [post] = await sweep_at(harness, utc(2026, 11, 28, 18, 0), posts)
    assert post.startswith("🏆 Sleepers") and "Miles" not in post
    # The last-day reminders of one morning: one message, none for the empty challenges.
    [last] = await sweep_at(harness, utc(2026, 12, 2, 9, 0), posts)
    heads = [s.splitlines()[0] for s in last.split("\n\n") if s.startswith("⏰")]
    assert [h.split("!")[0] for h in heads] == ["⏰ Last day of Miles", "⏰ Last day of Sleepers"]
    assert "Quiet" not in last and "Empty One" not in last


async def test_start_posts_of_one_morning_are_one_message_with_a_join_each(
    harness: Harness,
) -> None:
    posts = GroupPosts("telegram")
    harness.core.messengers["telegram"] = posts
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/club posts off")
    await admin.say("/challenge create Dec Miles distance 2026-12-01 2026-12-31")
    await admin.say("/challenge create Dec Sleep sleep 2026-12-01 2026-12-31")
    [post] = await sweep_at(harness, utc(2026, 12, 1, 9, 0), posts)
    assert post.count("Starting today! 🏁") == 2
    labels = [b.label for b in posts.posts[-1][1].all_buttons]
    assert labels == ["🏃 Join Dec Miles", "🏃 Join Dec Sleep"]


async def test_club_units_for_posts_and_the_create_reply_readers_keep_theirs(
    harness: Harness,
) -> None:
    posts = GroupPosts("telegram")
    harness.core.messengers["telegram"] = posts
    admin = club_chat(harness, "ann", admin=True)
    assert (
        "Only admins can use /club units here."
        in (await club_chat(harness, "bob").say("/club units mi")).text
    )
    assert "Club posts use mi from now on." in (await admin.say("/club units mi")).text
    assert "Units of posts: mi" in (await admin.say("/club")).text
    await admin.say("/club posts daily 18:00")
    created = await admin.say("/challenge create Fifty distance today 7d target 50")
    assert "target 50.00 mi each" in created.text  # a bare target is read in the club's units
    assert "You started it: join too?" in created.text
    assert (await admin.press("Join")).text.startswith("Ann is in Fifty!")
    await harness.chat("ann", "telegram").say("/log 10k 50:00")  # Ann reads km
    [post] = await sweep_at(harness, utc(2026, 11, 26, 18, 0), posts)
    assert "1. Ann 6.21 mi" in post
    board = (await admin.say("/challenge board")).text
    assert "1. Ann (you) 10.00 km" in board  # her own units on the board she asks for
    logged = await harness.chat("ann", "telegram").say("/log 5k 25:00")
    assert "Fifty: 15.00/80.47 km, 1st of 1" in logged.text


async def test_help_knows_the_club_commands(harness: Harness) -> None:
    chat = harness.chat("ann", "telegram")
    challenge = (await chat.say("/help challenge")).text
    assert challenge.startswith("/challenge: the club's challenges")
    for sub in ("create", "join", "leave", "list", "board", "end"):
        assert f"/challenge {sub}" in challenge
    assert "Examples: /challenge create Winter Miles distance today 4w target 100km" in challenge
    create = (await chat.say("/help challenge create")).text
    assert create.startswith("/challenge create: Start a club challenge")
    assert "Usage: /challenge create <name> <metric> <start> <end>" in create
    club = (await chat.say("/help club")).text
    for sub in ("show", "timezone", "posts", "units", "feed", "channel"):
        assert f"/club {sub}" in club
    assert "/club units mi" in club
    assert "/challenge list|create|join|leave|board|end" in (await chat.say("/help")).text
    assert "There's no /challenge fly." in (await chat.say("/help challenge fly")).text


async def test_challenge_end_asks_then_keeps_the_planned_end_and_invites_nobody(
    harness: Harness,
) -> None:
    posts = GroupPosts("telegram")
    harness.core.messengers["telegram"] = posts
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Nobody Came distance today 4w")
    asked = await admin.say("/challenge end Nobody Came")
    assert asked.text.startswith("End Nobody Came now?")
    assert "the planned end (Wed 23 Dec 2026)" in asked.text
    kept = await admin.press("Keep it going")
    assert kept.text == "Nobody Came goes on until Wed 23 Dec 2026."
    question = await admin.say("/challenge end Nobody Came")
    ended = (await admin.press("End it now")).text
    assert "Thu 26 Nov – Thu 26 Nov 2026 (ended early; planned until Wed 23 Dec 2026)" in ended
    assert "Nobody took part." in ended and "/challenge join" not in ended
    admin.replies.append(question)  # its button pressed a second time
    assert (await admin.press("End it now")).text.startswith("Nobody Came is already over.")
    board = (await admin.say("/challenge board Nobody Came")).text
    assert "planned until Wed 23 Dec 2026" in board and "join" not in board.lower()
    listing = (await admin.say("/challenge list")).text
    assert "Nobody Came" in listing and "join" not in listing.lower()
    assert await sweep_at(harness, utc(2026, 11, 28, 0, 0), posts) == []  # the reply said it


async def test_a_board_says_which_day_boundary_it_uses_when_zones_differ(
    harness: Harness,
) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/club timezone Europe/Berlin")
    await admin.say("/challenge create Zones runs today 7d")
    await admin.say("/challenge join Zones")
    board = (await admin.say("/challenge board")).text
    assert "(yours: UTC)" in board  # Ann is still on UTC: differs from Berlin
    await harness.chat("ann", "telegram").say("/settings timezone Europe/Berlin")
    assert "Days:" not in (await admin.say("/challenge board")).text
    await harness.chat("ann", "telegram").say("/settings timezone America/New_York")
    board = (await admin.say("/challenge board")).text
    assert board.endswith(
        "Days: each run counts on its runner's own date (yours: America/New_York); posts "
        "and the final freeze follow the club's zone, Europe/Berlin."
    )


async def test_a_club_command_left_without_its_value_says_what_it_needs(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    for typed, said in (
        ("/club posts", "/club posts needs how often."),
        ("/club units", "/club units needs units."),
        ("/club feed", "/club feed needs on or off."),
    ):
        assert (await admin.say(typed)).text.splitlines()[0] == said, typed
