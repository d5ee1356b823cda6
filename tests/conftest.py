"""Shared fixtures: the real core on a real database (SQLite, PostgreSQL), and a fake chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.storage.database import Database
from tests.databases import BACKENDS, open_database
from tests.fakes import Harness, make_harness


@pytest.fixture
def clock() -> FakeClock:
    """Thursday 26 Nov 2026, 12:00 UTC; tests move it."""
    return FakeClock()


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An opened, migrated, empty database: every test using it runs on both backends."""
    async for database in open_database(request.param, tmp_path):
        yield database


@pytest.fixture
async def harness(db: Database, clock: FakeClock) -> AsyncIterator[Harness]:
    """A core on the test database."""
    yield make_harness(db, clock)
