"""The weekly digest setting: ``/settings digest sun 19:00`` (off by default) and its schedule.

The digest is a row of ``digests`` with its next due instant; the sweep's
:class:`bot.digests.DigestSource` writes it out as a delivery. Changing the time
zone moves the next one (this service listens to settings changes).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.dates import parse_weekday
from bot.daytimes import parse_clock
from bot.models import WEEKDAYS, CheckIn, Run, User, week_start
from bot.nudges.recurrence import runner_zone
from bot.nudges.schedule import Occurrence, Rule, next_occurrence, parse_hhmm, wall_at
from bot.storage.database import Database
from bot.storage.digests import DigestRow
from bot.storage.uow import UnitOfWork
from bot.texts import progress as texts

DIGEST_KIND = "weekly_digest"


def parse_digest(text: str) -> tuple[int, str] | None:
    """``sun 19:00`` as (weekday, "HH:MM"); ``off`` as None."""
    words = text.strip().lower().split()
    if words in (["off"], ["none"], ["no"]):
        return None
    if len(words) != 2:
        raise texts.digest_day_and_time()
    day, clock = words
    return parse_weekday(day, hint=texts.DIGEST_EXAMPLE), parse_clock(clock)


def digest_rule(user: User, weekday: int, local_time: str) -> Rule | None:
    """When a runner's digest recurs: one weekday, one wall time, in their zone."""
    tz = runner_zone(user)
    if tz is None:
        return None
    at = parse_hhmm(local_time)
    return Rule(tz, lambda anchor: wall_at(anchor, at), frozenset({weekday}))


def next_digest(user: User, row: DigestRow, after: datetime) -> Occurrence | None:
    """The first digest due after ``after`` (for a later date than the last one)."""
    rule = digest_rule(user, row.weekday, row.local_time)
    if rule is None:
        return None
    return next_occurrence(rule, after, min_anchor=row.occurrence)


def digest_week(anchor: date) -> date:
    """The Monday of the week a digest sums up: its own from Friday on, else the last one."""
    if anchor.weekday() >= 4:
        return week_start(anchor)
    return week_start(anchor) - timedelta(weeks=1)


def describe(row: DigestRow | None) -> str:
    """``sun 19:00`` or ``off``."""
    if row is None:
        return texts.digest_setting(None)
    return texts.digest_setting(WEEKDAYS[row.weekday], row.local_time)


class DigestService:
    """Turns the digest on, off, or moves it; reschedules it when the zone changes."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def get(self, user: User) -> DigestRow | None:
        """The runner's digest, None when off."""
        async with self.db.reader() as uow:
            return await uow.digests.get(user.id)

    async def change(self, user: User, text: str) -> str:
        """``/settings digest sun 19:00`` or ``off``: the confirmation."""
        wanted = parse_digest(text)
        now = self.clock.now()
        async with self.db.uow() as uow:
            if wanted is None:
                removed = await uow.digests.remove(user.id)
                await uow.commit()
                return texts.DIGEST_OFF if removed else texts.DIGEST_ALREADY_OFF
            row = DigestRow(user.id, *wanted)
            occ = next_digest(user, row, now)
            await uow.digests.save(
                DigestRow(user.id, *wanted, occ.anchor if occ else None, occ.due if occ else None),
                now,
            )
            await uow.commit()
        when = f"{occ.due.astimezone(user.tz):%a %d %b} at {row.local_time}" if occ else "-"
        return texts.digest_on(WEEKDAYS[row.weekday], row.local_time, when)

    # --- listener: the time zone moves the next digest ---------------------------------

    async def on_settings_changed(self, uow: UnitOfWork, user: User, now: datetime) -> None:
        """Recompute the next digest from the runner's (new) time zone."""
        row = await uow.digests.get(user.id)
        if row is None:
            return
        occ = next_digest(user, DigestRow(user.id, row.weekday, row.local_time), now)
        await uow.digests.save(
            DigestRow(
                user.id,
                row.weekday,
                row.local_time,
                occ.anchor if occ else None,
                occ.due if occ else None,
            ),
            now,
        )

    async def on_run_logged(self, user: User, run: Run, now: datetime, shown_in: str = "") -> None:
        """Nothing: the digest reads the runs when it is due."""

    async def on_run_deleted(self, uow: UnitOfWork, user: User, run: Run, now: datetime) -> None:
        """Nothing: the digest reads the runs when it is due."""

    async def on_checkin(
        self, uow: UnitOfWork, user: User, checkin: CheckIn, now: datetime
    ) -> None:
        """Nothing: the digest reads the check-ins when it is due."""
