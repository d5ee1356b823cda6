"""A simulated month with the fake clock: a new runner from /start through daily logs and nudges.

Checks the three coaching rules over time: the bedtime plan steps earlier week by
week towards a bedtime that leaves 7 h before the wake time (and no further); the
plank target climbs only when the logged hold reached it; a snack counts once per
run, and a day without a run gets a plain check-in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from tests.fakes import Harness, fire
from tests.nudges.conftest import RecordingMessenger

START = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # Thursday; Berlin is UTC+1 all month
# Sweeps each day, in UTC: morning check-in (06:00 Berlin), pre-run (06:50), strength
# (18:30), and the evening, when the wind-down falls 30 min before the planned bedtime.
SWEEPS = ((5, 1), (5, 51), (17, 31), (21, 0), (21, 40), (22, 20), (22, 50))
RUN_DAYS = (0, 2, 5)  # Mon, Wed, Sat
HOLDS = [10, 10, 30, 35, 40, 40, 55, 60, 65, 70]  # what the runner holds, session by session


async def test_a_month_of_coaching(harness: Harness, clock: FakeClock) -> None:
    clock.set(START)
    messenger = RecordingMessenger("console", clock)
    harness.core.messengers["console"] = messenger
    chat = harness.chat()
    await chat.say("/start")
    # Bed at 00:30, up at 06:00: five and a half hours, and no target.
    for answer in ("Europe/Berlin", "km", "mon,wed,sat", "07:00", "00:30", "skip", "06:00"):
        reply = await chat.say(answer)
    assert "5 h 30 min of sleep" in reply.text and "towards 23:00" in reply.text
    await chat.say("tue,fri")
    done = await chat.say("18:30")
    assert "You're set up" in done.text

    bedtimes: dict[int, str] = {}  # day number -> bedtime the wind-down named
    targets: list[int] = []  # the plank target of each strength nudge
    holds = iter(HOLDS)
    plain_fuel_days = 0
    for day in range(30):
        midnight = datetime.combine((START + timedelta(days=day)).date(), datetime.min.time(), UTC)
        weekday = midnight.weekday()
        for hour, minute in SWEEPS:
            at = midnight + timedelta(hours=hour, minutes=minute)
            if at <= clock.now():
                continue
            clock.set(at)
            before = len(messenger.sent)
            await fire(harness)
            for sent in messenger.sent[before:]:
                kind = sent.reply.meta["nudge_kind"]
                chat.replies.append(sent.reply)
                if kind == "sleep_checkin":
                    await chat.press("7-8")
                elif kind == "wind_down":
                    found = re.search(r"\b(\d\d:\d\d)\b", sent.reply.text)
                    assert found, sent.reply.text
                    bedtimes[day] = found.group(1)
                elif kind == "strength":
                    target = re.search(r"plank (\d+) s", sent.reply.text)
                    assert target, sent.reply.text
                    targets.append(int(target.group(1)))
                    await chat.press("Done: deadlift")
                    held = next(holds)
                    reply = await chat.say(f"/strength plank {held}")
                    assert "Next time: plank" in reply.text
            if (hour, minute) == (5, 51) and weekday in RUN_DAYS:
                clock.advance(minutes=60)  # back from the run
                await chat.say("/log 8k 44:00")
                clock.advance(minutes=5)
                first = await chat.say("/fuel banana")
                assert "Refuelled early" in first.text
                again = await chat.say("/fuel")
                assert "One snack per run" in again.text
            if (hour, minute) == (17, 31) and weekday == 3:  # Thursday, no run: a plain snack
                plain = await chat.say("/fuel")
                assert "No run today" in plain.text and "Refuelled" not in plain.text
                plain_fuel_days += 1

    # The bedtime plan: 30 min the first week, then 15 a week, down to 23:00 and no further.
    weekly = [bedtimes[d] for d in range(0, 30, 7) if d in bedtimes]
    assert weekly == ["00:00", "23:45", "23:30", "23:15", "23:00"]
    last = datetime.strptime(weekly[-1], "%H:%M")
    assert datetime.strptime("06:00", "%H:%M") + timedelta(days=1) - last == timedelta(hours=7)
    assert len(bedtimes) == 30  # a wind-down every evening
    assert all(bedtimes[d] == weekly[d // 7] for d in bedtimes)  # never mid-week, never later
    # The plank target moves only on reached holds.
    # held: 10, 10, 30, 35, 40, 40, 55, 60, 65 (Tue and Fri, nine sessions in 30 days)
    assert targets == [30, 30, 30, 40, 40, 50, 50, 60, 70]
    # Fuel: one snack per run, plus the plain days.
    runs = await harness.runs(chat)
    fuel = await harness.checkins(chat, "fuel")
    assert len(fuel) == len(runs) + plain_fuel_days
    assert not [s for s in messenger.sent if s.reply.meta["nudge_kind"] == "post_run_fuel"]
    week = await chat.say("/week")
    assert "sessions on run days (pre " in week.text
