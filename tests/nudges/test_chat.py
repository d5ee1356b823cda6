"""Nudges end to end through the chat: settings in, DMs out, one-tap answers back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, func, select

from bot.clock import FakeClock
from bot.messages import Reply
from bot.storage.tables import deliveries, handled_messages
from tests.fakes import FakeChat, Harness, fire
from tests.nudges.conftest import RecordingMessenger


async def runner_in_berlin(harness: Harness, messenger: RecordingMessenger) -> FakeChat:
    harness.core.messengers["console"] = messenger
    chat = harness.chat()
    for line in (
        "/settings timezone Europe/Berlin",
        "/settings run_days fri",
        "/settings run_time 07:00",
    ):
        assert "set to" in (await chat.say(line)).text
    return chat


async def test_pre_run_mobility_arrives_before_the_run_and_done_checks_in(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await runner_in_berlin(harness, messenger)
    status = await chat.say("/nudges")
    assert "Pre-run mobility: next tomorrow 06:50" in status.text

    clock.set(datetime(2026, 11, 27, 5, 49, tzinfo=UTC))  # 06:49 in Berlin: not yet
    await fire(harness)
    assert messenger.sent == []
    clock.set(datetime(2026, 11, 27, 5, 50, 5, tzinfo=UTC))
    await fire(harness)
    [sent] = messenger.sent
    assert sent.platform_user_id == "ana"
    assert "Leg swings" in sent.reply.text and "Clam shells" in sent.reply.text
    await fire(harness)
    assert len(messenger.sent) == 1  # claimed once, never twice

    chat.replies.append(sent.reply)
    done = await chat.press("Done")
    assert "pre-run hip mobility" in done.text
    [checkin] = await harness.checkins(chat, "mobility")
    assert checkin.kind == "pre"


async def test_no_nudge_when_the_habit_is_already_done(harness: Harness, clock: FakeClock) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await runner_in_berlin(harness, messenger)
    clock.set(datetime(2026, 11, 27, 5, 30, tzinfo=UTC))
    await chat.say("/mobility pre")
    clock.set(datetime(2026, 11, 27, 5, 51, tzinfo=UTC))
    await fire(harness)
    assert messenger.sent == []


async def test_post_run_fuel_nudge_once_and_only_without_a_snack(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    harness.core.messengers["console"] = messenger
    ana, ben = harness.chat("ana"), harness.chat("ben")
    await ana.say("/log 5k 25:00")
    await ben.say("/log 8k 40:00")
    clock.advance(minutes=5)
    await ben.say("/fuel banana")
    clock.advance(minutes=14)
    await fire(harness)
    assert messenger.sent == []  # 19 minutes: not yet
    clock.advance(minutes=2)
    await fire(harness)
    assert [s.platform_user_id for s in messenger.sent] == ["ana"]
    assert "snack" in messenger.sent[0].reply.text.lower()
    clock.advance(hours=2)
    await fire(harness)
    assert len(messenger.sent) == 1  # never a second one


async def test_snooze_button_brings_it_back_twenty_minutes_later(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await runner_in_berlin(harness, messenger)
    clock.set(datetime(2026, 11, 27, 5, 50, 5, tzinfo=UTC))
    await fire(harness)
    chat.replies.append(messenger.sent[0].reply)
    snoozed = await chat.press("Snooze 20")
    assert "Snoozed: I'll remind you today 07:10" in snoozed.text
    clock.advance(minutes=19)
    await fire(harness)
    assert len(messenger.sent) == 1
    clock.advance(minutes=2)
    await fire(harness)
    assert len(messenger.sent) == 2


async def test_nudges_shows_a_pending_snooze_until_it_comes(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await runner_in_berlin(harness, messenger)
    clock.set(datetime(2026, 11, 27, 5, 50, 5, tzinfo=UTC))
    await fire(harness)
    chat.replies.append(messenger.sent[0].reply)
    await chat.press("Snooze 20")
    status = await chat.say("/nudges")
    assert "Pre-run mobility: next Fri 06:50; snoozed one comes today 07:10" in status.text
    clock.advance(minutes=21)
    await fire(harness)
    assert "snoozed" not in (await chat.say("/nudges")).text


async def test_nudges_toggle_pause_race_and_bedtime(harness: Harness, clock: FakeClock) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await runner_in_berlin(harness, messenger)
    off = await chat.say("/nudges off mobility")
    assert "Pre-run mobility nudges off." in off.text and "Pre-run mobility: off" in off.text
    clock.set(datetime(2026, 11, 27, 5, 51, tzinfo=UTC))
    await fire(harness)
    assert messenger.sent == []
    await chat.say("/nudges on mobility")

    paused = await chat.say("/pause 2026-12-10")
    assert "they resume on Thu 10 Dec 2026" in paused.text
    assert "can't read" in (await chat.say("/pause someday")).text
    assert "after today" in (await chat.say("/pause 2026-11-01")).text.lower()

    race = await chat.say("/race 2026-12-06 Valencia Marathon")
    assert "Valencia Marathon: 2026-12-06, 9 days to go." in race.text
    assert "Goal race cleared." in (await chat.say("/race off")).text

    await chat.say("/settings bedtime 23:45")
    await chat.say("/settings target_bedtime 22:45")
    plan = await chat.say("/bedtime")
    assert "This week's bedtime: 23:15." in plan.text
    assert "Target 22:45" in plan.text
    step = await chat.press("20 min/week")
    assert "Weekly step set to 20 min." in step.text
    assert "out of range" not in (await chat.say("/bedtime 45")).text
    assert "at most 30" in (await chat.say("/bedtime 45")).text


async def test_blocked_dms_mark_the_runner_unreachable_and_they_are_told(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("telegram", clock, refuse={"ana"})
    harness.core.messengers["telegram"] = messenger
    group = harness.chat(platform="telegram", private=False)
    await group.say("/settings run_days fri")
    await group.say("/settings run_time 07:00")
    clock.set(datetime(2026, 11, 27, 6, 50, 5, tzinfo=UTC))
    await fire(harness)
    assert messenger.sent == [] and len(messenger.calls) == 1
    # Never in the group: told privately, when they write to the bot again.
    assert "couldn't send you" not in (await group.say("/week")).text
    clock.advance(timedelta(days=7))
    await fire(harness)
    assert len(messenger.calls) == 1  # no retries to a blocked chat
    told: Reply = await harness.chat(platform="telegram").say("/week")
    assert "couldn't send you direct messages" in told.text


async def test_nudges_test_sends_one_of_each_kind(harness: Harness, clock: FakeClock) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await runner_in_berlin(harness, messenger)
    reply = await chat.say("/nudges test")
    assert "Sending one of each kind (5)" in reply.text
    await harness.core.sweeper.drain()
    assert len(messenger.sent) == 5
    nobody = harness.chat("zoe", platform="telegram")
    assert "no chat to send nudges" in (await nobody.say("/nudges test")).text


async def test_no_fuel_nudge_for_a_run_logged_for_yesterday(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    harness.core.messengers["console"] = messenger
    chat = harness.chat()
    await chat.say("/log 5k 25:00 yesterday")
    clock.advance(minutes=30)
    await fire(harness)
    assert messenger.sent == []


async def test_two_preference_changes_at_once_both_stick(harness: Harness) -> None:
    import asyncio

    chat = harness.chat()
    await chat.say("/help")
    await asyncio.gather(
        chat.say("/race 2026-12-20 Winter 10k"),
        chat.say("/settings strength_days tue,fri"),
        chat.say("/settings fuel_delay 30"),
    )
    settings = await chat.say("/settings")
    assert "strength_days: Tue, Fri" in settings.text
    assert "fuel_delay: 30 min" in settings.text
    assert "Winter 10k: 2026-12-20" in (await chat.say("/race")).text


async def test_undo_also_cancels_a_snoozed_snack_nudge(harness: Harness, clock: FakeClock) -> None:
    messenger = RecordingMessenger("console", clock)
    harness.core.messengers["console"] = messenger
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    clock.advance(minutes=21)
    await fire(harness)
    chat.replies.append(messenger.sent[0].reply)
    await chat.press("Snooze 20")
    await chat.say("/undo")
    clock.advance(minutes=30)
    await fire(harness)
    assert len(messenger.sent) == 1  # the snoozed copy never comes


async def test_a_pause_into_next_year_shows_the_year(harness: Harness, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 30, 12, tzinfo=UTC))  # a pause may last a year at most
    chat = harness.chat()
    await chat.say("/settings run_days fri")
    await chat.say("/settings run_time 07:00")
    await chat.say("/pause 2027-12-24")
    status = await chat.say("/nudges")
    assert "paused until Fri 24 Dec 2027" in status.text


async def test_link_joins_two_platform_accounts_and_nudges_go_where_chosen(
    harness: Harness, clock: FakeClock
) -> None:
    console = RecordingMessenger("console", clock)
    telegram = RecordingMessenger("telegram", clock)
    harness.core.messengers.update(console=console, telegram=telegram)
    home = await runner_in_berlin(harness, console)
    await home.say("/log 5k 25:00 yesterday")
    phone = harness.chat("4242", platform="telegram")
    await phone.say("/slept 7.5")

    made = await home.say("/link")
    code = made.text.split("Your link code: ")[1].split()[0]
    assert "unknown or has expired" in (await phone.say("/link ZZZZZZ")).text
    linked = await phone.say(f"/link {code.lower()}")
    assert "Linked: your console and telegram accounts are one runner now" in linked.text

    # One runner: the phone sees the home history and settings, the sleep moved over.
    assert "#1 · yesterday" in (await phone.say("/runs")).text
    assert "timezone: Europe/Berlin" in (await phone.say("/settings")).text
    assert [c.hours for c in await harness.checkins(home, "sleep")] == [7.5]
    assert "unknown or has expired" in (await phone.say(f"/link {code}")).text  # one use

    chose = await home.say("/settings nudges telegram")
    assert "No telegram account" not in chose.text
    clock.set(datetime(2026, 11, 27, 5, 50, 5, tzinfo=UTC))
    await fire(harness)
    assert console.sent == [] and [s.platform_user_id for s in telegram.sent] == ["4242"]


async def test_link_is_for_private_chats_only(harness: Harness) -> None:
    group = harness.chat(private=False)
    assert "works in a private chat" in (await group.say("/link")).text


async def test_daily_prune_forgets_old_records_and_keeps_recent_ones(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await runner_in_berlin(harness, messenger)
    clock.set(datetime(2026, 11, 27, 5, 50, 5, tzinfo=UTC))
    await fire(harness)  # one delivery record
    await chat.say("/log 5k 25:00", idempotency_key="old")
    await chat.say("/undo", idempotency_key="old-undo")  # one handled-message record

    async def count(table: Table) -> int:
        async with harness.db.reader() as uow:
            return int(await uow.activity.conn.scalar(select(func.count()).select_from(table)) or 0)

    assert await harness.core.retention.prune() == 0  # nothing old yet
    clock.advance(days=100)
    assert await count(deliveries) >= 1 and await count(handled_messages) == 1
    assert await harness.core.retention.prune() >= 2
    assert await count(handled_messages) == 0
    async with harness.db.reader() as uow:
        left = await uow.deliveries.listing()
    assert [d for d in left if d.due_at < datetime(2026, 12, 1, tzinfo=UTC)] == []


async def test_quiet_hours_that_swallow_a_nudge_say_which_and_why(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await runner_in_berlin(harness, messenger)
    await chat.say("/settings bedtime 23:00")
    reply = await chat.say("/settings quiet_hours 21:00-08:00")
    assert "Quiet hours set to 21:00-08:00." in reply.text
    assert (
        "Your pre-run mobility nudge will never come: it is due at 06:50 before your run, "
        "inside your quiet hours (21:00-08:00), and a warm-up reminder after the run is no use"
    ) in reply.text
    assert "Your bedtime wind-down nudge will never come: it is due at 22:30" in reply.text
    assert "/nudges off pre_run_mobility" in reply.text
    # A window the nudges fall outside, and a kind turned off, raise no warning.
    assert "never come" not in (await chat.say("/settings quiet_hours 23:30-06:00")).text
    await chat.say("/nudges off mobility")
    again = await chat.say("/settings quiet_hours 21:00-08:00")
    assert "mobility" not in again.text and "wind-down nudge will never come" in again.text
    # Moving bedtime out of the window clears its warning too.
    assert "never come" not in (await chat.say("/settings bedtime 20:30")).text


async def test_nudges_shows_a_pending_skip_tonight_and_on_undoes_it(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await runner_in_berlin(harness, messenger)
    await chat.say("/settings bedtime 23:00")
    await chat.say("/nudges test")  # at 13:00 in Berlin: tonight's wind-down is still ahead
    await harness.core.sweeper.drain()
    [sample] = [s.reply for s in messenger.sent if "Skip tonight" in str(s.reply.buttons)]
    chat.replies.append(sample)
    await chat.press("Skip tonight")
    status = await chat.say("/nudges")
    assert (
        "- Bedtime wind-down: next today 22:30 is skipped: you said Skip tonight "
        "(/nudges on wind_down sends it after all)" in status.text
    )
    assert status.text.count("skipped") == 1  # only that kind
    undone = await chat.say("/nudges on wind_down")
    assert "- Bedtime wind-down: next today 22:30\n" in undone.text
    sent = len(messenger.sent)
    clock.set(datetime(2026, 11, 26, 21, 30, 5, tzinfo=UTC))  # 22:30 in Berlin
    await fire(harness)
    assert len(messenger.sent) == sent + 1
