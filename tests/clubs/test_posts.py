"""Scheduled club posts (fake clock): start, board, last day, final; late logs; DST; pausing."""

from __future__ import annotations

from tests.clubs.conftest import GroupPosts, club_chat, sweep_at, utc
from tests.fakes import Harness


async def club_with_challenge(harness: Harness) -> GroupPosts:
    posts = GroupPosts("telegram")
    harness.core.messengers["telegram"] = posts
    admin = club_chat(harness, "ann", admin=True)
    assert "every day at 18:00" in (await admin.say("/club posts daily 18:00")).text
    await admin.say("/challenge create Winter Week distance tomorrow 7d target 20km")
    assert (await admin.press("Join")).text.startswith("Ann is in Winter Week")  # asked to
    return posts


async def test_start_board_last_day_and_final_posts_come_on_time(harness: Harness) -> None:
    posts = await club_with_challenge(harness)
    assert await sweep_at(harness, utc(2026, 11, 27, 8, 59), posts) == []
    [start] = await sweep_at(harness, utc(2026, 11, 27, 9, 0), posts)
    assert start.startswith("Starting today! 🏁 Winter Week: distance, Fri 27 Nov – Thu 03 Dec")
    # One tap on the post's Join button joins.
    bob = club_chat(harness, "bob")
    bob.replies.append(posts.posts[-1][1])
    assert (await bob.press("Join")).text.startswith("Bob is in Winter Week!")
    ann = club_chat(harness, "ann", admin=True)
    await ann.say("/challenge join Winter Week")
    await club_chat(harness, "cy").say("/challenge join Winter Week")
    await harness.chat("ann", "telegram").say("/log 12k 1:00:00")
    await harness.chat("bob", "telegram").say("/log 5k 25:00")
    [board] = await sweep_at(harness, utc(2026, 11, 27, 18, 0), posts)
    assert board.splitlines()[0] == "🏆 Winter Week · distance · 7 days left"
    assert "1. Ann 12.00 km ▓▓▓▓▓▓░░░░ 60%" in board
    assert await sweep_at(harness, utc(2026, 11, 27, 18, 5), posts) == []  # posted once
    harness.clock.set(utc(2026, 12, 2, 7, 0))
    await harness.chat("ann", "telegram").say("/log 10k 50:00")
    [last] = await sweep_at(harness, utc(2026, 12, 3, 9, 0), posts)
    assert last.startswith("⏰ Last day of Winter Week! Log today's runs and check-ins")
    assert "late logs count until Sat 05 Dec 00:00 (UTC)" in last
    [board] = await sweep_at(harness, utc(2026, 12, 3, 18, 0), posts)
    assert "last day" in board.splitlines()[0]
    assert await sweep_at(harness, utc(2026, 12, 4, 23, 59), posts) == []
    [final] = await sweep_at(harness, utc(2026, 12, 5, 0, 0), posts)
    lines = final.splitlines()
    assert lines[0] == "🏁 Winter Week is over!"
    assert lines[1] == "Winners: 🥇 Ann 22.00 km, 🥈 Bob 5.00 km"
    assert lines[2] == "1 of 3 reached the target of 20.00 km."


async def test_team_goal_reached_or_not_in_the_final_post(harness: Harness) -> None:
    posts = GroupPosts("telegram")
    harness.core.messengers["telegram"] = posts
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/club posts off")
    await admin.say("/challenge create Team Trot distance today 3d target 20km team")
    await admin.say("/challenge join Team Trot")
    await club_chat(harness, "bob").say("/challenge join Team Trot")
    await harness.chat("ann", "telegram").say("/log 12k 1:00:00")
    logged = await harness.chat("bob", "telegram").say("/log 10k 50:00")
    assert "Team Trot: 10.00 km (team 22.00/20.00), 2nd of 2" in logged.text
    assert "Team: 22.00/20.00 km ▓▓▓▓▓▓▓▓▓▓ 110%" in (await admin.say("/challenge board")).text
    [final] = await sweep_at(harness, utc(2026, 11, 30, 0, 0), posts)
    assert "Team goal 20.00 km: 22.00 km, reached 🎉." in final


async def test_late_logs_count_for_24_hours_then_results_are_frozen(harness: Harness) -> None:
    posts = await club_with_challenge(harness)
    for name in ("ann", "bob"):
        await club_chat(harness, name).say("/challenge join Winter Week")
    ann_dm, bob_dm = harness.chat("ann", "telegram"), harness.chat("bob", "telegram")
    harness.clock.set(utc(2026, 11, 28, 8, 0))
    await ann_dm.say("/log 8k 40:00")
    await bob_dm.say("/log 6k 30:00")
    # The day after the end: a run logged for the last day still counts.
    harness.clock.set(utc(2026, 12, 4, 20, 0))
    late = await bob_dm.say("/log 5k 25:00 2026-12-03")
    assert "Winter Week: 11.00/20.00 km, 1st of 2" in late.text
    # /undo and a backdated /delete move the live board.
    await ann_dm.say("/log 4k 20:00 2026-12-01")
    await ann_dm.say("/undo")
    admin = club_chat(harness, "ann", admin=True)
    board = (await admin.say("/challenge board")).text
    assert "1. Bob 11.00 km" in board and "2. Ann (you) 8.00 km" in board
    await sweep_at(harness, utc(2026, 12, 5, 0, 0), posts)
    # Frozen: a later backdated log, or an undo, changes nothing.
    after = await ann_dm.say("/log 30k 3:00:00 2026-12-02")
    assert "Winter Week" not in after.text
    await bob_dm.say("/undo")
    board = (await admin.say("/challenge board Winter Week")).text
    assert board.splitlines()[0] == "🏁 Winter Week · final results · distance"
    assert "1. Bob 11.00 km" in board and "2. Ann (you) 8.00 km" in board


async def test_a_window_across_daylight_saving_posts_at_the_clubs_local_times(
    harness: Harness,
) -> None:
    posts = GroupPosts("telegram")
    harness.core.messengers["telegram"] = posts
    harness.clock.set(utc(2027, 3, 20, 12, 0))
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/club timezone Europe/Berlin")
    await admin.say("/club posts daily 18:00")
    await admin.say("/challenge create Spring Shift runs 2027-03-26 2027-03-30")
    await admin.say("/challenge join Spring Shift")
    # The runner lives in New York: her local date decides, not the club's.
    await harness.chat("ann", "telegram").say("/settings timezone America/New_York")
    # Before the change: 18:00 in Berlin is 17:00 UTC.
    assert await sweep_at(harness, utc(2027, 3, 27, 16, 59), posts) == []
    [board] = await sweep_at(harness, utc(2027, 3, 27, 17, 0), posts)
    assert "Spring Shift · runs" in board
    # After it (28 March): 18:00 is 16:00 UTC (the board has moved: a member joined).
    await club_chat(harness, "bob").say("/challenge join Spring Shift")
    assert await sweep_at(harness, utc(2027, 3, 29, 15, 59), posts) == []
    [board] = await sweep_at(harness, utc(2027, 3, 29, 16, 0), posts)
    assert "2 days left" in board
    # 23:00 in New York on the last day is 03:00 UTC the next day: it still counts.
    harness.clock.set(utc(2027, 3, 31, 3, 0))
    logged = await harness.chat("ann", "telegram").say("/log 5k 25:00")
    assert "Spring Shift: 1 run, 1st of 2" in logged.text  # counted as the board counts
    # Results freeze 24 h after the last day ends in Berlin: 1 April 00:00 CEST.
    assert await sweep_at(harness, utc(2027, 3, 31, 21, 59), posts) == []
    [final] = await sweep_at(harness, utc(2027, 3, 31, 22, 0), posts)
    assert "Winners: 🥇 Ann 1 run" in final


async def test_a_group_that_removed_the_bot_pauses_the_clubs_posts(harness: Harness) -> None:
    posts = await club_with_challenge(harness)
    posts.refuse.add("group-1")
    assert await sweep_at(harness, utc(2026, 11, 27, 9, 0), posts) == []
    admin = club_chat(harness, "ann", admin=True)
    assert "Posts are paused since 27 Nov 09:00 UTC" in (await admin.say("/club")).text
    posts.refuse.clear()
    assert await sweep_at(harness, utc(2026, 11, 27, 18, 0), posts) == []  # not retried
    assert "Posts resume." in (await admin.say("/club posts daily 18:00")).text
    [board] = await sweep_at(harness, utc(2026, 11, 28, 18, 0), posts)
    assert board.startswith("🏆 Winter Week")


async def test_weekly_board_posts_come_on_the_chosen_day_only(harness: Harness) -> None:
    posts = GroupPosts("telegram")
    harness.core.messengers["telegram"] = posts
    admin = club_chat(harness, "ann", admin=True)
    reply = await admin.say("/club posts weekly sun 18:00")
    assert "every Sunday at 18:00 (UTC)" in reply.text
    await admin.say("/challenge create Core Club strength today 14d")
    await admin.press("Join")
    assert await sweep_at(harness, utc(2026, 11, 28, 18, 0), posts) == []  # a Saturday
    [board] = await sweep_at(harness, utc(2026, 11, 29, 18, 0), posts)
    assert board.startswith("🏆 Core Club · strength sessions · 11 days left")
