"""Members' tallies kept by the unit of work: every write to runs and check-ins moves the board.

The board reads ``challenge_members.value`` (recounted before commit,
bot/storage/challenge_counts.py), so each way a run or check-in is written, changed or
removed must show on it.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from bot.messages import Attachment
from bot.runfiles.strava import StravaExport
from bot.services.strava_import import StravaImporter
from bot.storage.database import Database
from bot.storage.tables import challenge_members, challenges, clubs, runs, users
from bot.storage.uow import UnitOfWork
from tests.clubs.conftest import club_chat
from tests.fakes import Harness

DATA = Path(__file__).resolve().parent.parent / "data"


async def _board(harness: Harness, who: str = "ann", name: str = "") -> list[str]:
    reply = await club_chat(harness, who).say(f"/challenge board {name}".strip())
    return reply.text.splitlines()[2:]


async def _winter_miles(harness: Harness, *members: str) -> None:
    await club_chat(harness, "ann", admin=True).say(
        "/challenge create Winter Miles distance today 4w"
    )
    for name in members:
        await club_chat(harness, name).say("/challenge join Winter Miles")


async def test_log_undo_edit_and_delete_each_move_the_board(harness: Harness) -> None:
    await _winter_miles(harness, "ann", "bob")
    bob = harness.chat("bob", "telegram")
    await bob.say("/log 5k 25:00")
    assert (await _board(harness))[0].startswith("1. Bob 5.00 km")
    await bob.say("/undo")
    assert (await _board(harness))[:2] == ["1. Ann (you) 0.00 km", "1. Bob 0.00 km"]
    await bob.say("/log 8k 40:00")  # run #2
    await bob.say("/edit 2 distance 10km")
    assert (await _board(harness))[0].startswith("1. Bob 10.00 km")
    await bob.say("/edit 2 date yesterday")  # Wed 25 Nov: before the start
    assert (await _board(harness))[1] == "1. Bob 0.00 km"
    await bob.say("/edit 2 date today")
    await harness.chat("ann", "telegram").say("/log 10k 50:00")
    # Equal: Bob's run was logged first, so he leads (his run's id is the earlier one).
    assert (await _board(harness))[:2] == ["1. Bob 10.00 km", "1. Ann (you) 10.00 km"]
    await bob.say("/delete 2")
    assert (await _board(harness))[:2] == ["1. Ann (you) 10.00 km", "2. Bob 0.00 km"]


async def test_a_second_log_on_a_counted_day_does_not_move_ahead(harness: Harness) -> None:
    """Days count once: who got to a number of days first stays ahead of a second run."""
    await club_chat(harness, "ann", admin=True).say("/challenge create Run Days days today 4w")
    for name in ("ann", "bob"):
        await club_chat(harness, name).say("/challenge join Run Days")
    ann, bob = harness.chat("ann", "telegram"), harness.chat("bob", "telegram")
    await ann.say("/log 5k 25:00")
    await bob.say("/log 5k 25:00")
    await ann.say("/log 3k 15:00")  # the same day again: still 1 day, reached first
    assert (await _board(harness, "bob", "Run Days"))[:2] == [
        "1. Ann 1 day",
        "1. Bob (you) 1 day",
    ]
    harness.clock.advance(days=1)
    await bob.say("/log 5k 25:00")  # Bob's second day: ahead now
    await ann.say("/log 5k 25:00")  # Ann's second day, after Bob's
    assert (await _board(harness, "bob", "Run Days"))[:2] == [
        "1. Bob (you) 2 days",
        "1. Ann 2 days",
    ]


async def test_a_run_outside_the_window_or_after_the_freeze_changes_nothing(
    harness: Harness,
) -> None:
    await _winter_miles(harness, "bob")
    bob = harness.chat("bob", "telegram")
    await bob.say("/log 5k 25:00 yesterday")  # the day before the start
    tcx = (DATA / "runfiles" / "run.tcx").read_bytes()  # a run from 2015
    assert "Logged" in (await bob.say("/log", attachments=(Attachment("run.tcx", tcx),))).text
    assert (await _board(harness))[0] == "1. Bob 0.00 km"
    await bob.say("/log 3k 18:00")
    ann = club_chat(harness, "ann", admin=True)
    await ann.say("/challenge end Winter Miles")
    ended = await ann.press("End it now")
    assert "1. Bob 3.00 km" in ended.text
    await bob.say("/log 7k 35:00")
    assert "1. Bob 3.00 km" in "\n".join(await _board(harness, name="Winter Miles"))
    async with harness.db.reader() as uow:  # the frozen challenge's tally was left alone
        value = await uow.clubs.conn.scalar(select(challenge_members.c.value))
    assert value == 3000.0


async def test_check_ins_and_the_slept_replacement_move_habit_boards(harness: Harness) -> None:
    admin = club_chat(harness, "ann", admin=True)
    await admin.say("/challenge create Sleep Week sleep today 7d")
    await admin.say("/challenge create Hips mobility today 7d")
    await admin.say("/challenge join Sleep Week")
    await admin.say("/challenge join Hips")
    dm = harness.chat("ann", "telegram")
    await dm.say("/slept 8")
    assert (await _board(harness, name="Sleep Week"))[0] == "1. Ann (you) 1 night"
    assert (await dm.say("/slept 6")).text.startswith("Updated")  # last night, replaced
    assert (await _board(harness, name="Sleep Week"))[0] == "1. Ann (you) 0 nights"
    await dm.say("/mobility pre")
    await dm.say("/mobility post")
    assert (await _board(harness, name="Hips"))[0] == "1. Ann (you) 2 sessions"
    assert (await _board(harness, name="Sleep Week"))[0] == "1. Ann (you) 0 nights"


async def test_forget_removes_the_runner_and_their_numbers(harness: Harness) -> None:
    await _winter_miles(harness, "ann", "bob")
    await harness.chat("ann", "telegram").say("/log 4k 20:00")
    bob = harness.chat("bob", "telegram")
    await bob.say("/log 6k 30:00")
    [confirm, _] = (await bob.say("/forget")).all_buttons
    assert (await bob.say("", action=confirm.action)).text.startswith("Done")
    lines = await _board(harness)
    assert lines[0].startswith("1. Ann (you) 4.00 km") and lines[-1] == "1 member"


async def test_runs_written_by_the_repository_and_a_strava_import_count(
    harness: Harness,
) -> None:
    await _winter_miles(harness, "bob")
    bob = await harness.user(harness.chat("bob", "telegram"))
    async with harness.db.uow() as uow:  # not through a chat: no other path than /log's
        await uow.activity.add_run(
            bob.id, date(2026, 11, 27), 1500.0, 600, "", None, harness.clock.now()
        )
        await uow.commit()
    assert (await _board(harness))[0].startswith("1. Bob 1.50 km")
    harness.clock.set(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))  # after the sample's runs
    with StravaExport(DATA / "strava_export") as export:
        await StravaImporter(harness.db, harness.clock).run(bob, export)
    async with harness.db.reader() as uow:
        window = await uow.activity.runs_between(bob.id, date(2026, 11, 26), date(2026, 12, 23))
    expected = sum(r.distance_m for r in window) / 1000
    assert len(window) > 2  # the import added runs in the window
    assert (await _board(harness))[0].startswith(f"1. Bob {expected:.2f} km")


async def test_ending_early_recounts_the_shorter_window(harness: Harness) -> None:
    await _winter_miles(harness, "bob")
    bob = await harness.user(harness.chat("bob", "telegram"))
    await harness.chat("bob", "telegram").say("/log 5k 25:00")
    async with harness.db.uow() as uow:  # a run dated after today (another time zone)
        await uow.activity.add_run(
            bob.id, date(2026, 11, 27), 2000.0, 600, "", None, harness.clock.now()
        )
        await uow.commit()
    assert (await _board(harness))[0].startswith("1. Bob 7.00 km")
    ann = club_chat(harness, "ann", admin=True)
    await ann.say("/challenge end Winter Miles")
    ended = await ann.press("End it now")
    assert "1. Bob 5.00 km" in ended.text  # the last day counted is today


async def test_the_board_ranks_as_window_functions_rank_every_member(db: Database) -> None:
    """Ties at every level, members with nothing, every viewer: board rows = full ranking."""
    rng = random.Random(3)
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    start = date(2026, 11, 26)
    async with db.uow() as uow:
        conn = uow.clubs.conn
        await conn.execute(
            insert(users),
            [{"id": i, "display_name": f"R{i}", "created_at": now} for i in range(1, 41)],
        )
        await conn.execute(
            insert(clubs).values(id=1, platform="console", chat_id="c", created_at=now)
        )
        for cid, metric in ((1, "distance"), (2, "days")):
            await conn.execute(
                insert(challenges).values(
                    id=cid,
                    club_id=1,
                    name=metric,
                    metric=metric,
                    start_date=start,
                    end_date=start + timedelta(days=6),
                    channel="c",
                    created_at=now,
                )
            )
            await conn.execute(
                insert(challenge_members),
                [
                    {"challenge_id": cid, "user_id": i, "joined_at": now + timedelta(minutes=i % 5)}
                    for i in rng.sample(range(1, 41), 30)
                ],
            )
        await conn.execute(
            insert(runs),
            [
                {
                    "user_id": rng.randrange(1, 41),
                    "local_date": start + timedelta(days=rng.randrange(-2, 9)),
                    "distance_m": float(rng.choice((3000, 5000))),
                    "duration_s": 1500,
                    "created_at": now,
                }
                for _ in range(70)
            ],
        )
        await uow.commit()
    async with db.reader() as uow:
        for cid in (1, 2):
            challenge = await uow.clubs.challenge(cid)
            assert challenge is not None
            full = await uow.clubs.ranking(challenge)
            assert len({s.value for s in full.rows}) < 15  # plenty of ties
            for top in (0, 3, 10):
                for viewer in (None, *range(1, 41)):
                    board = await uow.clubs.board(challenge, viewer, top)
                    want = [s for s in full.rows if s.position <= top or s.user_id == viewer]
                    assert board.rows == tuple(want), (cid, top, viewer)
                    if want:  # no row, no counts (as before: they come with the rows)
                        assert (board.members, board.total) == (full.members, full.total)


async def test_no_tally_triggers_or_functions_are_left_after_migrating(db: Database) -> None:
    """The unit of work keeps the tallies: migration 0011 dropped 0010's triggers."""
    async with db.reader() as uow:
        conn = uow.clubs.conn
        if db.is_sqlite:
            found = await conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            )
        else:
            found = await conn.execute(
                text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal UNION ALL "
                    "SELECT proname FROM pg_proc WHERE proname LIKE '%_tally'"
                )
            )
        names = {row[0] for row in found}
    assert names == set()


async def test_a_members_row_moved_to_another_runner_is_recounted(harness: Harness) -> None:
    await _winter_miles(harness, "bob")
    ann = await harness.user(harness.chat("ann", "telegram"))
    bob = await harness.user(harness.chat("bob", "telegram"))
    await harness.chat("ann", "telegram").say("/log 9k 45:00")
    async with harness.db.uow() as uow:  # what /link does: Bob's membership moves to Ann
        await uow.runners.merge("no-code", bob.id, ann.id)
        await uow.commit()
    assert (await _board(harness))[0].startswith("1. Ann (you) 9.00 km")


async def test_two_transactions_logging_for_one_member_both_count(harness: Harness) -> None:
    """PostgreSQL, read committed: the second recount waits for the first and sees its run."""
    if harness.db.is_sqlite:
        return  # one writer at a time: nothing to interleave
    await _winter_miles(harness, "bob")
    bob = await harness.user(harness.chat("bob", "telegram"))

    async def run(uow: UnitOfWork, metres: float) -> Any:
        day = date(2026, 11, 26)
        return await uow.activity.add_run(bob.id, day, metres, 600, "", None, harness.clock.now())

    async with harness.db.uow() as first, harness.db.uow() as second:
        await run(first, 1000.0)  # holds bob's row until it commits
        waiting = asyncio.create_task(run(second, 2000.0))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await first.commit()
        await waiting
        await second.commit()
    assert (await _board(harness))[0].startswith("1. Bob 3.00 km")


async def test_a_join_and_a_run_in_two_transactions_both_count(harness: Harness) -> None:
    """PostgreSQL: a run logged while the runner's join is not committed yet waits for the
    join (both take the runner's row first), then counts on the board."""
    if harness.db.is_sqlite:
        return  # one writer at a time: nothing to interleave
    await _winter_miles(harness)  # nobody has joined
    await harness.chat("bob", "telegram").say("/help")
    bob = await harness.user(harness.chat("bob", "telegram"))
    async with harness.db.reader() as uow:
        challenge_id = int(await uow.activity.conn.scalar(select(challenges.c.id)) or 0)
    now = harness.clock.now()
    async with harness.db.uow() as joining, harness.db.uow() as logging:
        await joining.clubs.join(challenge_id, bob.id, now, date(2026, 12, 25))
        run = logging.activity.add_run(bob.id, date(2026, 11, 26), 4000.0, 1200, "", None, now)
        waiting = asyncio.create_task(run)
        await asyncio.sleep(0.3)
        assert not waiting.done()  # waits for the join's transaction
        await joining.commit()
        await asyncio.wait_for(waiting, 10)
        await logging.commit()
    assert (await _board(harness, "bob"))[0].startswith("1. Bob (you) 4.00 km")
