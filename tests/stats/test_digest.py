"""The weekly digest: opt-in, sent at the runner's local time through the sweep, chart attached."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import FakeClock
from bot.storage.database import Database
from tests.fakes import FakeChat
from tests.nudges.conftest import Nudges, make_nudges
from tests.stats.helpers import png_size


@pytest.fixture
def nudges(db: Database, clock: FakeClock) -> Nudges:
    """The wired parts with recording Telegram and Discord messengers."""
    return make_nudges(db, clock)


def telegram_chat(nudges: Nudges) -> FakeChat:
    return FakeChat(nudges.core, "telegram", "4242")


async def test_digest_arrives_at_sunday_19_local_with_the_chart(nudges: Nudges) -> None:
    chat = telegram_chat(nudges)
    await chat.say("/settings timezone Europe/Berlin")  # UTC+1 in November
    await chat.say("/log 10k 55:00 2026-11-24")
    await chat.say("/log 5k 25:00")
    await chat.say("/slept 7.5")
    await chat.say("/fuel")

    reply = await chat.say("/settings digest sun 19:00")
    assert "Weekly digest on: every Sun at 19:00, your time (next: Sun 29 Nov at 19:00)" in (
        reply.text
    )

    nudges.clock.set(datetime(2026, 11, 29, 17, 59, tzinfo=UTC))  # 18:59 in Berlin
    await nudges.sweep()
    assert [s for s in nudges.telegram.sent if "week in review" in s.reply.text] == []

    nudges.clock.set(datetime(2026, 11, 29, 18, 0, 30, tzinfo=UTC))  # 19:00:30 in Berlin
    await nudges.sweep()
    await nudges.sweep()  # a second sweep sends nothing twice

    [digest] = [s for s in nudges.telegram.sent if "week in review" in s.reply.text]
    assert digest.platform_user_id == "4242"
    text = digest.reply.text
    assert text.startswith("Your week in review (Mon 23 Nov - Sun 29 Nov):")
    assert "🏃 2 runs · 15.00 km · 1:20:00" in text
    assert "😴 Sleep: 1 of 1 logged night at 7 h or more" in text
    assert "🍌 Fuel: a snack on 1 of 2 run days" in text
    [chart] = digest.reply.attachments
    assert chart.mime_type == "image/png" and png_size(chart.data)[0] == 1000

    # The next one is a week later.
    nudges.clock.set(datetime(2026, 12, 6, 18, 1, tzinfo=UTC))
    await nudges.sweep()
    digests = [s for s in nudges.telegram.sent if "week in review" in s.reply.text]
    assert len(digests) == 2
    assert digests[1].reply.text.startswith("Your week in review (Mon 30 Nov - Sun 06 Dec):")


async def test_no_digest_unless_asked_for_or_after_off(nudges: Nudges) -> None:
    chat = telegram_chat(nudges)
    await chat.say("/log 5k 25:00")
    other = FakeChat(nudges.core, "telegram", "777")
    await other.say("/settings digest sun 19:00")
    await other.say("/settings digest off")

    nudges.clock.set(datetime(2026, 11, 29, 19, 0, 30, tzinfo=UTC))
    await nudges.sweep()

    assert [s for s in nudges.telegram.sent if "week in review" in s.reply.text] == []
    async with nudges.db.reader() as uow:
        rows = await uow.deliveries.listing()
    assert [d for d in rows if d.kind == "weekly_digest"] == []


async def test_moving_the_time_zone_moves_the_digest(nudges: Nudges) -> None:
    chat = telegram_chat(nudges)
    await chat.say("/settings digest mon 07:30")
    await chat.say("/settings timezone America/New_York")  # UTC-5

    nudges.clock.set(datetime(2026, 11, 30, 7, 31, tzinfo=UTC))  # 02:31 in New York
    await nudges.sweep()
    assert [s for s in nudges.telegram.sent if "week in review" in s.reply.text] == []

    nudges.clock.set(datetime(2026, 11, 30, 12, 31, tzinfo=UTC))  # 07:31 in New York
    await nudges.sweep()
    [digest] = [s for s in nudges.telegram.sent if "week in review" in s.reply.text]
    # On a Monday the digest sums up the week that just ended.
    assert digest.reply.text.startswith("Your week in review (Mon 23 Nov - Sun 29 Nov):")


async def test_a_digest_missed_by_more_than_the_grace_is_skipped(nudges: Nudges) -> None:
    chat = telegram_chat(nudges)
    await chat.say("/settings digest sun 19:00")

    nudges.clock.set(datetime(2026, 11, 29, 23, 0, tzinfo=UTC))  # 4 h late: the bot was down
    await nudges.sweep()

    assert [s for s in nudges.telegram.sent if "week in review" in s.reply.text] == []
    async with nudges.db.reader() as uow:
        rows = await uow.deliveries.listing()
    [row] = [d for d in rows if d.kind == "weekly_digest"]
    assert (row.status, row.reason) == ("skipped", "stale")


@pytest.mark.parametrize(
    ("value", "answer"),
    [
        ("sun", "Say the day and the time of your digest, or off."),
        ("funday 19:00", "I can't read 'funday' as a day of the week."),
        ("sundae 19:00", "I can't read 'sundae' as a day of the week."),
        ("mon,thu 19:00", "I can't read 'mon,thu' as a day of the week."),
        ("sun 25:00", "'25:00' isn't a time of day."),
    ],
)
async def test_bad_digest_settings_are_refused(nudges: Nudges, value: str, answer: str) -> None:
    chat = telegram_chat(nudges)

    reply = await chat.say(f"/settings digest {value}")

    assert reply.text.startswith(answer)
    assert "digest: off" in (await chat.say("/settings")).text


async def test_a_digest_is_not_a_nudge_to_answer(nudges: Nudges) -> None:
    chat = telegram_chat(nudges)
    await chat.say("/settings digest sun 19:00")
    nudges.clock.set(datetime(2026, 11, 29, 19, 0, 30, tzinfo=UTC))
    await nudges.sweep()
    async with nudges.db.reader() as uow:
        [digest] = [d for d in await uow.deliveries.listing() if d.kind == "weekly_digest"]

    reply = await chat.say(f"/nudge done {digest.id}")

    assert reply.text.startswith("That nudge is not yours or no longer exists.")
