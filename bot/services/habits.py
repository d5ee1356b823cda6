"""Habit check-ins: sleep, hip mobility, strength and the post-run snack."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

from bot.clock import Clock
from bot.coaching import FuelCheck, Recorded, session_after
from bot.dates import parse_checkin_day
from bot.daytimes import parse_bedtime, parse_hours
from bot.input_hygiene import check_digits, clean_text, quote
from bot.models import CheckIn, User
from bot.services.events import Listeners
from bot.storage.database import Database
from bot.storage.uow import UnitOfWork
from bot.texts import habits as texts

PLANK_EXERCISES = ("plank", "side-plank", "reverse-plank", "plank-with-movement")
MAX_FUEL_NOTE = 200
# A snack checked in this long before a run was logged counts for that run (the runner ate,
# then logged): the same window the post-run fuel nudge uses.
FUEL_LOOKBACK = timedelta(minutes=60)

_HOLD = re.compile(r"^(?:(?P<m>[0-9]+)(?:m|:))?(?P<s>[0-9]+)s?$")
_SETS = re.compile(
    r"^(?P<sets>[0-9]+)\s*[x×*]\s*(?P<reps>[0-9]+)"
    r"(?:\s*(?:@|at)?\s*(?P<load>[0-9]+(?:[.,][0-9]+)?)\s*(?P<unit>kg|kgs|lb|lbs)?)?$"
)


class HabitService:
    """Stores check-ins with the runner's local date."""

    def __init__(self, db: Database, clock: Clock, listeners: Listeners) -> None:
        self.db = db
        self.clock = clock
        self.listeners = listeners

    async def _store(self, user: User, checkin: CheckIn, replace: bool = False) -> Recorded:
        """Store a check-in (replacing the day's earlier one of the habit): one transaction."""
        async with self.db.uow() as uow:
            recorded = await self._store_in(uow, user, checkin, replace)
            await uow.commit()
        return recorded

    async def _store_in(
        self, uow: UnitOfWork, user: User, checkin: CheckIn, replace: bool = False
    ) -> Recorded:
        now = self.clock.now()
        replaced = False
        if checkin.source_key is not None:
            # The platform delivered this message before: answer as the first time.
            earlier = await uow.activity.checkin_by_source_key(checkin.source_key)
            if earlier is not None:
                return Recorded(earlier, created=False)
        if replace:
            for old in await uow.activity.checkins_between(
                user.id, checkin.local_date, checkin.local_date, checkin.habit
            ):
                await uow.activity.delete_checkin(user.id, old.id)
                replaced = True
        stored, created = await uow.activity.add_checkin(checkin, now)
        if created:
            await self.listeners.checkin(uow, user, stored, now)
        return Recorded(stored, created, replaced and created)

    def _day(self, user: User, day: str) -> date:
        """The check-in's local date: today, or a day typed as ``/log`` takes it (a week back)."""
        today = user.today(self.clock.now())
        return parse_checkin_day(day, today) if day.strip() else today

    async def sleep(
        self,
        user: User,
        hours: str,
        bedtime: str = "",
        source_key: str | None = None,
        day: str = "",
    ) -> Recorded:
        """A night's sleep, dated the morning you woke up (today unless ``day`` says)."""
        value = parse_hours(hours)
        bed, note = parse_bedtime(bedtime) if bedtime else (None, "")
        morning = self._day(user, day)
        checkin = CheckIn(
            user.id, "sleep", morning, hours=value, bedtime=bed, source_key=source_key
        )
        recorded = await self._store(user, checkin, replace=True)
        return dataclasses.replace(recorded, note=note)

    async def mobility(
        self, user: User, phase: str = "", source_key: str | None = None, day: str = ""
    ) -> Recorded:
        """A hip mobility session, before or after a run."""
        on = self._day(user, day)
        if phase and phase not in {"pre", "post"}:
            raise texts.not_pre_or_post(quote(phase))
        async with self.db.uow() as uow:
            if not phase:
                ran_that_day = await uow.activity.runs_between(user.id, on, on)
                phase = "post" if ran_that_day else "pre"
            for done in await uow.activity.checkins_between(user.id, on, on, "mobility"):
                if done.kind == phase:  # one pre and one post session a day
                    return Recorded(done, created=False)
            new = CheckIn(user.id, "mobility", on, kind=phase, source_key=source_key)
            recorded = await self._store_in(uow, user, new)
            await uow.commit()
        return recorded

    async def strength(
        self,
        user: User,
        exercise: str,
        detail: str = "",
        source_key: str | None = None,
        day: str = "",
    ) -> Recorded:
        """A plank hold (seconds) or deadlift sets (sets x reps, optional load)."""
        on = self._day(user, day)
        detail = detail.strip().lower()
        if exercise in PLANK_EXERCISES:
            seconds = parse_hold(detail, exercise)
            checkin = CheckIn(
                user.id, "strength", on, kind=exercise, seconds=seconds, source_key=source_key
            )
        elif exercise == "deadlift":
            sets, reps, load, unit = parse_sets(detail, "kg" if user.units == "km" else "lb")
            checkin = CheckIn(
                user.id,
                "strength",
                on,
                kind="deadlift",
                sets=sets,
                reps=reps,
                load=load,
                load_unit=unit if load is not None else None,
                source_key=source_key,
            )
        else:
            raise texts.untracked_exercise(quote(exercise))
        async with self.db.uow() as uow:
            recorded = await self._store_in(uow, user, checkin)
            history = await uow.activity.strength_checkins(user.id)
            await uow.commit()
        this = recorded.checkin.id
        before = session_after([c for c in history if c.id != this])
        return dataclasses.replace(recorded, due=before, next_session=session_after(history))

    async def fuel(
        self, user: User, what: str = "", source_key: str | None = None, day: str = ""
    ) -> Recorded:
        """The post-run snack (of today, or of an earlier day when ``day`` says)."""
        what = clean_text(what).strip()
        if len(what) > MAX_FUEL_NOTE:
            raise texts.fuel_note_too_long(MAX_FUEL_NOTE, len(what))
        now = self.clock.now()
        on = self._day(user, day)
        backdated = on != user.today(now)
        async with self.db.uow() as uow:
            if source_key is not None:
                earlier = await uow.activity.checkin_by_source_key(source_key)
                if earlier is not None:
                    return Recorded(earlier, created=False, fuel=FuelCheck(run_day=False))
            runs = await uow.activity.runs_between(user.id, on, on)
            snacks = await uow.activity.checkins_between(user.id, on, on, "fuel")
            latest = max((r.created_at for r in runs if r.created_at is not None), default=None)
            if backdated:
                latest = None  # a day gone by: its snack counts once, whenever it is told
                if snacks:
                    check = FuelCheck(run_day=bool(runs), counted_for_run=bool(runs))
                    return Recorded(snacks[-1], created=False, fuel=check)
            if latest is not None:
                # A snack eaten just before logging the run counts for it (as for the nudge).
                counted = [
                    s for s in snacks if s.created_at and s.created_at >= latest - FUEL_LOOKBACK
                ]
                if counted:
                    check = FuelCheck(run_day=True, counted_for_run=True)
                    return Recorded(counted[-1], created=False, fuel=check)
            elif snacks:
                return Recorded(snacks[-1], created=False, fuel=FuelCheck(run_day=bool(runs)))
            new = CheckIn(user.id, "fuel", on, note=what, source_key=source_key)
            recorded = await self._store_in(uow, user, new)
            await uow.commit()
        after = None if latest is None else max(0, int((now - latest).total_seconds() // 60))
        check = FuelCheck(run_day=bool(runs), minutes_after_run=after, backdated=backdated)
        return dataclasses.replace(recorded, fuel=check)


def parse_hold(text: str, exercise: str = "plank") -> int:
    """Seconds held, from ``60``, ``60s``, ``1:30`` or ``1m30s``."""
    if not text:
        raise texts.how_long_held(exercise)
    check_digits(text)
    minutes = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*(?:min|mins|minutes?)", text)
    if minutes:
        text = str(round(float(minutes.group(1)) * 60))
    match = _HOLD.match(text.replace(" ", ""))
    if not match:
        raise texts.hold_unreadable(quote(text))
    seconds = int(match.group("m") or 0) * 60 + int(match.group("s"))
    if not 5 <= seconds <= 1800:
        raise texts.hold_out_of_range(seconds)
    return seconds


def parse_sets(text: str, default_unit: str) -> tuple[int, int, float | None, str]:
    """``3x6``, ``3x6 60kg``, ``3 x 6 @ 135 lb``: sets, reps, load and its unit."""
    if not text:
        raise texts.how_many_sets()
    check_digits(text)
    match = _SETS.match(text)
    if not match:
        raise texts.sets_unreadable(quote(text))
    sets, reps = int(match.group("sets")), int(match.group("reps"))
    if not (1 <= sets <= 20 and 1 <= reps <= 50):
        raise texts.sets_out_of_range(sets, reps)
    load = float(match.group("load").replace(",", ".")) if match.group("load") else None
    unit = (match.group("unit") or default_unit).rstrip("s")
    limit = 500 if unit == "kg" else 1100
    if load is not None and not 0 < load <= limit:
        raise texts.load_out_of_range(load, unit, limit)
    return sets, reps, load, unit
