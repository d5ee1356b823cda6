"""Ready-made replies for the nudge commands."""

from __future__ import annotations

from datetime import date, time

from bot.coaching import bedtime_plan
from bot.messages import MAX_ACTION_BYTES
from bot.nudges.kinds import Kind
from bot.nudges.status import RaceInfo, SnoozeResult
from bot.nudges.texts import snooze_reply
from bot.storage.database import Database
from bot.texts.nudge_settings import bedtime_reply, race_reply, status_reply

from .conftest import Nudges, add_user, utc


async def test_status_reply_lists_every_kind_with_toggles(nudges: Nudges, db: Database) -> None:
    uid = await add_user(
        db, wake_time="07:00", quiet_start="22:00", quiet_end="07:00", bedtime="22:15"
    )
    await nudges.reschedule(uid)
    await nudges.settings.set_kind(uid, Kind.STRENGTH, False)
    reply = status_reply(await nudges.settings.status(uid), date(2026, 11, 26))
    assert "Morning sleep check-in: next tomorrow 07:00" in reply.text
    assert "Bedtime wind-down: next today 21:45" in reply.text
    assert "Strength: off" in reply.text
    assert "Pre-run mobility: not set up" in reply.text
    actions = [b.action for b in reply.all_buttons]
    assert "/nudge start strength" in actions and "/nudge stop sleep_checkin" in actions
    assert all(len(a.encode()) <= MAX_ACTION_BYTES for a in actions)


def test_bedtime_and_race_and_snooze_replies() -> None:
    plan = bedtime_plan(
        time(23, 45), time(22, 30), start_date=date(2026, 11, 23), today=date(2026, 11, 26)
    )
    text = bedtime_reply(plan).text
    assert "23:15" in text and "22:30" in text and "3 more weeks" in text
    assert "/settings bedtime" in bedtime_reply(None).text
    assert "10 days" in race_reply(RaceInfo(date(2026, 12, 6), "Valencia", 10)).text
    assert (
        "tomorrow 08:00"
        in snooze_reply(SnoozeResult(Kind.STRENGTH, utc(2026, 11, 27, 8)), date(2026, 11, 26)).text
    )
