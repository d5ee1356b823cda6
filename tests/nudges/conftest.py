"""Fakes for the nudge tests: a movable clock, a recording messenger, a real SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.core.messages import Reply
from bot.nudges.engine import EngineSettings, NudgeEngine
from bot.ports import DeliveryError, Messenger
from bot.storage.database import Database


@dataclass(frozen=True)
class Sent:
    """One message the fake platform accepted."""

    platform_user_id: str
    reply: Reply
    dedupe_key: str | None
    at: datetime


@dataclass
class RecordingMessenger:
    """A messenger that records what it sends and can be told to fail."""

    platform: str
    clock: FakeClock
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, datetime]] = field(default_factory=list)
    # Errors to raise, in order, for a chat (then it succeeds); "*" applies to every chat.
    script: dict[str, list[DeliveryError]] = field(default_factory=dict)
    refuse: set[str] = field(default_factory=set)

    async def send_direct(
        self, platform_user_id: str, reply: Reply, *, dedupe_key: str | None = None
    ) -> None:
        """Record one attempt; raise the next scripted error, if any."""
        from bot.ports import Unreachable

        self.calls.append((platform_user_id, self.clock.now()))
        if platform_user_id in self.refuse:
            raise Unreachable("bot was blocked by the user")
        for key in (platform_user_id, "*"):
            errors = self.script.get(key)
            if errors:
                raise errors.pop(0)
        self.sent.append(Sent(platform_user_id, reply, dedupe_key, self.clock.now()))

    def texts(self) -> list[str]:
        """The texts sent, in order."""
        return [s.reply.text for s in self.sent]


def fake_sleep(clock: FakeClock) -> Callable[[float], Awaitable[None]]:
    """A sleep that moves the fake clock instead of waiting."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    return sleep


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware UTC instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


async def add_user(
    db: Database,
    *,
    timezone: str = "UTC",
    run_days: str = "",
    run_time: str | None = None,
    bedtime: str | None = None,
    target_bedtime: str | None = None,
    wake_time: str | None = None,
    quiet_start: str | None = None,
    quiet_end: str | None = None,
    nudge_platform: str | None = None,
    identities: tuple[tuple[str, str], ...] = (("telegram", "auto"),),
) -> int:
    """Insert a runner (and identities) with plain SQL, as the lead's repository would."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO users (timezone, run_days, run_time, bedtime, target_bedtime, wake_time,"
            " quiet_start, quiet_end, nudge_platform, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                timezone,
                run_days,
                run_time,
                bedtime,
                target_bedtime,
                wake_time,
                quiet_start,
                quiet_end,
                nudge_platform,
                "2026-01-01T00:00:00+00:00",
            ),
        )
        user_id = cur.lastrowid
        assert user_id is not None
        for n, (platform, pid) in enumerate(identities):
            await conn.execute(
                "INSERT INTO identities (platform, platform_user_id, user_id, last_seen_at)"
                " VALUES (?, ?, ?, ?)",
                (
                    platform,
                    f"u{user_id}" if pid == "auto" else pid,
                    user_id,
                    f"2026-01-01T00:00:0{n}+00:00",
                ),
            )
    return user_id


async def add_checkin(
    db: Database,
    user_id: int,
    habit: str,
    local_date: str,
    *,
    kind: str = "",
    created_at: str = "2026-01-01T00:00:00+00:00",
    hours: float | None = None,
) -> None:
    """Insert a habit check-in."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO checkins (user_id, habit, local_date, kind, hours, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, habit, local_date, kind, hours, created_at),
        )


async def add_run(db: Database, user_id: int, local_date: str, created_at: str) -> int:
    """Insert a run; returns its id."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO runs (user_id, local_date, distance_m, duration_s, created_at)"
            " VALUES (?, ?, 5000, 1500, ?)",
            (user_id, local_date, created_at),
        )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def set_user(db: Database, user_id: int, column: str, value: str | None) -> None:
    """Change one users column (the lead's /settings would)."""
    statements = {
        "timezone": "UPDATE users SET timezone = ? WHERE id = ?",
        "bedtime": "UPDATE users SET bedtime = ? WHERE id = ?",
        "target_bedtime": "UPDATE users SET target_bedtime = ? WHERE id = ?",
        "wake_time": "UPDATE users SET wake_time = ? WHERE id = ?",
        "run_time": "UPDATE users SET run_time = ? WHERE id = ?",
        "quiet_start": "UPDATE users SET quiet_start = ? WHERE id = ?",
        "quiet_end": "UPDATE users SET quiet_end = ? WHERE id = ?",
        "nudge_platform": "UPDATE users SET nudge_platform = ? WHERE id = ?",
    }
    async with db.transaction() as conn:
        await conn.execute(statements[column], (value, user_id))


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at Thursday 2026-11-26 12:00 UTC."""
    return FakeClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """A temporary SQLite file."""
    return str(tmp_path / "pacer.db")


@pytest.fixture
async def db(db_path: str) -> AsyncIterator[Database]:
    """An opened, migrated database on a temporary file."""
    database = Database(db_path)
    await database.open()
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def telegram(clock: FakeClock) -> RecordingMessenger:
    """A recording Telegram messenger."""
    return RecordingMessenger("telegram", clock)


@pytest.fixture
def discord(clock: FakeClock) -> RecordingMessenger:
    """A recording Discord messenger."""
    return RecordingMessenger("discord", clock)


@pytest.fixture
def messengers(
    telegram: RecordingMessenger, discord: RecordingMessenger
) -> Iterator[dict[str, Messenger]]:
    """Both platforms, as the app would offer them."""
    yield {"telegram": telegram, "discord": discord}


@pytest.fixture
def engine(db: Database, clock: FakeClock, messengers: dict[str, Messenger]) -> NudgeEngine:
    """An engine on the fakes, with the default settings."""
    return NudgeEngine(db, clock, messengers, EngineSettings(), sleep=fake_sleep(clock))
