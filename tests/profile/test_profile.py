"""Onboarding with /start, /settings, help and unknown commands."""

from __future__ import annotations

import pytest

from tests.fakes import Harness


async def test_start_asks_one_question_at_a_time_with_buttons(harness: Harness) -> None:
    chat = harness.chat()
    first = await chat.say("/start")
    assert "(1/9) Which time zone" in first.text
    assert "Europe/Berlin" in [b.label for b in first.all_buttons]
    units = await chat.press("Europe/Berlin")
    assert "Timezone set to Europe/Berlin." in units.text and "(2/9)" in units.text
    await chat.press("miles")
    await chat.say("tue, thu, sat")
    await chat.say("6:30am")
    await chat.say("23:45")
    await chat.say("skip")
    await chat.say("06:15")
    await chat.say("skip")
    done = await chat.say("skip")
    assert "You're set up" in done.text
    user = await harness.user(chat)
    assert (user.timezone, user.units, user.run_days, user.run_time) == (
        "Europe/Berlin",
        "mi",
        (1, 3, 5),
        "06:30",
    )
    assert (user.bedtime, user.target_bedtime, user.wake_time) == ("23:45", None, "06:15")
    assert user.onboarded_at is not None and user.onboarding_step is None


async def test_a_wrong_answer_repeats_the_question_and_stores_nothing(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/start")
    reply = await chat.say("Mars/Olympus")
    assert "I don't know the time zone 'Mars/Olympus'" in reply.text
    assert "(1/9) Which time zone" in reply.text
    assert (await harness.user(chat)).timezone == "UTC"
    city = await chat.say("denver")
    assert "Timezone set to America/Denver" in city.text


async def test_start_with_options_sets_everything_at_once(harness: Harness) -> None:
    chat = harness.chat(platform="discord")
    reply = await chat.say(
        "",
        command="start",
        options={"timezone": "Asia/Tokyo", "units": "km", "run_days": "weekdays"},
    )
    assert "Timezone set to Asia/Tokyo." in reply.text and "All set" in reply.text
    user = await harness.user(chat)
    assert user.run_days == (0, 1, 2, 3, 4) and user.onboarded_at is not None


async def test_settings_show_and_change(harness: Harness) -> None:
    chat = harness.chat()
    shown = await chat.say("/settings")
    assert "timezone: UTC" in shown.text and "units: km" in shown.text
    changed = await chat.say("/settings timezone America/New_York")
    assert changed.text == "Timezone set to America/New_York."
    await chat.say("/settings run_days mon,wed,sat")
    await chat.say("/settings quiet_hours 22:00-07:00")
    await chat.say("/settings nudges telegram")
    shown = await chat.say("/settings")
    assert "run_days: Mon, Wed, Sat" in shown.text
    assert "quiet_hours: 22:00-07:00" in shown.text
    assert "nudges: telegram" in shown.text


async def test_offset_time_zone_is_accepted_with_a_warning(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/settings timezone UTC+5:30")
    assert "Timezone set to +05:30." in reply.text
    assert "doesn't follow daylight saving" in reply.text
    assert (await harness.user(chat)).timezone == "+05:30"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/settings timezone Europe/Berln", "Did you mean Europe/Berlin"),
        ("/settings units furlongs", "Units are km or mi"),
        ("/settings run_days someday", "I don't know the day 'someday'"),
        ("/settings run_time 25:00", "isn't a time of day"),
        ("/settings quiet_hours 22:00", "can't read '22:00' as quiet hours"),
        ("/settings nudges pigeon", "Nudges can go to"),
        ("/settings colour blue", "/settings knows"),
        ("/settings timezone", "What should timezone be?"),
    ],
)
async def test_bad_settings_change_nothing(harness: Harness, typed: str, says: str) -> None:
    chat = harness.chat()
    before = await harness.user(chat)
    reply = await chat.say(typed)
    assert says in reply.text
    assert await harness.user(chat) == before


async def test_help_lists_commands_and_explains_one(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/help")
    for name in ("/log", "/runs", "/undo", "/slept", "/week", "/settings"):
        assert name in reply.text
    log = await chat.say("/help log")
    assert "Usage: /log <distance> <duration> [when] [note]" in log.text
    assert "Examples: /log 5k 25:00" in log.text
    unknown = await chat.say("/help fly")
    assert "There's no /fly" in unknown.text


async def test_unknown_command_suggests_the_closest(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/lgo 5k 25:00")
    assert "I don't know /lgo. Did you mean /log?" in reply.text
    assert await harness.runs(chat) == []


async def test_plain_text_outside_onboarding_points_to_help(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("hello?")
    assert "/help" in reply.text


async def test_a_returning_blocked_runner_is_told_privately_never_in_the_group(
    harness: Harness,
) -> None:
    group = harness.chat(platform="telegram", private=False)
    await group.say("/help")
    await harness.core.accounts.mark_unreachable("telegram", "ana", harness.clock.now())
    public = await group.say("/log 5k 25:00")
    assert "couldn't send you" not in public.text and "Ana logged #1" in public.text
    # A private reply in the group would go through the very DMs that were refused.
    assert "couldn't send you" not in (await group.say("/week")).text
    back = await harness.chat(platform="telegram").say("/help")
    assert back.text.startswith("Welcome back: I couldn't send you direct messages on telegram")
    assert "nudges had stopped. They're back on now" in back.text
    [identity] = await harness.core.accounts.identities((await harness.user(group)).id)
    assert identity.unreachable_since is None
    assert "Welcome back" not in (await harness.chat(platform="telegram").say("/help")).text


async def test_the_heads_up_about_another_platform_waits_for_a_private_reply(
    harness: Harness,
) -> None:
    telegram = harness.chat("ana-tg", platform="telegram")
    discord = harness.chat("ana-dc", platform="discord")
    code = (await telegram.say("/link")).text.split()[3]
    await discord.say(f"/link {code}")
    await harness.core.mark_unreachable("telegram", "ana-tg", "bot was blocked by the user")
    server = harness.chat("ana-dc", platform="discord", private=False)
    public = await server.say("/log 5k 25:00")
    assert "couldn't send you" not in public.text and not public.private
    told = await server.say("/week")  # ephemeral on Discord: seen by the runner alone
    assert told.private and told.text.startswith("Heads-up: I couldn't send you direct")


async def test_autocomplete_time_zones_and_own_runs(harness: Harness) -> None:
    chat = harness.chat(platform="discord")
    zones = await harness.core.autocomplete(chat.incoming("/settings"), "value", "berl")
    assert zones == []  # no item chosen yet: nothing to suggest
    incoming = chat.incoming("", command="start")
    zones = await harness.core.autocomplete(incoming, "timezone", "new_y")
    assert [c.value for c in zones] == ["America/New_York"]
    many = await harness.core.autocomplete(incoming, "timezone", "a")
    assert len(many) == 25
    await chat.say("/log 5k 25:00")
    await harness.chat("ben", platform="discord").say("/log 7k 35:00")
    runs = await harness.core.autocomplete(chat.incoming("", command="delete"), "run_id", "")
    assert [c.value for c in runs] == ["1"] and "5.00 km in 25:00" in runs[0].label


async def test_an_unexpected_failure_is_answered_not_raised(harness: Harness) -> None:
    from collections.abc import Mapping

    from bot.core.context import Context
    from bot.messages import Reply

    async def broken(ctx: Context, args: Mapping[str, str]) -> Reply:
        raise RuntimeError("disk on fire")

    harness.core.register("week", broken)
    reply = await harness.chat(private=False).say("/week")
    assert reply.text.startswith("Sorry, something went wrong on my side")
    assert "disk on fire" not in reply.text and reply.private


async def test_a_command_mid_set_up_reminds_the_open_question_and_stop_ends_it(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await chat.say("/start")
    await chat.press("Europe/Berlin")
    logged = await chat.say("/log 5k 25:00")
    assert "Set-up is still open: Kilometres or miles?" in logged.text
    stopped = await chat.say("stop")
    assert stopped.text.startswith("Set-up stopped")
    assert "Set-up is still open" not in (await chat.say("/week")).text
    user = await harness.user(chat)
    assert (user.timezone, user.onboarding_step) == ("Europe/Berlin", None)


async def test_a_refused_dm_is_told_on_the_runners_next_message_on_another_platform(
    harness: Harness,
) -> None:
    telegram = harness.chat("ana-tg", platform="telegram")
    discord = harness.chat("ana-dc", platform="discord")
    code = (await telegram.say("/link")).text.split()[3]
    await discord.say(f"/link {code}")
    await harness.core.mark_unreachable("telegram", "ana-tg", "bot was blocked by the user")
    told = await discord.say("/log 5k 25:00")
    assert "couldn't send you direct messages on telegram" in told.text
    assert "Logged" in told.text
    assert "couldn't send you" not in (await discord.say("/week")).text  # told once


async def test_start_with_options_is_all_or_nothing_and_takes_wake_time(
    harness: Harness,
) -> None:
    chat = harness.chat(platform="discord")
    bad = await chat.say(
        "", command="start", options={"timezone": "Europe/Berlin", "run_time": "25:99"}
    )
    assert "isn't a time of day" in bad.text
    assert (await harness.user(chat)).timezone == "UTC"
    good = await chat.say(
        "", command="start", options={"timezone": "Europe/Berlin", "wake_time": "06:15"}
    )
    assert "Wake time set to 06:15." in good.text
    assert (await harness.user(chat)).wake_time == "06:15"


async def test_an_old_onboarding_button_does_not_answer_the_open_question(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await chat.say("/start")
    await chat.press("Europe/Berlin")
    units_question = chat.replies[-1]
    await chat.press("miles")
    chat.replies.append(units_question)  # tap "km" on the earlier message
    reply = await chat.press("km")
    assert "belongs to an earlier question" in reply.text and "(3/9)" in reply.text
    assert (await harness.user(chat)).units == "mi"


async def test_a_bare_evening_hour_for_bedtime_means_the_evening(harness: Harness) -> None:
    chat = harness.chat()
    reply = await chat.say("/settings bedtime 11")
    assert "Bedtime set to 23:00." in reply.text
    await chat.say("/settings target_bedtime 10:30")
    user = await harness.user(chat)
    assert (user.bedtime, user.target_bedtime) == ("23:00", "22:30")
    morning = await chat.say("/settings wake_time 6:30")
    assert "Wake time set to 06:30." in morning.text


async def test_small_conveniences(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/strength plank 2 min")
    [hold] = await harness.checkins(chat, "strength")
    assert hold.seconds == 120
    assert "Run time set to 07:30." in (await chat.say("/settings run_time 0730")).text
    nudges = await chat.say("/settings nudges telegram")
    assert "No telegram account is linked to you yet" in nudges.text
