"""Club challenges through the core's fake chat: create, join, board, standings, rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.storage.tables import challenge_results
from tests.clubs.conftest import club_chat
from tests.fakes import Harness


async def test_the_three_create_examples_work_as_typed(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    reply = await admin.say("/challenge create Winter Miles distance today 4w target 100km")
    assert reply.text.startswith("🏁 Winter Miles: distance, Thu 26 Nov – Wed 23 Dec 2026")
    assert "target 100.00 km each" in reply.text
    assert reply.all_buttons[0].label.startswith("🏃 Join")
    reply = await admin.say(
        "/challenge create Club Marathon distance 2026-12-01 2026-12-31 target 500km team"
    )
    assert "Club Marathon: distance, Tue 01 Dec – Thu 31 Dec 2026, team goal 500.00 km" in (
        reply.text
    )
    reply = await admin.say("/challenge create Sleep Week sleep tomorrow 7d")
    assert "Sleep Week: nights of 7 h or more, Fri 27 Nov – Thu 03 Dec 2026" in reply.text
    listing = await admin.say("/challenge list")
    assert "Winter Miles: distance" in listing.text and "28 days left" in listing.text
    assert "Club Marathon" in listing.text and "starts in 5 days" in listing.text


async def test_runs_logged_in_dms_on_both_platforms_show_on_the_group_board(
    harness: Harness,
) -> None:
    ann = club_chat(harness, "ann", admin=True)
    await ann.say("/challenge create Winter Miles distance today 4w target 100km")
    bob = club_chat(harness, "bob")
    cy_tg = club_chat(harness, "cy")
    for member, name in ((ann, "Ann"), (bob, "Bob"), (cy_tg, "Cy")):
        joined = (await member.say("/challenge join Winter Miles")).text
        assert joined.startswith(f"{name} is in Winter Miles!")
    # Cy also talks to Pacer on Discord; the accounts are linked, so both logs count.
    cy_dm = harness.chat("cy", "telegram")
    code = (await cy_dm.say("/link")).text.split("/link ")[1].split()[0]
    cy_discord = harness.chat("cy-d", "discord")
    await cy_discord.say(f"/link {code}")
    await harness.chat("ann", "telegram").say("/log 10k 50:00")
    await harness.chat("bob", "telegram").say("/log 5k 25:00")
    await cy_dm.say("/log 3k 18:00")
    logged = await cy_discord.say("/log 4k 22:00")
    assert "Winter Miles: 7.00/100.00 km, 2nd of 3" in logged.text
    board = await bob.say("/challenge board")
    lines = board.text.splitlines()
    assert lines[0] == "🏆 Winter Miles · distance · 28 days left"
    assert lines[2].startswith("1. Ann 10.00 km ▓░░░░░░░░░ 10%")
    assert lines[3].startswith("2. Cy 7.00 km")
    assert lines[4].startswith("3. Bob (you) 5.00 km")


async def test_ties_share_a_rank_and_whoever_got_there_first_leads(harness: Harness) -> None:
    ann = club_chat(harness, "ann", admin=True)
    await ann.say("/challenge create Run Count runs today 7d")
    names = ["ann", "bob", "cy", "dee"]
    for name in names:
        await club_chat(harness, name).say("/challenge join Run Count")
    await harness.chat("cy", "telegram").say("/log 5k 25:00")
    harness.clock.advance(minutes=5)
    await harness.chat("bob", "telegram").say("/log 5k 25:00")
    harness.clock.advance(minutes=5)
    await harness.chat("ann", "telegram").say("/log 5k 25:00")
    await harness.chat("ann", "telegram").say("/log 5k 25:30")
    board = (await ann.say("/challenge board Run Count")).text.splitlines()
    assert board[2:6] == [
        "1. Ann (you) 2 runs",
        "2. Cy 1 run",
        "2. Bob 1 run",
        "4. Dee 0 runs",
    ]


async def test_every_bad_create_is_refused_specifically_and_stores_nothing(
    harness: Harness,
) -> None:
    admin = club_chat(harness, "ann", admin=True)
    cases = {
        "/challenge create Winter Miles distanse today 4w": "Did you mean distance?",
        "/challenge create Winter Miles distance 2026-12-10 2026-12-01": "is before the start",
        "/challenge create Long distance today 2026-01-01": "before the start",
        "/challenge create Long distance today 400d": "a year at most",
        "/challenge create Far distance 2028-01-01 7d": "at most a year ahead",
        "/challenge create " + "x" * 41 + " distance today 7d": "up to 40 characters",
        "/challenge create Zero distance today 7d target 0km": "more than zero",
        "/challenge create Neg distance today 7d target -5km": "more than zero",
        "/challenge create Huge distance today 7d target 5000km": "more than one runner",
        "/challenge create Team distance today 7d team": "needs a target",
    }
    for line, expected in cases.items():
        reply = await admin.say(line)
        assert expected in reply.text, (line, reply.text)
    assert "No challenges here yet" in (await admin.say("/challenge list")).text
    await admin.say("/challenge create Winter Miles distance today 4w")
    reply = await admin.say("/challenge create winter miles runs today 7d")
    assert "already has an active challenge called 'winter miles'" in reply.text
    for i in range(9):
        await admin.say(f"/challenge create C{i} runs today 7d")
    reply = await admin.say("/challenge create Eleventh runs today 7d")
    assert "10 challenges at once" in reply.text


async def test_joining_leaving_and_names_that_match_nothing(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Winter Miles distance today 4w")
    bob = club_chat(harness, "bob")
    assert "Bob is in Winter Miles!" in (await bob.say("/challenge join winter miles")).text
    assert "already in Winter Miles" in (await bob.say("/challenge join Winter Miles")).text
    reply = await bob.say("/challenge join Winter Mile")
    assert "Did you mean Winter Miles?" in reply.text
    left = await bob.say("/challenge leave Winter Miles")
    assert left.text == "Bob left Winter Miles." and not left.private  # the group reads who
    assert "not in Winter Miles" in (await bob.say("/challenge leave Winter Miles")).text
    reply = await harness.chat("bob", "telegram").say("/challenge join Winter Miles")
    assert "works in a group or server channel" in reply.text


async def test_the_group_reads_who_joined_and_a_hidden_runner_stays_a_runner(
    harness: Harness,
) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Winter Miles distance today 4w")
    assert (await club_chat(harness, "bob").say("/challenge join Winter Miles")).text == (
        "Bob is in Winter Miles!"
    )
    await harness.chat("cy", "telegram").say("/settings boards hidden")
    joined = await club_chat(harness, "cy").say("/challenge join Winter Miles")
    assert joined.text == "A runner is in Winter Miles!" and not joined.private
    left = await club_chat(harness, "cy").say("/challenge leave Winter Miles")
    assert left.text == "A runner left Winter Miles." and not left.private


async def test_a_run_logged_in_a_group_shows_only_that_clubs_standings(
    harness: Harness,
) -> None:
    await club_chat(harness, "ann", admin=True).say("/challenge create Winter Miles runs today 4w")
    other = club_chat(harness, "ann", admin=True, group="group-2")
    await other.say("/challenge create Secret Streak runs today 4w")
    bob, bob_elsewhere = club_chat(harness, "bob"), club_chat(harness, "bob", group="group-2")
    await bob.say("/challenge join Winter Miles")
    await bob_elsewhere.say("/challenge join Secret Streak")
    in_group = (await bob.say("/log 5k 25:00")).text
    assert "Winter Miles: 1 run, 1st of 1" in in_group and "Secret Streak" not in in_group
    in_private = (await harness.chat("bob", "telegram").say("/log 6k 30:00")).text
    assert "Winter Miles: 2 runs, 1st of 1" in in_private
    assert "Secret Streak: 2 runs, 1st of 1" in in_private
    # Hidden on boards: the group would read the place under Bob's own /log; it is left out.
    await harness.chat("bob", "telegram").say("/settings boards hidden")
    hidden = (await bob.say("/log 7k 35:00")).text
    assert hidden.startswith("A runner logged #3") and "Winter Miles" not in hidden
    alone = (await harness.chat("bob", "telegram").say("/log 8k 40:00")).text
    assert "Winter Miles: 4 runs, 1st of 1" in alone  # in private, still there


async def test_a_hidden_runners_board_in_the_group_does_not_point_at_them(
    harness: Harness,
) -> None:
    await club_chat(harness, "ann", admin=True).say(
        "/challenge create Winter Miles distance today 4w"
    )
    bob = club_chat(harness, "bob")
    await bob.say("/challenge join Winter Miles")
    await harness.chat("bob", "telegram").say("/settings timezone Europe/Berlin")
    await harness.chat("bob", "telegram").say("/log 5k 25:00")
    shown = (await bob.say("/challenge board")).text
    assert "1. Bob (you) 5.00 km" in shown and "(yours: Europe/Berlin)" in shown
    await harness.chat("bob", "telegram").say("/settings boards hidden")
    hidden = (await bob.say("/challenge board")).text.splitlines()
    assert hidden[2].startswith("1. a runner 5.00 km")  # the group can't tell it is Bob's
    assert "(you)" not in "\n".join(hidden) and not any("yours:" in line for line in hidden)


async def test_non_admins_are_told_why(harness: Harness) -> None:
    bob = club_chat(harness, "bob")
    reply = await bob.say("/challenge create Winter Miles distance today 4w")
    assert "Only admins can use /challenge create here." in reply.text
    assert "group's administrators" in reply.text
    dis = club_chat(harness, "dee", "discord", server="guild-9")
    reply = await dis.say("/club timezone Europe/Berlin")
    assert "Manage Server" in reply.text
    assert "No challenges here yet" in (await bob.say("/challenge list")).text


async def test_late_joiners_get_their_window_runs_counted(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Winter Miles distance today 4w")
    await harness.chat("bob", "telegram").say("/log 8k 40:00")
    harness.clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    reply = await club_chat(harness, "bob").say("/challenge join Winter Miles")
    assert reply.text == (
        "Bob is in Winter Miles! Joined late: what they logged since Thu 26 Nov counts too "
        "(8.00 km so far)."
    )
    # Hidden on boards: the group is not told how far they got (a typed join shows whose).
    await harness.chat("cy", "telegram").say("/settings boards hidden")
    await harness.chat("cy", "telegram").say("/log 6k 30:00")
    reply = await club_chat(harness, "cy").say("/challenge join Winter Miles")
    assert reply.text == (
        "A runner is in Winter Miles! Joined late: what they logged since Thu 26 Nov counts too."
    )


async def test_boards_hidden_shows_a_runner(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Sleep Week sleep today 7d")
    await club_chat(harness, "bob").say("/challenge join Sleep Week")
    await admin.say("/challenge join Sleep Week")
    bob_dm = harness.chat("bob", "telegram")
    await bob_dm.say("/slept 8")
    await harness.chat("ann", "telegram").say("/slept 6")
    hidden = await bob_dm.say("/settings boards hidden")
    assert "Club boards show you as 'a runner' from now on" in hidden.text
    board = (await admin.say("/challenge board")).text
    assert "1. a runner 1 night" in board
    assert "Bob" not in board and "8 h" not in board
    await bob_dm.say("/settings boards shown")
    assert "1. Bob 1 night" in (await admin.say("/challenge board")).text


async def test_final_results_show_hidden_runners_as_a_runner_like_live_boards(
    harness: Harness,
) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Winter Week distance today 7d")
    await club_chat(harness, "bob").say("/challenge join Winter Week")
    await club_chat(harness, "cat").say("/challenge join Winter Week")
    await harness.chat("bob", "telegram").say("/log 10k 50:00")
    await harness.chat("cat", "telegram").say("/log 5k 25:00")
    await harness.chat("cat", "telegram").say("/settings boards hidden")
    harness.clock.set(datetime(2026, 12, 4, 12, 0, tzinfo=UTC))  # frozen since 4 Dec 00:00
    final = (await admin.say("/challenge board Winter Week")).text
    assert "final results" in final and "1. Bob 10.00 km" in final
    assert "2. a runner 5.00 km" in final and "Cat" not in final
    # Hidden after the end: the results follow the runner's choice too.
    await harness.chat("bob", "telegram").say("/settings boards hidden")
    await harness.chat("cat", "telegram").say("/settings boards shown")
    final = (await admin.say("/challenge board Winter Week")).text
    assert "1. a runner 10.00 km" in final and "Bob" not in final
    assert "2. Cat 5.00 km" in final


async def test_the_viewer_sees_their_own_row_outside_the_top_ten(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Big Club runs today 7d")
    for i in range(12):
        name = f"r{i:02d}"
        await club_chat(harness, name).say("/challenge join Big Club")
        for k in range(12 - i):
            await harness.chat(name, "telegram").say(f"/log 5k 25:{k:02d}")
    last = club_chat(harness, "r11")
    lines = (await last.say("/challenge board")).text.splitlines()
    assert lines[2] == "1. R00 12 runs"
    assert lines[11] == "10. R09 3 runs"
    assert lines[12:] == ["…", "12. R11 (you) 1 run", "12 members"]


async def test_ending_early_shows_results_and_leavers_keep_their_frozen_row(
    harness: Harness,
) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Winter Miles distance today 4w")
    bob = club_chat(harness, "bob")
    await bob.say("/challenge join Winter Miles")
    await harness.chat("bob", "telegram").say("/log 5k 25:00")
    assert (
        "Only admins can use /challenge end here."
        in (await bob.say("/challenge end Winter Miles")).text
    )
    asked = await admin.say("/challenge end Winter Miles")
    assert asked.text.startswith("End Winter Miles now?")
    ended = await admin.press("End it now")
    # The group reads the tap's answer with nobody shown pressing: it says who ended it.
    assert ended.text.startswith("Ann ended Winter Miles: it is over.\n🏁 Winter Miles · final")
    assert "1. Bob 5.00 km" in ended.text
    # Frozen: leaving or logging changes nothing; the runner keeps their row.
    assert (
        "No active challenge here is called"
        in (await bob.say("/challenge leave Winter Miles")).text
    )
    await harness.chat("bob", "telegram").say("/log 10k 50:00")
    board = (await bob.say("/challenge board Winter Miles")).text
    assert "1. Bob (you) 5.00 km" in board
    # A runner who is forgotten shows as "former member" (what /forget leaves behind).
    async with harness.db.uow() as uow:
        await uow.activity.conn.execute(
            challenge_results.update().values(user_id=None, display_name=None)
        )
        await uow.commit()
    assert "1. former member 5.00 km" in (await admin.say("/challenge board Winter Miles")).text


async def test_a_mistyped_subcommand_gets_the_closest_one(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    reply = await admin.say("/challenge creat Winter Miles distance today 4w")
    assert "Did you mean /challenge create?" in reply.text
    assert (await admin.say("/club")).text.startswith("Club: Run Club\nTime zone: UTC")


async def test_linking_keeps_the_challenges_of_the_account_that_moves_over(
    harness: Harness,
) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Winter Miles distance today 4w")
    await club_chat(harness, "dee").say("/challenge join Winter Miles")
    await harness.chat("dee", "telegram").say("/log 6k 30:00")
    # The Discord account makes the code: the Telegram account's data moves over to it.
    discord_dm = harness.chat("dee-d", "discord")
    code = (await discord_dm.say("/link")).text.split("/link ")[1].split()[0]
    await harness.chat("dee", "telegram").say(f"/link {code}")
    logged = await discord_dm.say("/log 4k 20:00")
    assert "Winter Miles: 10.00 km, 1st of 1" in logged.text
    assert "1. Dee-d 10.00 km" in (await admin.say("/challenge board")).text


async def test_time_and_habit_metrics_count_in_their_own_terms(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Time On Feet time today 7d target 5h")
    await admin.say("/challenge create Hips mobility today 7d")
    await admin.say("/challenge join Time On Feet")
    await admin.say("/challenge join Hips")
    dm = harness.chat("ann", "telegram")
    logged = await dm.say("/log 10k 1:15:00")
    assert "Time On Feet: 1.2/5 h, 1st of 1" in logged.text
    assert "Hips" not in logged.text  # /log shows run challenges only
    await dm.say("/mobility pre")
    await dm.say("/mobility post")
    assert "1. Ann (you) 2 sessions" in (await admin.say("/challenge board Hips")).text
    board = (await admin.say("/challenge board Time On Feet")).text
    assert "1. Ann (you) 1 h 15 min ▓▓░░░░░░░░ 25%" in board


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ("boards", "Boards can be hidden or shown; not '"),
        ("feed", "The feed can be on or off; not '"),
    ],
)
async def test_a_runner_switch_quotes_what_was_typed_and_stores_nothing(
    harness: Harness, item: str, says: str
) -> None:
    chat = harness.chat("bob", "telegram")
    typed = "\u202eyes please\x1b[31m " + "x" * 200
    refused = (await chat.say(f"/settings {item} {typed}")).text
    quoted = "yes please " + "x" * 28 + "…"  # cleaned, on one line, 40 characters at most
    assert refused.startswith(f"{says}{quoted}'.\n"), refused
    assert "\u202e" not in refused and "\x1b" not in refused and "x" * 41 not in refused
    user = await harness.user(chat)
    assert (user.boards_hidden, user.feed) == (False, False)
    assert (await chat.say(f"/settings {item} {'hidden' if item == 'boards' else 'on'}")).text
    user = await harness.user(chat)
    assert (user.boards_hidden, user.feed) == ((True, False) if item == "boards" else (False, True))


async def test_an_admin_with_hidden_boards_ends_a_challenge_as_a_runner(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Winter Miles distance today 4w")
    await harness.chat("ann", "telegram").say("/settings boards hidden")
    await admin.say("/challenge end Winter Miles")
    ended = (await admin.press("End it now")).text
    assert ended.startswith("A runner ended Winter Miles: it is over.\n")
    assert "Ann" not in ended and "(you)" not in ended
