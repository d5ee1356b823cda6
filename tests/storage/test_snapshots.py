"""A reader is one read transaction: all its statements see one snapshot, on both backends."""

from __future__ import annotations

from datetime import date

from tests.fakes import Harness

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


async def test_a_reader_sees_one_snapshot_while_a_log_commits_between_its_reads(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    runner = await harness.user(chat)
    async with harness.db.reader() as uow:
        first = await uow.activity.recent_runs(runner.id, 10)
        logged = await chat.say("/log 10k 50:00")  # a /log committed meanwhile
        assert logged.text.startswith("Logged"), logged.text
        second = await uow.activity.recent_runs(runner.id, 10)
        totals = await uow.progress.run_totals(runner.id, *YEAR)
    assert [r.distance_m for r in first] == [r.distance_m for r in second] == [5000]
    assert (totals.runs, totals.distance_m) == (1, 5000)  # the same snapshot, not a mix
    async with harness.db.reader() as uow:  # a new reader sees the committed run
        now = await uow.progress.run_totals(runner.id, *YEAR)
    assert (now.runs, now.distance_m) == (2, 15000)


async def test_a_reader_is_not_held_up_by_a_writer_in_its_transaction(harness: Harness) -> None:
    """A write transaction open (not committed) is invisible to a reader and does not block it."""
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    runner = await harness.user(chat)
    async with harness.db.uow() as writer:
        await writer.activity.add_run(runner.id, date(2026, 11, 25), 8000, 2400, "", None,
                                      harness.clock.now())  # fmt: skip
        async with harness.db.reader() as uow:
            seen = await uow.progress.run_totals(runner.id, *YEAR)
        await writer.commit()
    assert (seen.runs, seen.distance_m) == (1, 5000)
    assert len(await harness.runs(chat)) == 2
