"""The climb, longest, fastest and streak challenges, club units and the one combined club
post, through the Telegram adapter and the real core (both backends): what the Bot API shows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.telegram.club import BOB_ID, CY_ID, TelegramGroup, buttons, press
from tests.telegram.updates import GROUP_ID, RUNNER_ID, feed, payload

RUN_FILE = Path(__file__).resolve().parent.parent / "data" / "runfiles" / "run.tcx"


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


async def test_climb_board_ties_a_hidden_runner_and_the_end_confirmed_by_a_tap(
    telegram_group: TelegramGroup,
) -> None:
    g = telegram_group
    created = await g.say("/challenge create Hill Month climb today 4w target 1000m")
    assert created.chat_id == GROUP_ID
    assert created.text.startswith(
        "🏁 Hill Month: elevation gain, Thu 26 Nov – Wed 23 Dec 2026, target 1000 m each."
    )
    # The Join under the create reply is for everyone in the group, not only its creator.
    assert buttons(created) == {"🏃 Join Hill Month": "/challenge join #1"}
    for user, name in ((RUNNER_ID, "Ada"), (BOB_ID, "Bob"), (CY_ID, "Cy")):
        joined = await g.press("🏃 Join Hill Month", on=created, user=user)
        assert joined.text == f"{name} is in Hill Month!"  # the group sees who joined
    week = await g.say("/log 10k 55:00 climb 250m hilly")
    logged = g.request.calls_to("sendMessage")[-2]
    assert logged.chat_id == GROUP_ID and "hilly" not in logged.text
    # Her week counts runs logged anywhere: hers alone, silently in her private chat.
    assert "This week" not in logged.text
    assert (week.chat_id, week.text) == (
        RUNNER_ID,
        "This week: 10.00 km over 1 run · run streak: 1 week",
    )
    assert week.params["disable_notification"] is True
    assert "\nClimb: 250 m.\n" in logged.text and "Hill Month: 250/1000 m, 1st of 3" in logged.text
    await g.say("/log 8k 44:00 climb 250", user=BOB_ID, group=False)
    await g.say("/settings boards hidden", user=CY_ID, group=False)
    await g.say("/log 5k 25:00 climb 100m", user=CY_ID, group=False)
    board = await g.say("/challenge board Hill Month", user=BOB_ID)
    assert board.chat_id == GROUP_ID
    # Level with Ada, Bob comes second: she got there first. Cy is hidden.
    assert board.text.splitlines()[2:6] == [
        "1. Ada 250 m ▓▓░░░░░░░░ 25%",
        "1. Bob (you) 250 m ▓▓░░░░░░░░ 25%",
        "3. a runner 100 m ▓░░░░░░░░░ 10%",
        "3 members",
    ]
    asked = await g.say("/challenge end Hill Month")
    assert asked.text.startswith("End Hill Month now?")
    confirm = buttons(asked)["🏁 End it now"]
    # Bob cannot end it with Ada's button; Ada, an admin, can with one tap.
    await g.press("🏁 End it now", on=asked, user=BOB_ID)
    assert g.alerts()[-1].startswith("That button is for Ada")
    ended = await g.press("🏁 End it now", on=asked)
    assert confirm.endswith("/challenge end #1 confirm")
    assert len(g.request.calls_to("getChatMember")) == 1  # her admin answer is cached
    assert ended.chat_id == GROUP_ID
    assert ended.text.splitlines()[:6] == [
        "Ada ended Hill Month: it is over.",
        "🏁 Hill Month · final results · elevation gain",
        "Thu 26 Nov – Thu 26 Nov 2026 (ended early; planned until Wed 23 Dec 2026)",
        "1. Ada (you) 250 m ▓▓░░░░░░░░ 25%",
        "1. Bob 250 m ▓▓░░░░░░░░ 25%",
        "3. a runner 100 m ▓░░░░░░░░░ 10%",
    ]
    await g.say("/log 5k 25:00 climb 900m", user=CY_ID, group=False)  # too late: frozen
    final = await g.say("/challenge board Hill Month", user=CY_ID)
    # Hidden: the group reads the board under Cy's own command, so no row says "(you)".
    assert "3. a runner 100 m" in final.text and "(you)" not in final.text
    assert "join" not in final.text.lower()
    assert await g.posts_at(utc(2026, 11, 27, 9)) == []  # the confirmation said it all


async def test_an_admin_demoted_before_the_tap_cannot_end_the_challenge(
    telegram_group: TelegramGroup,
) -> None:
    g = telegram_group
    await g.say("/challenge create Quick runs today 7d")
    asked = await g.say("/challenge end Quick")
    await feed(g.tg, payload("chat_member_demoted", update_id=969999))  # Telegram tells us
    await g.press("🏁 End it now", on=asked)
    refusal = g.request.calls_to("sendMessage")[-2]
    assert refusal.chat_id == RUNNER_ID
    assert refusal.text.startswith("Only admins can use /challenge end here.")
    assert "final results" not in (await g.say("/challenge board Quick")).text
    assert len(g.request.calls_to("getChatMember")) == 1  # the demotion came from Telegram


async def test_longest_fastest_and_streak_boards_then_the_final_post(
    telegram_group: TelegramGroup,
) -> None:
    g = telegram_group
    assert "every day at 18:00" in (await g.say("/club posts daily 18:00")).text
    long = await g.say("/challenge create Long Haul longest today 7d")
    fast = await g.say("/challenge create Fast Five fastest 5k today 7d target 25:00")
    streak = await g.say("/challenge create Daily streak min 1.6km today 7d")
    assert "most days in a row with a run of 1.60 km or more" in streak.text
    await g.say("/challenge create Nobody runs today 7d")  # nobody joins: no section
    for user in (RUNNER_ID, BOB_ID, CY_ID):
        await g.press("🏃 Join Long Haul", on=long, user=user)
        await g.press("🏃 Join Fast Five", on=fast, user=user)
    for user in (RUNNER_ID, BOB_ID):
        await g.press("🏃 Join Daily", on=streak, user=user)
    await g.say("/log 5k 26:00 2026-11-25", group=False)  # before the window: not counted
    ada = await g.say("/log 5k 26:00", group=False)
    assert ada.chat_id == RUNNER_ID
    assert ada.text.splitlines()[3:6] == [
        "Long Haul: 5.00 km, 1st of 3",
        "Fast Five: 26:00 (target 25:00), 1st of 3",
        "Daily: 1 day, 1st of 2",
    ]
    await g.say("/log 5k 24:00", user=BOB_ID, group=False)
    await g.say("/log 10k 50:00", user=CY_ID, group=False)  # a typed 10k holds no 5 km time
    [post] = await g.posts_at(utc(2026, 11, 26, 18))
    sections = [s.splitlines() for s in post.text.split("\n\n")]
    assert [s[0] for s in sections] == [
        "🏆 Long Haul · longest run · 7 days left",
        "🏆 Fast Five · fastest 5 km · 7 days left",
        "🏆 Daily · most days in a row with a run of 1.60 km or more · 7 days left",
    ]
    assert sections[0][2:5] == ["1. Cy 10.00 km", "2. Ada 5.00 km", "2. Bob 5.00 km"]
    assert sections[1][2:5] == ["1. Bob 24:00 ✓", "2. Ada 26:00", "3. Cy no time yet"]
    assert sections[2][2:4] == ["1. Ada 1 day", "1. Bob 1 day"]
    assert "Nobody" not in post.text and "reply_markup" not in post.params
    assert await g.posts_at(utc(2026, 11, 27, 18)) == []  # nothing moved: nothing sent
    await g.say("/log 2k 12:00", user=BOB_ID, group=False)  # Fri 27: Bob's second day
    [post] = await g.posts_at(utc(2026, 11, 28, 18))
    assert post.text.startswith("🏆 Daily") and "1. Bob 2 days" in post.text
    assert "Long Haul" not in post.text
    [final] = await g.posts_at(utc(2026, 12, 4, 0))
    assert final.chat_id == GROUP_ID
    assert "🏁 Long Haul is over!\nWinners: 🥇 Cy 10.00 km, 🥈 Ada 5.00 km, 🥈 Bob 5.00 km" in (
        final.text
    )
    assert "🏁 Fast Five is over!\nWinners: 🥇 Bob 24:00, 🥈 Ada 26:00" in final.text
    assert "1 of 3 reached the target of 25:00." in final.text
    assert "🏁 Daily is over!\nWinners: 🥇 Bob 2 days, 🥈 Ada 1 day" in final.text
    assert "join" not in final.text.lower() and "reply_markup" not in final.params


async def test_club_units_for_posts_while_a_km_member_reads_km(
    telegram_group: TelegramGroup,
) -> None:
    g = telegram_group
    refused = await g.say("/club units mi", user=BOB_ID)
    assert refused.text == "Bob, I sent you the answer in a private message."
    assert (await g.say("/club units mi")).text.startswith("Club posts use mi from now on.")
    await g.say("/club posts daily 18:00")
    created = await g.say("/challenge create Fifty distance today 7d target 50")
    assert "target 50.00 mi each" in created.text
    await g.press("🏃 Join Fifty", on=created)
    await g.say("/log 10k 50:00", group=False)  # Ada reads km
    [post] = await g.posts_at(utc(2026, 11, 26, 18))
    assert "1. Ada 6.21 mi" in post.text
    board = await g.say("/challenge board Fifty")
    assert "1. Ada (you) 10.00 km" in board.text
    logged = await g.say("/log 5k 25:00", group=False)
    assert "Fifty: 15.00/80.47 km, 1st of 1" in logged.text


async def test_a_run_file_sent_in_chat_counts_its_climb_and_its_fastest_5k(
    telegram_group: TelegramGroup,
) -> None:
    """run.tcx (Sat 15 Aug 2015, Denver): a 9 km run whose track holds a 5 km in 21:44."""
    g = telegram_group
    g.harness.clock.set(datetime(2015, 8, 15, 20, 0, tzinfo=UTC))
    climb = await g.say("/challenge create Track Climb climb today 7d")
    fast = await g.say("/challenge create Track Five fastest 5k today 7d")
    for created, label in ((climb, "🏃 Join Track Climb"), (fast, "🏃 Join Track Five")):
        await g.press(label, on=created, user=CY_ID)
    await g.say("/settings timezone America/Denver", user=CY_ID, group=False)
    logged = await g.send_file("run.tcx", RUN_FILE.read_bytes(), user=CY_ID)
    assert logged.chat_id == CY_ID and logged.text.startswith("Logged #1")
    [run] = await g.harness.runs(g.harness.chat(str(CY_ID), "telegram"))
    async with g.harness.db.reader() as uow:
        facts = await uow.tracks.facts(run.id)
    assert facts is not None and facts.elevation_gain_m
    metres = round(facts.elevation_gain_m)
    assert f"Track Climb: {metres} m, 1st of 1" in logged.text
    assert "Track Five: 21:44, 1st of 1" in logged.text
    board = await g.say("/challenge board Track Climb")
    assert board.text.splitlines()[2] == f"1. Cy {metres} m"
    # In the group a file is logged when captioned /log; its reply there is public.
    await g.press("🏃 Join Track Climb", on=climb, user=BOB_ID)
    week = await g.send_file("run.tcx", RUN_FILE.read_bytes(), user=BOB_ID, caption="/log")
    assert (week.chat_id, week.text) == (
        BOB_ID,
        "This week: 9.01 km over 1 run · run streak: 1 week",
    )
    again = g.request.calls_to("sendMessage")[-2]
    assert again.chat_id == GROUP_ID
    assert f"From the TCX file's points: climb {metres} m" in again.text
    assert f"Track Climb: {metres} m, 1st of 2" in again.text
    board = await g.say("/challenge board Track Climb")
    assert board.text.splitlines()[2:4] == [f"1. Cy {metres} m", f"1. Bob {metres} m"]


async def test_challenges_starting_the_same_morning_are_one_post_with_a_join_each(
    telegram_group: TelegramGroup,
) -> None:
    g = telegram_group
    await g.say("/club posts off")
    await g.say("/challenge create Miles & Smiles distance 2026-12-01 2026-12-31")
    await g.say("/challenge create Dec <Sleep> sleep 2026-12-01 2026-12-31")
    assert await g.posts_at(utc(2026, 12, 1, 8)) == []
    [post] = await g.posts_at(utc(2026, 12, 1, 9))
    assert post.params["parse_mode"] == "HTML"
    assert post.text.count("Starting today! 🏁") == 2
    assert "Miles &amp; Smiles" in post.text and "Dec &lt;Sleep&gt;" in post.text  # escaped
    joins = buttons(post)
    assert list(joins) == ["🏃 Join Miles & Smiles", "🏃 Join Dec <Sleep>"]
    await press(g.tg, joins["🏃 Join Dec <Sleep>"], user=BOB_ID)
    assert g.request.calls_to("sendMessage")[-1].text == "Bob is in Dec &lt;Sleep&gt;!"
    assert await g.posts_at(utc(2026, 12, 2, 9)) == []  # announced once
