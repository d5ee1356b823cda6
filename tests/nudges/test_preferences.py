"""Nudge preferences: bedtime target and step, race, pause, kinds not set up; /nudges status."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from bot.clock import FakeClock
from bot.errors import BadInput, NotFound
from bot.nudges.kinds import Kind
from bot.nudges.status import RaceInfo
from bot.storage.database import Database
from bot.texts.nudge_settings import bedtime_reply, race_reply, status_reply

from .conftest import Nudges, RecordingMessenger, add_user, set_user, utc

# --- a new target carries on; no target is said plainly --------------------------------------


async def test_a_new_target_carries_on_from_this_weeks_bedtime(
    nudges: Nudges, db: Database, clock: FakeClock
) -> None:
    uid = await add_user(db, bedtime="23:30", target_bedtime="22:00")
    await nudges.reschedule(uid)
    clock.advance(timedelta(days=21))
    plan = await nudges.settings.bedtime_status(uid)
    assert plan is not None and plan.this_week == time(22, 15)

    await set_user(db, uid, "target_bedtime", "21:30")  # /settings target_bedtime 21:30
    await nudges.reschedule(uid)
    text = bedtime_reply(await nudges.settings.bedtime_status(uid)).text
    assert "This week's bedtime: 22:15." in text
    assert "Target 21:30: 3 more weeks at 15 min a week." in text
    wind = {k.kind: k for k in (await nudges.settings.status(uid)).kinds}[Kind.WIND_DOWN]
    assert wind.next_local is not None and wind.next_local.strftime("%H:%M") == "21:45"
    weeks = []
    for week in range(1, 5):
        clock.set(utc(2026, 12, 17, 12) + timedelta(weeks=week))
        later = await nudges.settings.bedtime_status(uid)
        assert later is not None
        weeks.append(later.this_week)
    assert weeks == [time(22, 0), time(21, 45), time(21, 30), time(21, 30)]


async def test_a_new_usual_bedtime_still_restarts_the_plan(
    nudges: Nudges, db: Database, clock: FakeClock
) -> None:
    uid = await add_user(db, bedtime="23:30", target_bedtime="22:00")
    await nudges.reschedule(uid)
    clock.advance(timedelta(days=21))
    await set_user(db, uid, "bedtime", "23:00")
    await nudges.reschedule(uid)
    plan = await nudges.settings.bedtime_status(uid)
    assert plan is not None and plan.this_week == time(22, 30)  # 23:00 minus the first 30 min


async def test_bedtime_without_a_target_says_how_to_set_one(nudges: Nudges, db: Database) -> None:
    uid = await add_user(db, bedtime="23:30")
    await nudges.reschedule(uid)
    reply = bedtime_reply(await nudges.settings.bedtime_status(uid))
    assert "This week's bedtime: 23:30." in reply.text
    assert "no target bedtime" in reply.text and "/settings target_bedtime 22:30" in reply.text
    assert "You're at your target" not in reply.text
    assert reply.buttons == ()  # no step buttons without a plan to step through


# --- race wording and a race that is over ------------------------------------------------------


def test_race_reply_counts_days_in_plain_english() -> None:
    assert (
        "Valencia: 2026-11-27, 1 day to go."
        in race_reply(RaceInfo(date(2026, 11, 27), "Valencia", 1)).text
    )
    today = race_reply(RaceInfo(date(2026, 11, 26), "Valencia", 0)).text
    assert "race day today" in today and "0 days" not in today
    assert "2 days to go" in race_reply(RaceInfo(date(2026, 11, 28), "", 2)).text
    over = race_reply(RaceInfo(date(2026, 11, 20), "Valencia", -6)).text
    assert "Valencia was on 2026-11-20" in over and "to go" not in over


async def test_race_day_and_after_through_the_sweep(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, wake_time="07:00", bedtime="22:30")
    await nudges.settings.set_race(uid, date(2026, 11, 28), "Valencia")
    assert "2 days to go" in race_reply(await nudges.settings.race(uid)).text
    await nudges.reschedule(uid)
    for hour in range(24 * 3 + 12):  # Thu 12:00 to Sun 24:00
        clock.set(utc(2026, 11, 26, 12) + timedelta(hours=hour, minutes=30))
        await nudges.sweep()
    sent = [
        (s.reply.meta["nudge_kind"], s.at.date().isoformat(), s.reply.text) for s in telegram.sent
    ]
    mentions = {(kind, day) for kind, day, text in sent if "Valencia" in text}
    assert mentions == {
        ("wind_down", "2026-11-26"),
        ("sleep_checkin", "2026-11-27"),
        ("wind_down", "2026-11-27"),
        ("sleep_checkin", "2026-11-28"),  # race day morning
    }
    assert any("Valencia is today" in text for _, _, text in sent)
    assert ("wind_down", "2026-11-28") in {(k, d) for k, d, _ in sent}  # sent, without the race
    # The day after: the race is over.
    assert "was on 2026-11-28" in race_reply(await nudges.settings.race(uid)).text
    status = await nudges.settings.status(uid)
    assert status.race_date is None
    assert "Valencia" not in status_reply(status, date(2026, 11, 29)).text


# --- /nudges during and after a pause -----------------------------------------------------------


async def test_nudges_status_while_paused_and_after_the_pause(
    nudges: Nudges, db: Database, clock: FakeClock
) -> None:
    uid = await add_user(db, wake_time="07:00", bedtime="23:00")
    await nudges.reschedule(uid)
    await nudges.settings.pause_until(uid, date(2026, 11, 29))
    paused = status_reply(await nudges.settings.status(uid), date(2026, 11, 26)).text
    assert "Bedtime wind-down: paused until Sun 29 Nov" in paused
    assert "Morning sleep check-in: paused until Sun 29 Nov" in paused
    assert "Post-run fuel: paused until Sun 29 Nov" in paused
    assert "next today" not in paused and "next tomorrow" not in paused
    assert "resume on Sun 29 Nov 2026" in paused

    clock.set(utc(2026, 11, 29, 12))  # the resume date has come
    await nudges.reschedule(uid)
    status = await nudges.settings.status(uid)
    assert status.paused_until is None
    after = status_reply(status, date(2026, 11, 29)).text
    assert "aused" not in after
    assert "Bedtime wind-down: next today 22:30" in after


async def test_a_pause_is_a_year_at_most(nudges: Nudges, db: Database) -> None:
    # New with the rebuilt services: pauses over 366 days are refused (BadInput).
    uid = await add_user(db, wake_time="07:00")
    today = date(2026, 11, 26)
    with pytest.raises(BadInput, match="a year at most"):
        await nudges.settings.pause_until(uid, today + timedelta(days=367))
    assert (await nudges.settings.status(uid)).paused_until is None
    longest = today + timedelta(days=366)
    assert await nudges.settings.pause_until(uid, longest) == longest
    assert (await nudges.settings.status(uid)).paused_until == longest
    with pytest.raises(NotFound):
        await nudges.settings.pause_until(uid + 99, date(2026, 12, 1))


# --- a kind that is not set up ------------------------------------------------------------------


async def test_a_kind_that_is_not_set_up_says_what_it_needs_and_has_no_toggle(
    nudges: Nudges, db: Database
) -> None:
    uid = await add_user(db, wake_time="07:00")
    await nudges.reschedule(uid)
    reply = status_reply(await nudges.settings.status(uid), date(2026, 11, 26))
    assert "Strength: not set up: needs strength days and time" in reply.text
    assert "/settings strength_days tue,fri" in reply.text
    assert "Pre-run mobility: not set up: needs run days and run time" in reply.text
    labels = [b.label for b in reply.all_buttons]
    assert "Turn off: Strength" not in labels and "Turn off: Pre-run mobility" not in labels
    assert "Turn off: Morning sleep check-in" in labels and "Turn off: Post-run fuel" in labels
    # Off and not set up: it can be turned back on.
    await nudges.settings.set_kind(uid, Kind.STRENGTH, False)
    reply = status_reply(await nudges.settings.status(uid), date(2026, 11, 26))
    assert "Strength: off; not set up: needs strength days and time" in reply.text
    assert "Turn on: Strength" in [b.label for b in reply.all_buttons]
