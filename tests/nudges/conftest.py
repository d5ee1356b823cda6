"""Nudge test helpers: recording messengers, seeding through repositories, and the wired parts.

The ``db`` and ``clock`` fixtures come from ``tests/conftest.py`` (every
database test runs on SQLite and PostgreSQL).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.bootstrap import build_core
from bot.budget import Place
from bot.clock import FakeClock
from bot.core.dispatch import Core
from bot.delivery.sweep import SweepReport, SweepSettings
from bot.messages import Reply
from bot.models import WEEKDAYS, CheckIn, Run
from bot.nudges import planner
from bot.nudges.kinds import Kind
from bot.ports import DeliveryError, Unreachable
from bot.services.nudge_answers import NudgeAnswers
from bot.services.nudges import NudgeSettingsService
from bot.storage.database import Database
from bot.storage.deliveries import Delivery
from bot.storage.nudges import OneOff, ScheduleRow
from bot.storage.tables import identities as identities_table
from bot.storage.uow import UnitOfWork
from tests.delivery import VirtualTime

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Sent:
    """One message the fake platform accepted."""

    platform_user_id: str
    reply: Reply
    dedupe_key: str | None
    at: datetime
    group: bool = False


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
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Record one attempt; raise the next scripted error, if any."""
        await self._send(platform_user_id, reply, dedupe_key, group=False)

    async def send_group(
        self,
        chat_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Record one group post attempt."""
        await self._send(chat_id, reply, dedupe_key, group=True)

    async def _send(self, chat: str, reply: Reply, dedupe_key: str | None, *, group: bool) -> None:
        self.calls.append((chat, self.clock.now()))
        if chat in self.refuse:
            raise Unreachable("bot was blocked by the user")
        for key in (chat, "*"):
            errors = self.script.get(key)
            if errors:
                raise errors.pop(0)
        self.sent.append(Sent(chat, reply, dedupe_key, self.clock.now(), group))

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


def days(names: str) -> tuple[int, ...]:
    """``"mon,wed"`` as weekday numbers."""
    return tuple(sorted(WEEKDAYS.index(n) for n in names.split(",") if n))


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
    """A runner with settings and identities (the later ones seen more recently).

    An ``"auto"`` account id is ``u<user id>``. Extra identities are joined as
    /link would: a runner per account, merged into the first.
    """
    async with db.uow() as uow:
        user_id = await create_user(
            uow,
            timezone=timezone,
            run_days=run_days,
            run_time=run_time,
            bedtime=bedtime,
            target_bedtime=target_bedtime,
            wake_time=wake_time,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            nudge_platform=nudge_platform,
            identities=identities,
        )
        await uow.commit()
    return user_id


async def create_user(
    uow: UnitOfWork,
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
    """What ``add_user`` writes, inside a unit of work the caller commits (many at once)."""
    user_id = 0
    for n, (platform, pid) in enumerate(identities):
        auto = pid == "auto"
        if auto:  # named after the runner's id, known once the runner exists
            pid = f"new-{n}"
        seen = CREATED + timedelta(seconds=n)
        await uow.runners.create(platform, pid, "", seen)
        found = await uow.runners.find(platform, pid)
        assert found is not None
        new_id = found.user.id
        if auto:
            await uow.runners.conn.execute(
                update(identities_table)
                .where(
                    identities_table.c.platform == platform,
                    identities_table.c.platform_user_id == pid,
                )
                .values(platform_user_id=f"u{new_id}")
            )
        if n == 0:
            user_id = new_id
        else:
            code = f"link-{new_id}"
            await uow.runners.save_link_code(code, new_id, seen + timedelta(days=1))
            await uow.runners.merge(code, new_id, user_id)
    await uow.runners.update(
        user_id,
        timezone=timezone,
        run_days=days(run_days),
        run_time=run_time,
        bedtime=bedtime,
        target_bedtime=target_bedtime,
        wake_time=wake_time,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        nudge_platform=nudge_platform,
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
    seconds: int | None = None,
) -> None:
    """Store a habit check-in."""
    checkin = CheckIn(
        user_id, habit, date.fromisoformat(local_date), kind=kind, hours=hours, seconds=seconds
    )
    async with db.uow() as uow:
        await uow.activity.add_checkin(checkin, datetime.fromisoformat(created_at))
        await uow.commit()


async def add_run(db: Database, user_id: int, local_date: str, created_at: str) -> int:
    """Store a 5 km run (nothing planned for it); returns its id."""
    async with db.uow() as uow:
        run, _, _ = await uow.activity.add_run(
            user_id,
            date.fromisoformat(local_date),
            5000,
            1500,
            "",
            None,
            datetime.fromisoformat(created_at),
        )
        await uow.commit()
    return run.id


async def set_user(db: Database, user_id: int, column: str, value: str | None) -> None:
    """Change one profile column (the lead's /settings would)."""
    async with db.uow() as uow:
        await uow.runners.update(user_id, **{column: value})
        await uow.commit()


@dataclass
class Nudges:
    """The nudge parts as the app wires them, on fakes: services, sweeper, recording platforms."""

    db: Database
    clock: FakeClock
    core: Core
    telegram: RecordingMessenger
    discord: RecordingMessenger
    time: VirtualTime

    @property
    def settings(self) -> NudgeSettingsService:
        """/nudges, /pause, /race... (and the reschedule)."""
        return self.core.services.nudge_settings

    @property
    def answers(self) -> NudgeAnswers:
        """The nudge buttons: snooze, skip, done; /nudges test."""
        return self.core.services.nudge_answers

    async def sweep(self) -> SweepReport:
        """One sweep, then let the queues send (moving the fake clock as they pace)."""

        async def sweep_and_send() -> SweepReport:
            report = await self.core.sweeper.sweep()
            await self.core.sweeper.drain()
            return report

        return await self.time.run(sweep_and_send())

    async def next_due(self) -> datetime | None:
        """The first instant a sweep would find anything to write or claim."""
        async with self.db.reader() as uow:
            # Club posts have no such instant: with a challenge open, every sweep counts.
            assert not await uow.clubs.open_challenges(self.clock.now() - timedelta(days=2))
            found = [await uow.nudges.next_due(), await uow.deliveries.next_due()]
            digests = await uow.digests.due(datetime.max.replace(tzinfo=UTC), 1)
        found += [d.next_due for d in digests]
        return min((d for d in found if d is not None), default=None)

    async def sweep_every(self, step: timedelta, rounds: int) -> int:
        """What a sweep every ``step`` for ``rounds`` steps from now does, on a fixed grid as
        the app's interval job runs (a long drain does not push the later rounds back), without
        the sweeps that would find nothing due: the clock jumps to the first round at or
        after the next due instant, and sweeps there. The sweeps run."""
        swept = 0
        start = self.clock.now()
        last = rounds  # rounds are start + k * step, k = 1..rounds
        done = 0
        while done < last:
            due = await self.next_due()
            now = self.clock.now()
            # The first round after the last one run, at or after ``due`` and not before now.
            wanted = max(now, due) if due is not None else start + step * last
            k = max(done + 1, -((start - wanted) // step))
            if k > last:
                break
            at = start + step * k
            if at > now:
                self.clock.set(at)
            done = k
            if due is not None and due <= self.clock.now():
                await self.sweep()
                swept += 1
        if self.clock.now() < start + step * last:
            self.clock.set(start + step * last)
        return swept

    async def reschedule(self, *user_ids: int) -> int:
        """Recompute schedules (every runner when no id is given)."""
        return await self.settings.reschedule_users(list(user_ids) or None)

    async def deliveries(self, kind: Kind | None = None) -> list[Delivery]:
        """Every delivery record, oldest first (of one kind)."""
        async with self.db.reader() as uow:
            rows = await uow.deliveries.listing()
        return [d for d in rows if kind is None or d.kind == kind.value]

    async def schedules(self, user_id: int) -> list[ScheduleRow]:
        """A runner's schedule rows."""
        async with self.db.reader() as uow:
            return await uow.nudges.schedules(user_id)

    async def schedule(self, user_id: int, kind: Kind) -> ScheduleRow:
        """A runner's schedule row of one kind."""
        [row] = [r for r in await self.schedules(user_id) if r.kind == kind.value]
        return row

    async def pending_oneoffs(self, user_id: int) -> list[OneOff]:
        """Snoozes and snack nudges still to come."""
        async with self.db.reader() as uow:
            return await uow.nudges.pending_oneoffs(user_id)

    async def oneoff_states(self, user_id: int) -> dict[str, str]:
        """Occurrence -> state of every one-off of a runner."""
        async with self.db.reader() as uow:
            return await uow.nudges.oneoff_states(user_id)

    async def log_run(self, user_id: int, day: str, at: datetime | None = None) -> int:
        """Log a run (now, or ``at``) with its snack nudge, as /log does; the run id."""
        logged = at or self.clock.now()
        async with self.db.uow() as uow:
            user = await uow.runners.get(user_id)
            assert user is not None
            run_day = date.fromisoformat(day)
            due = planner.snack_due(user, run_day, logged)
            run, _, _ = await uow.activity.add_run(
                user_id, run_day, 5000, 1500, "", None, logged, due
            )
            await uow.commit()
        return run.id

    async def delete_run(self, user_id: int, run_id: int) -> Run | None:
        """What /undo does: delete the run (its snack nudge goes with the row)."""
        async with self.db.uow() as uow:
            run = await uow.activity.delete_run(user_id, run_id)
            await uow.commit()
        return run


HARNESS_LEASE_SECONDS = 120.0  # the lease the sweep had before leases were renewed


def make_nudges(
    db: Database,
    clock: FakeClock,
    settings: SweepSettings | None = None,
    *,
    platforms: tuple[str, ...] = ("telegram", "discord"),
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> Nudges:
    """The wired parts on ``db`` with recording messengers for ``platforms``.

    Pacing sleeps in :class:`VirtualTime` (drive it with ``time.run``) unless
    another ``sleep`` is given.
    """
    time = VirtualTime(clock)
    # The app sweeps every few seconds, and each sweep renews its claims' leases; a test
    # sweeps once and drains while the simulated clock races on as the database works.
    # So the harness's lease outlasts any drain, unless a test sets one to watch it lapse.
    settings = settings or SweepSettings(lease_seconds=HARNESS_LEASE_SECONDS)
    core = build_core(db, clock, settings, sleep=sleep or time.sleep)
    telegram = RecordingMessenger("telegram", clock)
    discord = RecordingMessenger("discord", clock)
    for messenger in (telegram, discord):
        if messenger.platform in platforms:
            core.messengers[messenger.platform] = messenger
    return Nudges(db, clock, core, telegram, discord, time)


@pytest.fixture
def nudges(db: Database, clock: FakeClock) -> Nudges:
    """The nudge parts on the test database, Telegram and Discord running."""
    return make_nudges(db, clock)


@pytest.fixture
def telegram(nudges: Nudges) -> RecordingMessenger:
    """The recording Telegram messenger."""
    return nudges.telegram


@pytest.fixture
def discord(nudges: Nudges) -> RecordingMessenger:
    """The recording Discord messenger."""
    return nudges.discord
