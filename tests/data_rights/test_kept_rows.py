"""Rows that must outlive a runner (frozen challenge results) stay, as a 'former member'.

Challenge tables are not in this branch yet: this test declares two tables the way
a later one would (the schema is the real one plus these) and forgets a runner.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, Float, ForeignKey, Integer, MetaData, Table, Text, select

from bot.storage.database import Database
from bot.storage.personal import PersonalDataRepository, Removed
from bot.storage.tables import PERSONAL_ANONYMIZE, metadata
from tests.data_rights.runners import NAME_TG, OTHER_ID, OTHER_NAME, TELEGRAM_ID, chat
from tests.fakes import Harness

schema = MetaData()
for _table in metadata.sorted_tables:
    _table.to_metadata(schema)
results = Table(
    "test_challenge_results",
    schema,
    Column("id", Integer, primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),  # CASCADE: anonymized before users go
        info=PERSONAL_ANONYMIZE,
    ),
    Column("display_name", Text, info=PERSONAL_ANONYMIZE),
    Column("distance_m", Float, nullable=False),
)
run_files = Table(  # no marker of its own: it goes with the run it belongs to
    "test_run_files",
    schema,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("track", Text, nullable=False),
)


@pytest.fixture
async def extra_tables(db: Database) -> AsyncIterator[None]:
    """The two tables, created for this test and dropped after it."""
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: schema.create_all(c, tables=[results, run_files]))
    try:
        yield
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: schema.drop_all(c, tables=[run_files, results]))


async def test_kept_rows_lose_the_runner_and_owned_rows_go(
    harness: Harness, extra_tables: None
) -> None:
    db = harness.db
    runner = chat(harness, "telegram", TELEGRAM_ID, NAME_TG)
    other = chat(harness, "telegram", OTHER_ID, OTHER_NAME)
    await runner.say("/log 5k 25:00")
    await other.say("/log 3k 18:00")
    me, them = (await harness.user(runner)).id, (await harness.user(other)).id
    [my_run], [their_run] = await harness.runs(runner), await harness.runs(other)
    async with db.uow() as uow:
        conn = uow.personal.conn
        await conn.execute(
            results.insert(),
            [
                {"user_id": me, "display_name": NAME_TG, "distance_m": 42000.0},
                {"user_id": them, "display_name": OTHER_NAME, "distance_m": 21000.0},
            ],
        )
        await conn.execute(
            run_files.insert(),
            [{"run_id": my_run.id, "track": "<gpx mine/>"}, {"run_id": their_run.id, "track": "x"}],
        )
        await uow.commit()

    async with db.reader() as uow:
        repo = PersonalDataRepository(uow.personal.conn, db.dialect, schema)
        exported = {t.name: t for t in await repo.rows([me])}
        counts = await repo.counts([me])
    assert [r[2] for r in exported["test_challenge_results"].rows] == [NAME_TG]
    assert [r[2] for r in exported["test_run_files"].rows] == ["<gpx mine/>"]
    assert counts["test_challenge_results"] == Removed(0, 1)

    async with db.uow() as uow:
        repo = PersonalDataRepository(uow.personal.conn, db.dialect, schema)
        forgotten = await repo.forget([me])
        await uow.commit()

    assert forgotten.tables["test_challenge_results"] == Removed(deleted=0, anonymized=1)
    assert forgotten.tables["test_run_files"] == Removed(deleted=1)
    assert forgotten.tables["users"] == Removed(deleted=1)
    async with db.reader() as uow:
        conn = uow.personal.conn
        kept = (await conn.execute(select(results).order_by(results.c.id))).all()
        files = (await conn.execute(select(run_files))).all()
    assert [(r.user_id, r.display_name, r.distance_m) for r in kept] == [
        (None, None, 42000.0),  # a former member's result
        (them, OTHER_NAME, 21000.0),
    ]
    assert [f.track for f in files] == ["x"]
    assert len(await harness.runs(other)) == 1
