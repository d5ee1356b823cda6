"""What answers a nudge besides its own tap: a check-in of its habit, and turning its kind off.

Through the chat, as the runner taps: an answered nudge (or one of a kind turned off) cannot
be snoozed, nothing of it comes later, and /nudges promises only what will really be sent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.messages import Reply
from bot.nudges.kinds import Kind
from bot.storage.deliveries import IN_DOUBT, NewDelivery, user_target
from tests.fakes import FakeChat, Harness, fire
from tests.nudges.conftest import RecordingMessenger

FRIDAY_0630 = datetime(2026, 11, 27, 6, 30, 5, tzinfo=UTC)  # 07:30 in Berlin
FRIDAY_0600 = datetime(2026, 11, 27, 6, 0, 5, tzinfo=UTC)  # 07:00 in Berlin


async def berlin_runner(harness: Harness, messenger: RecordingMessenger, *lines: str) -> FakeChat:
    harness.core.messengers["console"] = messenger
    chat = harness.chat()
    for line in ("/settings timezone Europe/Berlin", *lines):
        assert "set to" in (await chat.say(line)).text
    return chat


async def nudge_arrives(harness: Harness, clock: FakeClock, messenger: RecordingMessenger,
                        at: datetime, chat: FakeChat) -> Reply:  # fmt: skip
    clock.set(at)
    await fire(harness)
    nudge = messenger.sent[-1].reply
    chat.replies.append(nudge)
    return nudge


async def stored(harness: Harness, chat: FakeChat, kind: Kind) -> list[tuple[str, bool, str]]:
    """(status, answered, reason) of the runner's delivery records of one kind."""
    user = await harness.user(chat)
    async with harness.db.reader() as uow:
        rows = await uow.deliveries.listing(user.id)
    return [(d.status, d.answered_at is not None, d.reason) for d in rows if d.kind == kind.value]


async def pending(harness: Harness, chat: FakeChat) -> list[str]:
    user = await harness.user(chat)
    async with harness.db.reader() as uow:
        return [o.occurrence for o in await uow.nudges.pending_oneoffs(user.id)]


# --- Stop these ---------------------------------------------------------------------------------


@pytest.mark.parametrize("snooze", ["Snooze 20", "Snooze 1 h", "Tomorrow"])
async def test_snooze_after_stop_these_is_refused_and_nothing_comes(
    harness: Harness, clock: FakeClock, snooze: str
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(
        harness, messenger, "/settings strength_days fri,sat", "/settings strength_time 07:30"
    )
    nudge = await nudge_arrives(harness, clock, messenger, FRIDAY_0630, chat)
    assert "Strength nudges off." in (await chat.press("Stop these")).text
    chat.replies.append(nudge)
    refused = await chat.press(snooze)
    assert refused.text == "Strength nudges are off: /nudges on strength turns them back on."
    assert "Snoozed" not in refused.text
    assert await stored(harness, chat, Kind.STRENGTH) == [("sent", True, "")]
    assert await pending(harness, chat) == []
    assert "- Strength: off" in (await chat.say("/nudges")).text.splitlines()
    for hours in (1, 24, 25):
        clock.set(FRIDAY_0630 + timedelta(hours=hours))
        await fire(harness)
    assert len(messenger.sent) == 1


async def test_stop_these_answers_the_nudge_so_on_again_does_not_revive_its_snooze(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(
        harness, messenger, "/settings strength_days fri", "/settings strength_time 07:30"
    )
    nudge = await nudge_arrives(harness, clock, messenger, FRIDAY_0630, chat)
    await chat.press("Stop these")
    await chat.say("/nudges on strength")
    chat.replies.append(nudge)
    assert (await chat.press("Snooze 20")).text == "You've already answered that one."
    assert await pending(harness, chat) == []


@pytest.mark.parametrize("turn_off", ["Stop these", "/nudges off strength"])
async def test_a_pending_snooze_of_a_kind_turned_off_is_not_sent(
    harness: Harness, clock: FakeClock, turn_off: str
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(
        harness, messenger, "/settings strength_days fri", "/settings strength_time 07:30"
    )
    nudge = await nudge_arrives(harness, clock, messenger, FRIDAY_0630, chat)
    assert "Snoozed: I'll remind you today 07:50." in (await chat.press("Snooze 20")).text
    chat.replies.append(nudge)
    if turn_off.startswith("/"):
        await chat.say(turn_off)
    else:
        await chat.press(turn_off)
    assert await pending(harness, chat) == []
    clock.advance(minutes=30)
    await fire(harness)
    assert len(messenger.sent) == 1


async def test_a_snooze_stored_as_the_kind_is_turned_off_is_skipped_not_sent(
    harness: Harness, clock: FakeClock
) -> None:
    """Two taps at once: a snooze that read the kind on, stored after "Stop these" committed."""
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(
        harness, messenger, "/settings strength_days fri", "/settings strength_time 07:30"
    )
    await nudge_arrives(harness, clock, messenger, FRIDAY_0630, chat)
    await chat.press("Stop these")
    user = await harness.user(chat)
    async with harness.db.uow() as uow:  # what the losing snooze transaction wrote
        await uow.nudges.insert_oneoff(
            user_id=user.id,
            kind="strength",
            occurrence="2026-11-27~z1",
            anchor=date(2026, 11, 27),
            due=FRIDAY_0630 + timedelta(minutes=20),
            now=FRIDAY_0630,
        )
        await uow.commit()
    clock.advance(minutes=21)
    await fire(harness)
    assert len(messenger.sent) == 1
    assert await stored(harness, chat, Kind.STRENGTH) == [
        ("sent", True, ""),
        ("skipped", False, "turned off"),
    ]


async def history(harness: Harness, chat: FakeChat, kind: Kind,
                  *rows: tuple[str, date, str, str]) -> None:  # fmt: skip
    """Earlier delivery records of one kind: (occurrence, anchor, status, reason)."""
    user = await harness.user(chat)
    async with harness.db.uow() as uow:
        for occurrence, anchor, status, reason in rows:
            await uow.deliveries.add(
                NewDelivery(
                    target=user_target(user.id),
                    kind=kind.value,
                    occurrence=occurrence,
                    due_at=datetime(anchor.year, anchor.month, anchor.day, 6, 30, tzinfo=UTC),
                    status=status,
                    reason=reason,
                    user_id=user.id,
                    anchor=anchor,
                )
            )
        await uow.commit()


async def answered(harness: Harness, chat: FakeChat, kind: Kind) -> dict[str, bool]:
    """Occurrence -> answered, of the runner's delivery records of one kind."""
    user = await harness.user(chat)
    async with harness.db.reader() as uow:
        rows = await uow.deliveries.listing(user.id)
    return {d.occurrence: d.answered_at is not None for d in rows if d.kind == kind.value}


@pytest.mark.parametrize("turn_off", ["Stop these", "/nudges off strength"])
async def test_turning_a_kind_off_answers_only_recent_nudges_that_were_shown(
    harness: Harness, clock: FakeClock, turn_off: str
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(
        harness, messenger, "/settings strength_days fri", "/settings strength_time 07:30"
    )
    nudge = await nudge_arrives(harness, clock, messenger, FRIDAY_0630, chat)
    await history(
        harness, chat, Kind.STRENGTH,
        ("2026-09-04", date(2026, 9, 4), "sent", ""),  # months old: its answer is history
        ("2026-09-11", date(2026, 9, 11), "skipped", "paused"),
        ("2026-11-20", date(2026, 11, 20), "failed", "blocked"),
        ("2026-11-25", date(2026, 11, 25), "skipped", "checked in"),
        ("2026-11-26", date(2026, 11, 26), "failed", IN_DOUBT),  # its buttons may be out there
    )  # fmt: skip
    chat.replies.append(nudge)
    if turn_off.startswith("/"):
        await chat.say(turn_off)
    else:
        await chat.press(turn_off)
    assert await answered(harness, chat, Kind.STRENGTH) == {
        "2026-11-27": True,
        "2026-09-04": False,
        "2026-09-11": False,
        "2026-11-20": False,
        "2026-11-25": False,
        "2026-11-26": True,
    }


async def test_a_check_in_answers_only_the_nudges_of_its_day_that_were_shown(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(
        harness, messenger, "/settings strength_days fri", "/settings strength_time 07:30"
    )
    nudge = await nudge_arrives(harness, clock, messenger, FRIDAY_0630, chat)
    await history(
        harness, chat, Kind.STRENGTH,
        ("2026-11-27~z1", date(2026, 11, 27), "skipped", "quiet hours"),
        ("2026-11-27~z2", date(2026, 11, 27), "expired", "missed by more than the grace window"),
    )  # fmt: skip
    chat.replies.append(nudge)
    await chat.say("/strength plank 40")
    assert await answered(harness, chat, Kind.STRENGTH) == {
        "2026-11-27": True,
        "2026-11-27~z1": False,
        "2026-11-27~z2": False,
    }


# --- a check-in answers the day's nudge of its habit -------------------------------------------


async def test_snooze_after_a_check_in_button_is_answered_already(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(harness, messenger, "/settings wake_time 07:00")
    nudge = await nudge_arrives(harness, clock, messenger, FRIDAY_0600, chat)
    await chat.press("7-8")
    assert [c.hours for c in await harness.checkins(chat, "sleep")] == [7.5]
    chat.replies.append(nudge)
    assert (await chat.press("Snooze 20")).text == "You've already answered that one."
    assert await stored(harness, chat, Kind.SLEEP_CHECKIN) == [("sent", True, "")]
    status = await chat.say("/nudges")
    assert "- Morning sleep check-in: next tomorrow 07:00\n" in status.text
    assert "snoozed" not in status.text
    clock.advance(minutes=30)
    await fire(harness)
    assert len(messenger.sent) == 1


async def test_a_check_in_drops_the_snooze_it_makes_useless(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(harness, messenger, "/settings wake_time 07:00")
    nudge = await nudge_arrives(harness, clock, messenger, FRIDAY_0600, chat)
    await chat.press("Snooze 1 h")
    assert "snoozed one comes today 08:00" in (await chat.say("/nudges")).text
    chat.replies.append(nudge)
    await chat.press("8+")  # on the first copy: the check-in answers the snoozed one too
    assert await pending(harness, chat) == []
    assert "snoozed" not in (await chat.say("/nudges")).text
    clock.advance(hours=2)
    await fire(harness)
    assert len(messenger.sent) == 1


@pytest.mark.parametrize("checkin", ["/strength plank 40", "Done: plank"])
async def test_a_strength_check_in_typed_or_tapped_answers_the_strength_nudge(
    harness: Harness, clock: FakeClock, checkin: str
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(
        harness, messenger, "/settings strength_days fri", "/settings strength_time 07:30"
    )
    nudge = await nudge_arrives(harness, clock, messenger, FRIDAY_0630, chat)
    if checkin.startswith("/"):
        await chat.say(checkin)
    else:
        await chat.press(checkin)
    chat.replies.append(nudge)
    assert (await chat.press("Tomorrow")).text == "You've already answered that one."
    assert await stored(harness, chat, Kind.STRENGTH) == [("sent", True, "")]


async def test_a_post_run_mobility_check_in_leaves_the_pre_run_nudge_open(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(
        harness, messenger, "/settings run_days fri", "/settings run_time 07:00"
    )
    nudge = await nudge_arrives(
        harness, clock, messenger, FRIDAY_0600 - timedelta(minutes=10), chat
    )
    await chat.say("/mobility post")
    chat.replies.append(nudge)
    assert "Snoozed: I'll remind you today 07:10." in (await chat.press("Snooze 20")).text


# --- /nudges shows the next one that will really be sent ------------------------------------------


async def test_nudges_skips_a_check_in_nudge_of_a_day_already_checked_in(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(harness, messenger, "/settings wake_time 07:00")
    clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # 10:00 in Berlin
    await chat.say("/slept 7.5")
    await chat.say("/settings wake_time 22:00")  # later today: that one would be suppressed
    status = await chat.say("/nudges")
    assert "- Morning sleep check-in: next tomorrow 22:00\n" in status.text
    clock.set(datetime(2026, 11, 27, 21, 0, 5, tzinfo=UTC))  # 22:00 today in Berlin
    await fire(harness)
    assert messenger.sent == []  # as /nudges said
    clock.set(datetime(2026, 11, 28, 21, 0, 5, tzinfo=UTC))
    await fire(harness)
    assert len(messenger.sent) == 1


async def test_nudges_skips_pre_run_mobility_on_a_day_the_run_is_logged(
    harness: Harness, clock: FakeClock
) -> None:
    messenger = RecordingMessenger("console", clock)
    chat = await berlin_runner(
        harness, messenger, "/settings run_days thu,fri", "/settings run_time 18:00"
    )
    assert "- Pre-run mobility: next today 17:50\n" in (await chat.say("/nudges")).text
    await chat.say("/log 5k 25:00")  # today's run, done early
    assert "- Pre-run mobility: next tomorrow 17:50\n" in (await chat.say("/nudges")).text
