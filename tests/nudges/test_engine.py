"""Nudges end to end: a real database (both backends), a fake clock, recording messengers."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.dates import parse_days
from bot.delivery.sweep import CLAIM_JOB_ID, SWEEP_JOB_ID, SweepSettings
from bot.errors import BadInput, NotFound
from bot.nudges.kinds import Kind
from bot.storage.database import Database

from .conftest import (
    Nudges,
    RecordingMessenger,
    add_checkin,
    add_run,
    add_user,
    create_user,
    days,
    fake_sleep,
    make_nudges,
    set_user,
    utc,
)


async def test_claim_and_send_once(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, timezone="Europe/London", wake_time="07:00")
    await nudges.reschedule(uid)
    status = await nudges.settings.status(uid)
    sleep = next(k for k in status.kinds if k.kind is Kind.SLEEP_CHECKIN)
    assert sleep.next_local == datetime(2026, 11, 27, 7, 0, tzinfo=ZoneInfo("Europe/London"))

    clock.set(utc(2026, 11, 27, 6, 59, 58))
    assert (await nudges.sweep()).claimed == 0
    clock.set(utc(2026, 11, 27, 7, 0, 3))
    report = await nudges.sweep()
    assert (report.claimed, report.queued) == (1, 1)
    assert len(telegram.sent) == 1
    sent = telegram.sent[0]
    assert sent.platform_user_id == f"u{uid}"
    assert [b.action for b in sent.reply.buttons[0]] == [
        "/slept 5.5",
        "/slept 6.5",
        "/slept 7.5",
        "/slept 8.5",
    ]
    [record] = await nudges.deliveries()
    assert (record.status, record.attempts, record.occurrence) == ("sent", 1, "2026-11-27")
    assert record.sent_at == utc(2026, 11, 27, 7, 0, 3) and record.platform == "telegram"
    assert sent.dedupe_key == f"pacer-{record.id}"

    assert (await nudges.sweep()).claimed == 0  # a second sweep finds nothing
    clock.set(utc(2026, 11, 28, 7, 0, 1))
    await nudges.sweep()
    assert len(telegram.sent) == 2


async def test_concurrent_sweeps_never_duplicate(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    users = [await add_user(db, wake_time="07:00") for _ in range(60)]
    await nudges.reschedule()
    clock.set(utc(2026, 11, 27, 7, 0, 5))
    sweeper = nudges.core.sweeper
    await nudges.time.run(asyncio.gather(sweeper.sweep(), sweeper.sweep(), sweeper.sweep()))
    await nudges.time.run(sweeper.drain())
    assert Counter(s.platform_user_id for s in telegram.sent) == Counter(f"u{u}" for u in users)


async def test_two_processes_on_one_database_never_duplicate(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    for _ in range(40):
        await add_user(db, wake_time="07:00")
    await nudges.reschedule()
    other_db = Database(db.url)
    await other_db.open(migrate=False)
    try:
        other = make_nudges(other_db, clock, platforms=("telegram",))
        clock.set(utc(2026, 11, 27, 7, 1))
        await asyncio.gather(nudges.sweep(), other.sweep())
        everyone = [s.platform_user_id for s in telegram.sent + other.telegram.sent]
        assert len(everyone) == 40 and len(set(everyone)) == 40
    finally:
        await other_db.close()


async def test_crash_between_claim_and_send_sends_once_after_restart(
    db: Database, clock: FakeClock
) -> None:
    # Changed with the sweep: a claim never tried goes back to due (it was not on the wire).
    uid = await add_user(db, wake_time="07:00")
    first = make_nudges(db, clock)
    await first.reschedule(uid)
    clock.set(utc(2026, 11, 27, 7, 0, 2))
    report = await first.core.sweeper.sweep()  # claimed and queued ...
    assert report.queued == 1
    # ... and the process dies before the queue sends it.

    clock.advance(minutes=3)  # past the claim's lease
    restarted = make_nudges(db, clock)
    assert (await restarted.sweep()).recovered == 1
    [record] = await restarted.deliveries()
    assert (record.status, record.sent_at) == ("sent", utc(2026, 11, 27, 7, 3, 2))
    assert first.telegram.sent == [] and len(restarted.telegram.sent) == 1  # once
    await restarted.sweep()
    clock.set(utc(2026, 11, 28, 7, 0, 2))
    await restarted.sweep()
    assert len(restarted.telegram.sent) == 2  # the next day's occurrence is unaffected


async def test_dead_claims_go_back_to_due_after_their_lease(db: Database, clock: FakeClock) -> None:
    uid = await add_user(db, wake_time="07:00")
    lease = SweepSettings(lease_seconds=30)
    dead = make_nudges(db, clock, lease)
    alive = make_nudges(db, clock, lease)
    await dead.reschedule(uid)
    clock.set(utc(2026, 11, 27, 6, 59))
    await alive.sweep()  # the live process is running already
    clock.set(utc(2026, 11, 27, 7, 0, 2))
    await dead.core.sweeper.sweep()  # claimed, never sent
    clock.advance(seconds=20)
    assert (await alive.sweep()).recovered == 0  # the lease (30 s) still holds
    assert [d.status for d in await alive.deliveries()] == ["claimed"]
    clock.advance(minutes=3)
    assert (await alive.sweep()).recovered == 1
    assert [d.status for d in await alive.deliveries()] == ["sent"]
    assert dead.telegram.sent == [] and len(alive.telegram.sent) == 1


@pytest.mark.parametrize(
    ("late_minutes", "sent"), [(0, True), (90, True), (119, True), (121, False)]
)
async def test_grace_window(
    nudges: Nudges,
    db: Database,
    clock: FakeClock,
    telegram: RecordingMessenger,
    late_minutes: int,
    sent: bool,
) -> None:
    uid = await add_user(db, wake_time="07:00")
    await nudges.reschedule(uid)
    clock.set(utc(2026, 11, 27, 7, 0) + timedelta(minutes=late_minutes))
    await nudges.sweep()
    assert len(telegram.sent) == int(sent)
    [record] = await nudges.deliveries()
    assert record.status == ("sent" if sent else "skipped")
    assert sum(d.reason == "stale" for d in await nudges.deliveries()) == int(not sent)
    if not sent:
        assert record.reason == "stale"


async def test_a_long_outage_never_bursts(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(
        db,
        wake_time="07:00",
        bedtime="23:00",
        run_days="mon,tue,wed,thu,fri,sat,sun",
        run_time="18:00",
    )
    await nudges.reschedule()
    clock.set(utc(2026, 12, 3, 8, 0))  # down for a week; this morning's 07:00 is within grace
    await nudges.sweep()
    assert [s.reply.meta["nudge_kind"] for s in telegram.sent] == ["sleep_checkin"]
    records = await nudges.deliveries()
    assert Counter((d.kind, d.status) for d in records) == {
        ("sleep_checkin", "skipped"): 1,  # the first missed one, recorded stale
        ("sleep_checkin", "sent"): 1,
        ("wind_down", "skipped"): 1,
        ("pre_run_mobility", "skipped"): 1,
    }
    assert {d.reason for d in records if d.status == "skipped"} == {"stale"}
    for row in await nudges.schedules(uid):
        assert row.next_due is None or row.next_due > utc(2026, 12, 3, 8)


async def test_no_nudge_for_a_habit_already_done(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(
        db, timezone="America/New_York", wake_time="06:00", run_days="fri,sat", run_time="07:00"
    )
    await nudges.reschedule(uid)
    await add_checkin(db, uid, "sleep", "2026-11-27", hours=7.5)
    await add_checkin(db, uid, "mobility", "2026-11-27", kind="pre")
    await add_run(db, uid, "2026-11-28", "2026-11-28T11:30:00+00:00")
    while clock.now() < utc(2026, 11, 29, 10):  # until Sunday 05:00 in New York
        clock.advance(minutes=15)
        await nudges.sweep()
    reasons = {(d.kind, str(d.anchor)): (d.status, d.reason) for d in await nudges.deliveries()}
    assert reasons[("sleep_checkin", "2026-11-27")] == ("skipped", "done")
    assert reasons[("pre_run_mobility", "2026-11-27")] == ("skipped", "done")
    assert reasons[("pre_run_mobility", "2026-11-28")] == ("skipped", "run already logged")
    assert reasons[("sleep_checkin", "2026-11-28")] == ("sent", "")
    assert [s.reply.meta["nudge_kind"] for s in telegram.sent] == ["sleep_checkin"]


async def test_snooze_20_minutes_then_skip_today(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, run_days="fri", run_time="07:00")
    await nudges.reschedule(uid)
    clock.set(utc(2026, 11, 27, 6, 50))
    await nudges.sweep()
    [first] = await nudges.deliveries()
    result = await nudges.answers.snooze(uid, first.id, "20m")
    assert result.due_local == utc(2026, 11, 27, 7, 10)
    clock.set(utc(2026, 11, 27, 7, 10, 1))
    await nudges.sweep()
    assert len(telegram.sent) == 2 and "Leg swings" in telegram.sent[1].reply.text
    second = (await nudges.deliveries())[-1]
    assert second.occurrence == "2026-11-27~z1"
    await nudges.answers.snooze(uid, second.id, "1h")
    await nudges.answers.skip_today(uid, second.id)  # changes their mind: no more today
    clock.set(utc(2026, 11, 27, 8, 30))
    await nudges.sweep()
    assert len(telegram.sent) == 2
    with pytest.raises(NotFound):
        await nudges.answers.snooze(uid + 1, first.id, "20m")
    with pytest.raises(BadInput):
        await nudges.answers.snooze(uid, first.id, "5m")


async def test_snooze_limit(nudges: Nudges, db: Database, clock: FakeClock) -> None:
    uid = await add_user(db, wake_time="07:00")
    await nudges.reschedule(uid)
    clock.set(utc(2026, 11, 27, 7, 0, 1))
    await nudges.sweep()
    for _ in range(3):
        last = (await nudges.deliveries())[-1]
        await nudges.answers.snooze(uid, last.id, "20m")
        clock.advance(minutes=21)
        await nudges.sweep()
    last = (await nudges.deliveries())[-1]
    with pytest.raises(BadInput):
        await nudges.answers.snooze(uid, last.id, "20m")


async def test_snooze_tomorrow(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, wake_time="07:00", run_days="fri", run_time="18:00")
    await nudges.reschedule(uid)
    clock.set(utc(2026, 11, 27, 7, 0, 1))
    await nudges.sweep()
    sleep = (await nudges.deliveries(Kind.SLEEP_CHECKIN))[0]
    merged = await nudges.answers.snooze(uid, sleep.id, "tomorrow")
    assert merged.note == "tomorrow's regular nudge"  # a daily nudge comes anyway
    clock.set(utc(2026, 11, 27, 17, 50, 1))
    await nudges.sweep()
    mobility = (await nudges.deliveries(Kind.PRE_RUN_MOBILITY))[0]
    # Run days are Fridays only: "tomorrow" on the mobility nudge is the next run day's.
    moved = await nudges.answers.snooze(uid, mobility.id, "tomorrow")
    assert (moved.due_local, moved.note, moved.regular) == (
        utc(2026, 12, 4, 17, 50),
        "your next run day",
        True,
    )
    clock.set(utc(2026, 11, 28, 7, 0, 2))
    await nudges.sweep()
    clock.set(utc(2026, 11, 28, 17, 50, 2))
    await nudges.sweep()  # Saturday, a rest day: nothing
    kinds = [s.reply.meta["nudge_kind"] for s in telegram.sent]
    assert kinds == ["sleep_checkin", "pre_run_mobility", "sleep_checkin"]
    assert await nudges.pending_oneoffs(uid) == []


async def test_pause_until_a_date(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, wake_time="07:00")
    await nudges.reschedule(uid)
    await nudges.settings.pause_until(uid, date(2026, 11, 29))
    for day in (27, 28, 29):
        clock.set(utc(2026, 11, day, 7, 0, 1))
        await nudges.sweep()
    statuses = [(str(d.anchor), d.status, d.reason) for d in await nudges.deliveries()]
    assert statuses == [
        ("2026-11-27", "skipped", "paused"),
        ("2026-11-28", "skipped", "paused"),
        ("2026-11-29", "sent", ""),
    ]
    assert (await nudges.settings.status(uid)).paused_until is None  # the resume date came: over
    with pytest.raises(BadInput):
        await nudges.settings.pause_until(uid, date(2026, 11, 1))
    assert await nudges.settings.pause_until(uid, None) is None


async def test_quiet_hours_move_the_morning_and_drop_the_wind_down(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(
        db,
        timezone="Europe/Berlin",
        wake_time="06:30",
        bedtime="22:30",
        quiet_start="22:00",
        quiet_end="07:00",
    )
    await nudges.reschedule(uid)
    status = {k.kind: k for k in (await nudges.settings.status(uid)).kinds}
    berlin = ZoneInfo("Europe/Berlin")
    assert status[Kind.SLEEP_CHECKIN].next_local == datetime(2026, 11, 27, 7, 0, tzinfo=berlin)
    wind_down = status[Kind.WIND_DOWN]
    # Week 0 of a plan without a target keeps 22:30, so the wind-down is 22:00: quiet.
    assert wind_down.next_local == datetime(2026, 11, 26, 22, 0, tzinfo=berlin)
    assert wind_down.skipped_in_quiet
    await nudges.sweep_every(timedelta(minutes=5), 24 * 12)
    records = {d.kind: d for d in await nudges.deliveries()}
    assert (records["wind_down"].status, records["wind_down"].reason) == ("skipped", "quiet hours")
    assert records["sleep_checkin"].status == "sent"
    assert [s.at.astimezone(berlin).strftime("%H:%M") for s in telegram.sent] == ["07:00"]


async def test_unreachable_marks_the_identity_and_falls_back(
    nudges: Nudges,
    db: Database,
    clock: FakeClock,
    telegram: RecordingMessenger,
    discord: RecordingMessenger,
) -> None:
    uid = await add_user(db, wake_time="07:00", identities=(("discord", "d1"), ("telegram", "t1")))
    telegram.refuse.add("t1")
    await nudges.reschedule(uid)
    clock.set(utc(2026, 11, 27, 7, 0, 1))
    await nudges.sweep()  # telegram was seen last, so it is tried first
    [record] = await nudges.deliveries()
    assert (record.status, record.platform) == ("unreachable", "telegram")
    async with db.reader() as uow:
        accounts = (await uow.runners.identities([uid]))[uid]
    rows = sorted((a.platform, a.unreachable_since) for a in accounts)
    assert rows == [("discord", None), ("telegram", utc(2026, 11, 27, 7, 0, 1))]
    clock.set(utc(2026, 11, 28, 7, 0, 1))
    await nudges.sweep()
    assert [s.platform_user_id for s in discord.sent] == ["d1"]
    assert len(telegram.calls) == 1  # never tried again


async def test_no_reachable_chat_is_recorded_not_sent(
    nudges: Nudges, db: Database, clock: FakeClock
) -> None:
    uid = await add_user(db, wake_time="07:00", identities=(("whatsapp", "w1"),))
    await nudges.reschedule(uid)
    clock.set(utc(2026, 11, 27, 7, 0, 1))
    await nudges.sweep()
    [record] = await nudges.deliveries()
    assert (record.status, record.reason) == ("unreachable", "no reachable chat")


async def test_the_chosen_platform_wins(
    nudges: Nudges,
    db: Database,
    clock: FakeClock,
    telegram: RecordingMessenger,
    discord: RecordingMessenger,
) -> None:
    uid = await add_user(
        db,
        wake_time="07:00",
        nudge_platform="discord",
        identities=(("discord", "d1"), ("telegram", "t1")),
    )
    await nudges.reschedule(uid)
    clock.set(utc(2026, 11, 27, 7, 0, 1))
    await nudges.sweep()
    assert len(discord.sent) == 1 and telegram.sent == []
    await set_user(db, uid, "nudge_platform", None)  # no choice: where they last talked
    clock.set(utc(2026, 11, 28, 7, 0, 1))
    await nudges.sweep()
    assert len(telegram.sent) == 1


async def test_post_run_fuel_once_and_only_without_a_snack(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, timezone="Europe/Paris")
    logged = utc(2026, 11, 26, 12, 0)
    await nudges.log_run(uid, "2026-11-26", logged)
    clock.set(logged + timedelta(minutes=20, seconds=2))
    await nudges.sweep()
    assert [s.reply.buttons[0][0].action for s in telegram.sent] == ["/fuel"]
    clock.advance(hours=2)
    await nudges.sweep()
    assert len(telegram.sent) == 1

    logged2 = utc(2026, 11, 26, 17, 0)
    await nudges.log_run(uid, "2026-11-26", logged2)
    await add_checkin(db, uid, "fuel", "2026-11-26", created_at="2026-11-26T17:05:00+00:00")
    clock.set(logged2 + timedelta(minutes=21))
    await nudges.sweep()
    assert len(telegram.sent) == 1
    assert (await nudges.deliveries())[-1].reason == "done"

    await nudges.log_run(uid, "2026-11-20", logged2)  # logged for an earlier day: none
    await nudges.settings.set_kind(uid, Kind.POST_RUN_FUEL, False)
    await nudges.log_run(uid, "2026-11-26", logged2)  # the kind is off: none
    clock.advance(hours=2)
    await nudges.sweep()
    assert len(telegram.sent) == 1


async def test_stop_and_enable_a_kind(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, wake_time="07:00")
    await nudges.reschedule(uid)
    await nudges.settings.set_kind(uid, Kind.SLEEP_CHECKIN, False)
    await nudges.reschedule(uid)  # a settings change must not re-enable it
    status = {k.kind: k for k in (await nudges.settings.status(uid)).kinds}
    assert not status[Kind.SLEEP_CHECKIN].enabled and status[Kind.SLEEP_CHECKIN].next_local is None
    clock.set(utc(2026, 11, 27, 7, 0, 1))
    await nudges.sweep()
    assert telegram.sent == []
    await nudges.settings.set_kind(uid, Kind.SLEEP_CHECKIN, True)
    clock.set(utc(2026, 11, 28, 7, 0, 1))
    await nudges.sweep()
    assert len(telegram.sent) == 1
    assert not status[Kind.STRENGTH].configured and "strength" in status[Kind.STRENGTH].note


async def test_send_test_sends_one_of_each_kind_paced_per_chat(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, bedtime="23:00")
    result = await nudges.answers.send_test(uid)
    assert [r.kind for r in result] == list(Kind) and all(r.delivery_id for r in result)
    await nudges.sweep()
    assert [s.reply.meta["nudge_kind"] for s in telegram.sent] == [k.value for k in Kind]
    gaps = [(b.at - a.at).total_seconds() for a, b in pairwise(telegram.sent)]
    assert all(g >= 1.0 for g in gaps)  # Telegram: one message a second per chat
    assert {d.status for d in await nudges.deliveries()} == {"sent"}


async def test_bedtime_plan_drives_the_wind_down_and_the_race_shows(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, timezone="Europe/London", bedtime="23:45", target_bedtime="22:30")
    await nudges.reschedule(uid)
    plan = await nudges.settings.bedtime_status(uid)
    assert plan is not None
    assert (plan.this_week.isoformat(), plan.target.isoformat(), plan.weeks_to_go) == (
        "23:15:00",
        "22:30:00",
        3,
    )
    wind = {k.kind: k for k in (await nudges.settings.status(uid)).kinds}[Kind.WIND_DOWN]
    assert wind.next_local is not None and wind.next_local.strftime("%H:%M") == "22:45"
    await nudges.settings.set_race(uid, date(2026, 12, 6), "Valencia Marathon")
    clock.set(utc(2026, 11, 26, 22, 45, 1))
    await nudges.sweep()
    assert "Valencia Marathon" in telegram.sent[0].reply.text
    assert "23:15" in telegram.sent[0].reply.text
    # A week later the plan has moved 15 minutes.
    clock.set(utc(2026, 12, 3, 22, 30, 1))
    await nudges.sweep()
    assert "23:00" in telegram.sent[-1].reply.text
    replan = await nudges.settings.set_bedtime_step(uid, 10)
    assert (replan.this_week.isoformat(), replan.weeks_to_go) == ("23:00:00", 3)
    with pytest.raises(BadInput):
        await nudges.settings.set_bedtime_step(uid, 45)
    await set_user(db, uid, "bedtime", "00:30")  # a new usual bedtime restarts the plan
    await nudges.reschedule(uid)
    restarted = await nudges.settings.bedtime_status(uid)
    assert restarted is not None and restarted.this_week.isoformat() == "00:00:00"


async def test_strength_days_and_progression(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(db, timezone="+02:00")
    await nudges.settings.set_strength(uid, days("fri"), "18:30")
    for n in range(3):  # each hold reached its target: 30, 40, 50 s
        await add_checkin(
            db, uid, "strength", f"2026-11-0{n + 1}", kind="plank", seconds=30 + 10 * n
        )
    clock.set(utc(2026, 11, 27, 16, 30, 1))
    await nudges.sweep()
    [sent] = telegram.sent
    assert sent.reply.buttons[0][0].action == "/strength plank 60"
    with pytest.raises(BadInput):
        parse_days("someday")  # what /settings strength_days someday is refused by


async def test_timezone_change_reschedules(nudges: Nudges, db: Database) -> None:
    uid = await add_user(db, wake_time="07:00")
    await nudges.reschedule(uid)
    await set_user(db, uid, "timezone", "Asia/Tokyo")
    await nudges.reschedule(uid)
    row = await nudges.schedule(uid, Kind.SLEEP_CHECKIN)
    assert row.next_due == utc(2026, 11, 26, 22) and row.local_time == "07:00"


async def test_a_wake_time_in_the_gap_is_sent_at_three_sharp_in_new_york(
    nudges: Nudges, db: Database, clock: FakeClock
) -> None:
    uid = await add_user(db, timezone="America/New_York", wake_time="02:40")
    clock.set(utc(2027, 3, 13, 12))
    await nudges.reschedule(uid)
    row = await nudges.schedule(uid, Kind.SLEEP_CHECKIN)
    assert row.next_due == utc(2027, 3, 14, 7) and row.local_time == "03:00"


@pytest.mark.parametrize(
    ("tz", "wake", "start", "expected_local"),
    [
        (
            "America/New_York",
            "01:30",
            utc(2026, 10, 31, 12),
            ["2026-11-01 01:30 EDT", "2026-11-02 01:30 EST"],
        ),
        (
            "America/New_York",
            "02:30",
            utc(2026, 3, 7, 12),
            ["2026-03-08 03:00 EDT", "2026-03-09 02:30 EDT"],
        ),
        (
            "Europe/London",
            "01:30",
            utc(2026, 10, 24, 12),
            ["2026-10-25 01:30 BST", "2026-10-26 01:30 GMT"],
        ),
        (
            "Australia/Sydney",
            "02:30",
            utc(2026, 10, 2, 23),
            ["2026-10-04 03:00 AEDT", "2026-10-05 02:30 AEDT"],
        ),
        (
            "Australia/Sydney",
            "02:30",
            utc(2026, 4, 4, 1),
            ["2026-04-05 02:30 AEDT", "2026-04-06 02:30 AEST"],
        ),
    ],
)
async def test_dst_nights_through_the_engine(
    nudges: Nudges,
    db: Database,
    clock: FakeClock,
    telegram: RecordingMessenger,
    tz: str,
    wake: str,
    start: datetime,
    expected_local: list[str],
) -> None:
    clock.set(start)
    await add_user(db, timezone=tz, wake_time=wake)
    await nudges.reschedule()
    await nudges.sweep_every(timedelta(minutes=5), 2 * 24 * 12)
    zone = ZoneInfo(tz)
    got = [s.at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") for s in telegram.sent]
    assert got == expected_local


async def test_thousands_of_runners_across_zones_each_get_one_on_time(
    db: Database, clock: FakeClock
) -> None:
    zones = [
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "America/Sao_Paulo",
        "America/St_Johns",
        "Europe/London",
        "Europe/Berlin",
        "Europe/Athens",
        "Europe/Moscow",
        "Africa/Lagos",
        "Africa/Johannesburg",
        "Asia/Dubai",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Asia/Shanghai",
        "Asia/Tokyo",
        "Australia/Sydney",
        "Australia/Adelaide",
        "Pacific/Auckland",
        "Pacific/Chatham",
        "Pacific/Honolulu",
        "UTC",
        "+05:30",
        "-03:00",
        "Asia/Singapore",
        "Europe/Madrid",
        "America/Mexico_City",
        "Asia/Tehran",
        "Pacific/Kiritimati",
    ]
    nudges = make_nudges(db, clock, platforms=("telegram",))
    telegram = nudges.telegram
    users: dict[int, str] = {}
    async with db.uow() as uow:  # the runners as add_user makes them, in one transaction
        for n in range(3000):
            tz = zones[n % len(zones)]
            wake = f"{5 + n % 4:02d}:{(n * 7) % 60:02d}"
            users[await create_user(uow, timezone=tz, wake_time=wake)] = wake
        await uow.commit()
    await nudges.reschedule()
    # One day of a sweep a minute: every local wake time comes exactly once.
    await nudges.sweep_every(timedelta(seconds=60), 24 * 60 - 1)
    per_user = Counter(s.platform_user_id for s in telegram.sent)
    assert per_user == Counter({f"u{u}": 1 for u in users})
    records = {d.user_id: d for d in await nudges.deliveries()}
    for uid, wake in users.items():
        record = records[uid]
        assert record.status == "sent" and record.sent_at is not None
        lateness = record.sent_at - record.due_at
        assert timedelta(0) <= lateness <= timedelta(seconds=90)
        tz = zones[(uid - 1) % len(zones)]
        local = record.due_at.astimezone(ZoneInfo(tz) if "/" in tz or tz == "UTC" else None)
        if "/" in tz:
            assert local.strftime("%H:%M") == wake


async def test_one_sweep_job_on_a_real_asyncio_scheduler(db: Database, clock: FakeClock) -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    nudges = make_nudges(
        db,
        clock,
        SweepSettings(sweep_seconds=0.05),
        platforms=("telegram",),
        sleep=fake_sleep(clock),
    )
    telegram = nudges.telegram
    for _ in range(20):
        await add_user(db, wake_time="07:00")
    await nudges.reschedule()
    clock.set(utc(2026, 11, 27, 7, 0, 1))
    scheduler = AsyncIOScheduler(timezone=UTC)
    nudges.core.sweeper.start(scheduler)
    scheduler.start()
    try:
        [job] = scheduler.get_jobs()
        assert (job.id, job.max_instances, job.coalesce) == ("delivery-sweep", 1, True)
        for _ in range(200):
            if len(telegram.sent) == 20:
                break
            await asyncio.sleep(0.02)
    finally:
        scheduler.shutdown(wait=False)
        await nudges.core.sweeper.stop()
    assert len(telegram.sent) == 20
    assert {d.status for d in await nudges.deliveries()} == {"sent"}


async def test_a_snooze_never_lands_in_quiet_hours(
    nudges: Nudges, db: Database, clock: FakeClock, telegram: RecordingMessenger
) -> None:
    uid = await add_user(
        db,
        wake_time="07:00",
        bedtime="21:30",
        run_days="thu",
        run_time="21:00",
        quiet_start="21:30",
        quiet_end="06:00",
    )
    await nudges.reschedule(uid)
    clock.set(utc(2026, 11, 26, 20, 50, 1))
    await nudges.sweep()
    [mobility] = await nudges.deliveries(Kind.PRE_RUN_MOBILITY)
    dropped = await nudges.answers.snooze(uid, mobility.id, "1h")
    assert dropped.due_local is None and "quiet" in dropped.note
    clock.set(utc(2026, 11, 27, 7, 0, 1))
    await nudges.sweep()
    [sleep] = await nudges.deliveries(Kind.SLEEP_CHECKIN)
    later = await nudges.answers.snooze(uid, sleep.id, "1h")
    assert later.due_local == utc(2026, 11, 27, 8, 0, 1) and later.note == ""
    assert [p.kind for p in await nudges.pending_oneoffs(uid)] == ["sleep_checkin"]
    await set_user(db, uid, "quiet_start", "08:30")
    await set_user(db, uid, "quiet_end", "09:30")
    clock.set(utc(2026, 11, 27, 8, 0, 2))
    await nudges.sweep()  # the snoozed check-in comes back at 08:00:01 ...
    snoozed = (await nudges.deliveries(Kind.SLEEP_CHECKIN))[-1]
    assert snoozed.occurrence == "2026-11-27~z1"
    moved = await nudges.answers.snooze(uid, snoozed.id, "1h")  # ... 09:00 is quiet: moved to 09:30
    assert moved.due_local == utc(2026, 11, 27, 9, 30) and "quiet" in moved.note


class RecordingScheduler:
    """Stands in for APScheduler: remembers the jobs it was given."""

    def __init__(self) -> None:
        self.jobs: list[dict[str, object]] = []

    def add_job(self, func: object, trigger: str, **kwargs: object) -> None:
        """Remember one job."""
        self.jobs.append({"func": func, "trigger": trigger, **kwargs})


async def test_start_registers_the_sweep_job_and_the_first_sweep_recovers_dead_claims(
    db: Database, clock: FakeClock
) -> None:
    uid = await add_user(db, wake_time="07:00")
    dead = make_nudges(db, clock)
    await dead.reschedule(uid)
    clock.set(utc(2026, 11, 27, 7, 0, 2))
    await dead.core.sweeper.sweep()  # claimed, never sent
    scheduler = RecordingScheduler()
    nudges = make_nudges(db, clock, SweepSettings(sweep_seconds=3))
    nudges.core.sweeper.start(scheduler)
    jobs = {job["id"]: job for job in scheduler.jobs}
    # One sweep job; on a shared database (PostgreSQL) also the claim between sweeps.
    assert len(jobs) == len(scheduler.jobs)
    assert set(jobs) == ({SWEEP_JOB_ID} if db.is_sqlite else {SWEEP_JOB_ID, CLAIM_JOB_ID})
    for job_id, seconds in ((SWEEP_JOB_ID, 3), (CLAIM_JOB_ID, 1.0)):
        if job_id not in jobs:
            continue
        job = jobs[job_id]
        assert (job["trigger"], job["seconds"], job["max_instances"], job["coalesce"]) == (
            "interval",
            seconds,
            1,
            True,
        )
    clock.advance(minutes=3)  # past the dead process's lease
    report = await nudges.time.run(nudges.core.sweeper.sweep())
    assert report.recovered == 1
    await nudges.time.run(nudges.core.sweeper.stop())
    # Changed with the sweep: never tried, so it goes back to due and is sent, once.
    assert [(d.status, d.reason) for d in await nudges.deliveries()] == [("sent", "")]
    assert dead.telegram.sent == [] and len(nudges.telegram.sent) == 1


async def test_stop_loses_nothing_queued(db: Database, clock: FakeClock) -> None:
    # Changed with the sweep: stop no longer waits for the queue to empty; what was not
    # on the wire goes back to due (how much depends on how far the worker got) and the
    # next process sends it. The intent stays: every queued nudge is sent, none twice.
    for _ in range(3):
        await add_user(db, wake_time="07:00")
    nudges = make_nudges(db, clock)
    await nudges.reschedule()
    nudges.core.sweeper.start(RecordingScheduler())
    clock.set(utc(2026, 11, 27, 7, 0, 2))
    assert (await nudges.time.run(nudges.core.sweeper.sweep())).queued == 3
    released = await nudges.time.run(nudges.core.sweeper.stop())
    assert len(nudges.telegram.sent) + released == 3
    statuses = [d.status for d in await nudges.deliveries()]
    assert sorted(statuses) == sorted(["sent"] * (3 - released) + ["due"] * released)
    restarted = make_nudges(db, clock)
    await restarted.sweep()
    chats = [s.platform_user_id for s in nudges.telegram.sent + restarted.telegram.sent]
    assert len(chats) == 3 and len(set(chats)) == 3
    assert {d.status for d in await restarted.deliveries()} == {"sent"}


async def test_a_morning_rush_keeps_telegram_limits_and_records_attempts(
    db: Database, clock: FakeClock
) -> None:
    from bot.ports import RateLimited, TransientDeliveryError

    nudges = make_nudges(db, clock)  # its lease outlasts the drain (see make_nudges)
    telegram = nudges.telegram
    users = [await add_user(db, wake_time="07:00") for _ in range(120)]
    await nudges.reschedule()
    telegram.script[f"u{users[0]}"] = [RateLimited(3.0)]
    telegram.script[f"u{users[1]}"] = [TransientDeliveryError("502")] * 3
    clock.set(utc(2026, 11, 27, 7, 0, 2))
    await nudges.sweep()
    times = sorted(s.at for s in telegram.sent)
    for i, t in enumerate(times):
        assert sum(1 for u in times[i:] if u < t + timedelta(seconds=1)) <= 30
    assert len(telegram.sent) == 119 and len({s.platform_user_id for s in telegram.sent}) == 119
    records = {d.user_id: d for d in await nudges.deliveries()}
    limited = records[users[0]]
    assert (limited.status, limited.attempts) == ("sent", 2)
    assert limited.sent_at is not None and limited.sent_at >= utc(2026, 11, 27, 7, 0, 5)
    failed = records[users[1]]
    assert (failed.status, failed.attempts, failed.reason) == ("failed", 3, "transient error: 502")
    assert sum(d.status == "sent" for d in records.values()) == 119
