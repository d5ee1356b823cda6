"""Habit check-ins: sleep, hip mobility, strength and the post-run snack."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.coaching import StrengthSession, session_after
from bot.dates import parse_bedtime, parse_hours
from bot.errors import BadInput
from bot.input_hygiene import check_digits, clean_text, quote
from bot.models import CheckIn, User
from bot.services.events import Listeners
from bot.storage.database import Database
from bot.storage.uow import UnitOfWork

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


@dataclass(frozen=True, slots=True)
class FuelCheck:
    """Where a /fuel landed: on a run day (and how long after the run), counted already."""

    run_day: bool
    counted_for_run: bool = False  # this run's snack was checked in before: nothing stored
    minutes_after_run: int | None = None  # from logging the latest run to this snack


@dataclass(frozen=True, slots=True)
class Recorded:
    """A stored check-in; ``replaced`` when it took the place of an earlier one."""

    checkin: CheckIn
    created: bool
    replaced: bool = False
    note: str = ""  # how an ambiguous input was read, for the reply
    # Strength: the session that was due before this check-in, and the next one.
    due: StrengthSession | None = None
    next_session: StrengthSession | None = None
    fuel: FuelCheck | None = None


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

    async def sleep(
        self, user: User, hours: str, bedtime: str = "", source_key: str | None = None
    ) -> Recorded:
        """Last night's sleep, dated today (the morning you woke up)."""
        value = parse_hours(hours)
        bed, note = parse_bedtime(bedtime) if bedtime else (None, "")
        today = user.today(self.clock.now())
        checkin = CheckIn(user.id, "sleep", today, hours=value, bedtime=bed, source_key=source_key)
        recorded = await self._store(user, checkin, replace=True)
        return dataclasses.replace(recorded, note=note)

    async def mobility(
        self, user: User, phase: str = "", source_key: str | None = None
    ) -> Recorded:
        """A hip mobility session, before or after a run."""
        today = user.today(self.clock.now())
        if phase and phase not in {"pre", "post"}:
            raise BadInput(
                f"'{quote(phase)}' isn't pre or post.", hint="/mobility pre or /mobility post"
            )
        async with self.db.uow() as uow:
            if not phase:
                ran_today = await uow.activity.runs_between(user.id, today, today)
                phase = "post" if ran_today else "pre"
            for done in await uow.activity.checkins_between(user.id, today, today, "mobility"):
                if done.kind == phase:  # one pre and one post session a day
                    return Recorded(done, created=False)
            new = CheckIn(user.id, "mobility", today, kind=phase, source_key=source_key)
            recorded = await self._store_in(uow, user, new)
            await uow.commit()
        return recorded

    async def strength(
        self, user: User, exercise: str, detail: str = "", source_key: str | None = None
    ) -> Recorded:
        """A plank hold (seconds) or deadlift sets (sets x reps, optional load)."""
        today = user.today(self.clock.now())
        detail = detail.strip().lower()
        if exercise in PLANK_EXERCISES:
            seconds = parse_hold(detail, exercise)
            checkin = CheckIn(
                user.id, "strength", today, kind=exercise, seconds=seconds, source_key=source_key
            )
        elif exercise == "deadlift":
            sets, reps, load, unit = parse_sets(detail, "kg" if user.units == "km" else "lb")
            checkin = CheckIn(
                user.id,
                "strength",
                today,
                kind="deadlift",
                sets=sets,
                reps=reps,
                load=load,
                load_unit=unit if load is not None else None,
                source_key=source_key,
            )
        else:
            raise BadInput(
                f"I don't track '{quote(exercise)}' yet.",
                hint="Choose plank, side-plank, reverse-plank, plank-with-movement or deadlift.",
            )
        async with self.db.uow() as uow:
            recorded = await self._store_in(uow, user, checkin)
            history = await uow.activity.strength_checkins(user.id)
            await uow.commit()
        this = recorded.checkin.id
        before = session_after([c for c in history if c.id != this])
        return dataclasses.replace(recorded, due=before, next_session=session_after(history))

    async def fuel(self, user: User, what: str = "", source_key: str | None = None) -> Recorded:
        """The post-run snack."""
        what = clean_text(what).strip()
        if len(what) > MAX_FUEL_NOTE:
            raise BadInput(
                f"Keep it under {MAX_FUEL_NOTE} characters (yours has {len(what):,}). "
                "Nothing was saved."
            )
        now = self.clock.now()
        today = user.today(now)
        async with self.db.uow() as uow:
            if source_key is not None:
                earlier = await uow.activity.checkin_by_source_key(source_key)
                if earlier is not None:
                    return Recorded(earlier, created=False, fuel=FuelCheck(run_day=False))
            runs = await uow.activity.runs_between(user.id, today, today)
            snacks = await uow.activity.checkins_between(user.id, today, today, "fuel")
            latest = max((r.created_at for r in runs if r.created_at is not None), default=None)
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
            new = CheckIn(user.id, "fuel", today, note=what, source_key=source_key)
            recorded = await self._store_in(uow, user, new)
            await uow.commit()
        after = None if latest is None else max(0, int((now - latest).total_seconds() // 60))
        check = FuelCheck(run_day=bool(runs), minutes_after_run=after)
        return dataclasses.replace(recorded, fuel=check)


def parse_hold(text: str, exercise: str = "plank") -> int:
    """Seconds held, from ``60``, ``60s``, ``1:30`` or ``1m30s``."""
    if not text:
        raise BadInput(
            f"How long did you hold the {exercise.replace('-', ' ')}?",
            hint=f"/strength {exercise} 45 (seconds)",
        )
    check_digits(text)
    minutes = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*(?:min|mins|minutes?)", text)
    if minutes:
        text = str(round(float(minutes.group(1)) * 60))
    match = _HOLD.match(text.replace(" ", ""))
    if not match:
        raise BadInput(
            f"I can't read '{quote(text)}' as a hold time.", hint="Use seconds: 45, or 1:30."
        )
    seconds = int(match.group("m") or 0) * 60 + int(match.group("s"))
    if not 5 <= seconds <= 1800:
        raise BadInput(f"A hold of {seconds} s is outside 5 s to 30 min; check the number.")
    return seconds


def parse_sets(text: str, default_unit: str) -> tuple[int, int, float | None, str]:
    """``3x6``, ``3x6 60kg``, ``3 x 6 @ 135 lb``: sets, reps, load and its unit."""
    if not text:
        raise BadInput(
            "How many sets and reps?",
            hint="/strength deadlift 3x6 60kg (sets x reps, then the load)",
        )
    check_digits(text)
    match = _SETS.match(text)
    if not match:
        raise BadInput(
            f"I can't read '{quote(text)}' as sets and reps.",
            hint="/strength deadlift 3x6 60kg (sets x reps, then the load)",
        )
    sets, reps = int(match.group("sets")), int(match.group("reps"))
    if not (1 <= sets <= 20 and 1 <= reps <= 50):
        raise BadInput(f"{sets} x {reps} is outside 1-20 sets of 1-50 reps.")
    load = float(match.group("load").replace(",", ".")) if match.group("load") else None
    unit = (match.group("unit") or default_unit).rstrip("s")
    limit = 500 if unit == "kg" else 1100
    if load is not None and not 0 < load <= limit:
        raise BadInput(f"A load of {load:g} {unit} is outside what I can record (up to {limit}).")
    return sets, reps, load, unit
