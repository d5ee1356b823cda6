"""Shared fixtures: a real core on a temporary SQLite file, driven by a fake chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.fakes import Harness, make_harness


@pytest.fixture
def clock() -> FakeClock:
    """Thursday 26 Nov 2026, 12:00 UTC; tests move it."""
    return FakeClock()


@pytest.fixture
async def harness(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    """A core on a temporary database, opened and closed around the test."""
    h = make_harness(tmp_path / "pacer.db", clock)
    await h.db.open()
    try:
        yield h
    finally:
        await h.db.close()
