"""Regressions from the nudge review (A-I): each asserts what is sent, stored or replied."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.nudges.engine import NudgeEngine, NudgeError, RaceInfo
from bot.nudges.formatting import bedtime_reply, race_reply, status_reply
from bot.nudges.kinds import Kind
from bot.nudges.texts import NudgeContext, nudge_reply, nudge_text
from bot.storage.database import Database
from bot.storage.nudges import Delivery

from .conftest import RecordingMessenger, add_run, add_user, set_user, utc


async def tick(engine: NudgeEngine) -> None:
    await engine.sweep()
    await engine.drain()


async def deliveries(engine: NudgeEngine, kind: Kind | None = None) -> list[Delivery]:
    rows = await engine.store.deliveries()
    return [d for d in rows if kind is None or d.kind == kind.value]


async def delete_run(db: Database, run_id: int) -> None:
    """What /undo and /delete do to the runs table before telling the engine."""
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))


async def log_run(engine: NudgeEngine, db: Database, clock: FakeClock, uid: int, day: str) -> int:
    run_id = await add_run(db, uid, day, clock.now().isoformat())
    await engine.on_run_logged(uid, run_id, clock.now())
    return run_id


def fuel_texts(telegram: RecordingMessenger) -> list[str]:
    return [s.reply.text for s in telegram.sent if s.reply.meta["nudge_kind"] == "post_run_fuel"]


# --- A: a deleted run gets no snack nudge -------------------------------------------


async def test_a_run_deleted_before_its_fuel_nudge_gets_none(
    engine: NudgeEngine, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db)
    kept = await log_run(engine, db, clock, uid, "2026-11-25")  # yesterday's: no nudge anyway
    run_id = await log_run(engine, db, clock, uid, "2026-11-26")
    clock.advance(minutes=2)
    await delete_run(db, run_id)
    await engine.on_run_deleted(uid, run_id)  # /undo
    await engine.on_run_deleted(uid, run_id)  # twice is harmless
    await engine.on_run_deleted(uid, kept)  # a run without a nudge: nothing to do
    await engine.on_run_deleted(uid + 99, 12345)  # unknown runner and run: nothing to do
    clock.advance(minutes=30)
    await tick(engine)
    assert telegram.sent == []
    assert await deliveries(engine) == []
    assert await engine.store.oneoff_states(uid) == {f"run:{run_id}": "cancelled"}


async def test_deleting_a_run_after_its_fuel_nudge_went_out_changes_nothing(
    engine: NudgeEngine, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db)
    run_id = await log_run(engine, db, clock, uid, "2026-11-26")
    clock.advance(minutes=21)
    await tick(engine)
    await delete_run(db, run_id)
    await engine.on_run_deleted(uid, run_id)
    assert len(fuel_texts(telegram)) == 1
    assert [(d.status, d.occurrence) for d in await deliveries(engine)] == [
        ("sent", f"run:{run_id}")
    ]


# --- B: one snack nudge per burst ---------------------------------------------------------


async def test_two_runs_logged_in_a_row_send_one_fuel_nudge_for_the_later_run(
    engine: NudgeEngine, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db)
    first = await log_run(engine, db, clock, uid, "2026-11-26")
    clock.advance(minutes=1)
    second = await log_run(engine, db, clock, uid, "2026-11-26")
    clock.advance(hours=1)
    await tick(engine)
    assert len(fuel_texts(telegram)) == 1
    [record] = await deliveries(engine)
    assert (record.occurrence, record.status) == (f"run:{second}", "sent")
    assert record.due_utc == "2026-11-26T12:21:00+00:00"  # 20 min after the later run
    assert await engine.store.oneoff_states(uid) == {
        f"run:{first}": "cancelled",
        f"run:{second}": "claimed",
    }


async def test_runs_on_different_local_days_each_get_their_fuel_nudge(
    engine: NudgeEngine, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, timezone="Europe/Berlin")
    clock.set(utc(2026, 11, 26, 22, 50))  # 23:50 in Berlin
    await log_run(engine, db, clock, uid, "2026-11-26")
    clock.set(utc(2026, 11, 26, 23, 5))  # 00:05 the next local day
    await log_run(engine, db, clock, uid, "2026-11-27")
    clock.set(utc(2026, 11, 26, 23, 30))
    await tick(engine)
    assert len(fuel_texts(telegram)) == 2


async def test_undoing_the_later_run_brings_back_the_earlier_runs_fuel_nudge(
    engine: NudgeEngine, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db)
    first = await log_run(engine, db, clock, uid, "2026-11-26")  # 12:00
    clock.advance(minutes=5)
    second = await log_run(engine, db, clock, uid, "2026-11-26")  # logged twice by mistake
    clock.advance(minutes=1)
    await delete_run(db, second)
    await engine.on_run_deleted(uid, second)
    clock.set(utc(2026, 11, 26, 12, 19, 50))
    await tick(engine)
    assert telegram.sent == []
    clock.set(utc(2026, 11, 26, 12, 20, 5))
    await tick(engine)
    assert len(fuel_texts(telegram)) == 1
    [record] = await deliveries(engine)
    assert (record.occurrence, record.due_utc) == (f"run:{first}", "2026-11-26T12:20:00+00:00")


async def test_deleting_a_replaced_run_keeps_the_chain_to_the_one_before(
    engine: NudgeEngine, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db)
    first = await log_run(engine, db, clock, uid, "2026-11-26")
    clock.advance(minutes=1)
    middle = await log_run(engine, db, clock, uid, "2026-11-26")
    clock.advance(minutes=1)
    last = await log_run(engine, db, clock, uid, "2026-11-26")
    await delete_run(db, middle)
    await engine.on_run_deleted(uid, middle)  # already replaced: nothing comes back
    await delete_run(db, last)
    await engine.on_run_deleted(uid, last)  # the first run's nudge comes back
    clock.advance(hours=1)
    await tick(engine)
    assert [d.occurrence for d in await deliveries(engine)] == [f"run:{first}"]
    assert len(fuel_texts(telegram)) == 1


# --- C: a nudge is answered once ------------------------------------------------------------


async def first_checkin(engine: NudgeEngine, db: Database, clock: FakeClock) -> tuple[int, int]:
    uid = await add_user(db, wake_time="07:00")
    await engine.reschedule_user(uid)
    clock.set(utc(2026, 11, 27, 7, 0, 1))
    await tick(engine)
    [record] = await deliveries(engine)
    return uid, record.id


async def test_tapping_snooze_twice_snoozes_once(
    engine: NudgeEngine, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid, delivery_id = await first_checkin(engine, db, clock)
    await engine.snooze(uid, delivery_id, "20m")
    with pytest.raises(NudgeError, match="already answered"):
        await engine.snooze(uid, delivery_id, "20m")
    with pytest.raises(NudgeError, match="already answered"):
        await engine.snooze(uid, delivery_id, "1h")
    clock.advance(hours=2)
    await tick(engine)
    assert len(telegram.sent) == 2  # the nudge, then one snoozed repeat
    assert len(await engine.store.pending_oneoffs(uid)) == 0


async def test_two_snooze_taps_at_the_same_moment_make_one_snooze(
    engine: NudgeEngine, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid, delivery_id = await first_checkin(engine, db, clock)
    results = await asyncio.gather(
        engine.snooze(uid, delivery_id, "20m"),
        engine.snooze(uid, delivery_id, "20m"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, NudgeError) for r in results) == 1
    assert len(await engine.store.pending_oneoffs(uid)) == 1
    clock.advance(hours=2)
    await tick(engine)
    assert len(telegram.sent) == 2


@pytest.mark.parametrize("answer", ["skip", "done"])
async def test_no_snooze_after_skip_or_done(
    engine: NudgeEngine,
    db: Database,
    clock: FakeClock,
    telegram: RecordingMessenger,
    answer: str,
) -> None:
    uid, delivery_id = await first_checkin(engine, db, clock)
    if answer == "skip":
        await engine.skip_today(uid, delivery_id)
    else:
        await engine.acknowledge(uid, delivery_id)
    with pytest.raises(NudgeError, match=r"You've already answered that one\."):
        await engine.snooze(uid, delivery_id, "20m")
    clock.advance(hours=2)
    await tick(engine)
    assert len(telegram.sent) == 1
    assert await engine.store.pending_oneoffs(uid) == []


# --- D: a new target carries on; no target is said plainly --------------------------------


async def test_a_new_target_carries_on_from_this_weeks_bedtime(
    engine: NudgeEngine, db: Database, clock: FakeClock
) -> None:
    uid = await add_user(db, bedtime="23:30", target_bedtime="22:00")
    await engine.reschedule_user(uid)
    clock.advance(timedelta(days=21))
    plan = await engine.bedtime_status(uid)
    assert plan is not None and plan.this_week == time(22, 15)

    await set_user(db, uid, "target_bedtime", "21:30")  # /settings target_bedtime 21:30
    await engine.reschedule_user(uid)
    text = bedtime_reply(await engine.bedtime_status(uid)).text
    assert "This week's bedtime: 22:15." in text
    assert "Target 21:30: 3 more weeks at 15 min a week." in text
    wind = {k.kind: k for k in (await engine.status(uid)).kinds}[Kind.WIND_DOWN]
    assert wind.next_local is not None and wind.next_local.strftime("%H:%M") == "21:45"
    weeks = []
    for week in range(1, 5):
        clock.set(utc(2026, 12, 17, 12) + timedelta(weeks=week))
        later = await engine.bedtime_status(uid)
        assert later is not None
        weeks.append(later.this_week)
    assert weeks == [time(22, 0), time(21, 45), time(21, 30), time(21, 30)]


async def test_a_new_usual_bedtime_still_restarts_the_plan(
    engine: NudgeEngine, db: Database, clock: FakeClock
) -> None:
    uid = await add_user(db, bedtime="23:30", target_bedtime="22:00")
    await engine.reschedule_user(uid)
    clock.advance(timedelta(days=21))
    await set_user(db, uid, "bedtime", "23:00")
    await engine.reschedule_user(uid)
    plan = await engine.bedtime_status(uid)
    assert plan is not None and plan.this_week == time(22, 30)  # 23:00 minus the first 30 min


async def test_bedtime_without_a_target_says_how_to_set_one(
    engine: NudgeEngine, db: Database
) -> None:
    uid = await add_user(db, bedtime="23:30")
    await engine.reschedule_user(uid)
    reply = bedtime_reply(await engine.bedtime_status(uid))
    assert "This week's bedtime: 23:30." in reply.text
    assert "no target bedtime" in reply.text and "/settings target_bedtime 22:30" in reply.text
    assert "You're at your target" not in reply.text
    assert reply.buttons == ()  # no step buttons without a plan to step through


# --- E: race wording and a race that is over ------------------------------------------------


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


@pytest.mark.parametrize("days_left", range(15))
@pytest.mark.parametrize("name", ["Valencia", "Berlin Half", ""])
def test_race_variants_read_naturally_for_every_day(days_left: int, name: str) -> None:
    shown = name or "Your race"
    expected = {0: f"{shown} is today", 1: f"{shown} is tomorrow"}.get(
        days_left, f"{shown} is {days_left} days away"
    )
    for seq in range(6):
        ctx = NudgeContext(1, seq, bedtime=time(22, 0), race_days_left=days_left, race_name=name)
        sleep = nudge_text(Kind.SLEEP_CHECKIN, ctx)
        wind = nudge_text(Kind.WIND_DOWN, ctx)
        assert expected.lower() in sleep.lower()
        for text in (sleep, wind):
            for wrong in (
                "away to",
                "today to",
                "tomorrow to",
                " 0 days",
                " 1 days",
                "Race countdown",
            ):
                assert wrong not in text
        if days_left == 0:  # the evening of race day: the race is behind them
            assert shown not in wind and "Nothing you do tonight" not in wind
        else:
            assert expected in wind


async def test_race_day_and_after_through_the_engine(
    engine: NudgeEngine, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, wake_time="07:00", bedtime="22:30")
    await engine.set_race(uid, date(2026, 11, 28), "Valencia")
    assert "2 days to go" in race_reply(await engine.race(uid)).text
    await engine.reschedule_user(uid)
    for hour in range(24 * 3 + 12):  # Thu 12:00 to Sun 24:00
        clock.set(utc(2026, 11, 26, 12) + timedelta(hours=hour, minutes=30))
        await tick(engine)
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
    assert "was on 2026-11-28" in race_reply(await engine.race(uid)).text
    status = await engine.status(uid)
    assert status.race_date is None
    assert "Valencia" not in status_reply(status, date(2026, 11, 29)).text


# --- F: "Tomorrow" only where it works ----------------------------------------------------------


def test_no_tomorrow_button_on_post_run_fuel_and_next_run_day_on_mobility() -> None:
    fuel = nudge_reply(Kind.POST_RUN_FUEL, NudgeContext(5, 0))
    assert [b.label for b in fuel.all_buttons if "snooze" in b.action] == [
        "Snooze 20 min",
        "Snooze 1 h",
    ]
    mobility = nudge_reply(Kind.PRE_RUN_MOBILITY, NudgeContext(5, 0))
    [later] = [b for b in mobility.all_buttons if b.action == "/nudge snooze 5 tomorrow"]
    assert later.label == "Next run day"


async def test_tomorrow_on_mobility_never_fires_on_a_rest_day(
    engine: NudgeEngine, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, timezone="Europe/Berlin", run_days="fri", run_time="07:00")
    await engine.reschedule_user(uid)
    clock.set(utc(2026, 11, 27, 5, 50, 5))  # Friday 06:50 in Berlin
    await tick(engine)
    [mobility] = await deliveries(engine)
    result = await engine.snooze(uid, mobility.id, "tomorrow")
    berlin = ZoneInfo("Europe/Berlin")
    assert result.due_local is not None
    assert result.due_local.astimezone(berlin).strftime("%a %d %H:%M") == "Fri 04 06:50"
    for day in range(1, 8):  # the whole next week
        clock.set(utc(2026, 11, 27, 5, 50, 5) + timedelta(days=day))
        await tick(engine)
    sent = [s.at.astimezone(berlin).strftime("%a %d %H:%M") for s in telegram.sent]
    assert sent == ["Fri 27 06:50", "Fri 04 06:50"]


# --- G: /nudges during and after a pause -------------------------------------------------------


async def test_nudges_status_while_paused_and_after_the_pause(
    engine: NudgeEngine, db: Database, clock: FakeClock
) -> None:
    uid = await add_user(db, wake_time="07:00", bedtime="23:00")
    await engine.reschedule_user(uid)
    await engine.pause_until(uid, date(2026, 11, 29))
    paused = status_reply(await engine.status(uid), date(2026, 11, 26)).text
    assert "Bedtime wind-down: paused until Sun 29 Nov" in paused
    assert "Morning sleep check-in: paused until Sun 29 Nov" in paused
    assert "Post-run fuel: paused until Sun 29 Nov" in paused
    assert "next today" not in paused and "next tomorrow" not in paused
    assert "resume on Sun 29 Nov 2026" in paused

    clock.set(utc(2026, 11, 29, 12))  # the resume date has come
    await engine.reschedule_user(uid)
    status = await engine.status(uid)
    assert status.paused_until is None
    after = status_reply(status, date(2026, 11, 29)).text
    assert "aused" not in after
    assert "Bedtime wind-down: next today 22:30" in after


# --- H: the spring-forward gap through the engine ---------------------------------------------


async def test_a_wake_time_in_the_gap_is_sent_at_three_sharp_in_new_york(
    engine: NudgeEngine, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, timezone="America/New_York", wake_time="02:40")
    clock.set(utc(2027, 3, 13, 12))
    await engine.reschedule_user(uid)
    [row] = [r for r in await engine.store.schedules(uid) if r.kind == "sleep_checkin"]
    assert row.next_due_utc == "2027-03-14T07:00:00+00:00" and row.local_time == "03:00"


# --- I: wording -------------------------------------------------------------------------------


@pytest.mark.parametrize("seq", range(10))
def test_wind_down_texts_never_name_a_lead_they_do_not_know(seq: int) -> None:
    text = nudge_text(Kind.WIND_DOWN, NudgeContext(1, seq, bedtime=time(22, 45))).lower()
    for duration in ("half an hour", "30 min", "thirty", "an hour", "minutes"):
        assert duration not in text


async def test_a_kind_that_is_not_set_up_says_what_it_needs_and_has_no_toggle(
    engine: NudgeEngine, db: Database
) -> None:
    uid = await add_user(db, wake_time="07:00")
    await engine.reschedule_user(uid)
    reply = status_reply(await engine.status(uid), date(2026, 11, 26))
    assert "Strength: not set up: needs strength days and time" in reply.text
    assert "/settings strength_days tue,fri" in reply.text
    assert "Pre-run mobility: not set up: needs run days and run time" in reply.text
    labels = [b.label for b in reply.all_buttons]
    assert "Turn off: Strength" not in labels and "Turn off: Pre-run mobility" not in labels
    assert "Turn off: Morning sleep check-in" in labels and "Turn off: Post-run fuel" in labels
    await engine.stop_kind(uid, Kind.STRENGTH)  # off and not set up: it can be turned back on
    reply = status_reply(await engine.status(uid), date(2026, 11, 26))
    assert "Strength: off; not set up: needs strength days and time" in reply.text
    assert "Turn on: Strength" in [b.label for b in reply.all_buttons]


def test_the_snooze_reply_for_next_run_day_says_nothing_extra_comes() -> None:
    from bot.nudges.engine import SnoozeResult
    from bot.nudges.formatting import snooze_reply

    result = SnoozeResult(Kind.PRE_RUN_MOBILITY, utc(2026, 12, 4, 6, 50), "your next run day", True)
    text = snooze_reply(result, date(2026, 11, 27)).text
    assert text == "OK, nothing extra: the next one comes Fri 06:50 (your next run day)."
