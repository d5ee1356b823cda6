"""The runner's profile: onboarding questions and settings (their words: bot/texts/profile.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.dates import format_days, parse_days
from bot.daytimes import parse_bedtime, parse_clock
from bot.input_hygiene import quote
from bot.models import User
from bot.nudges.recurrence import runner_zone, swallowed_by_quiet
from bot.parsing import parse_timezone
from bot.services.events import Listeners
from bot.storage.database import Database
from bot.texts import profile as texts
from bot.texts.profile import ONBOARDING, Question

NUDGE_PLATFORMS = ("auto", "telegram", "discord", "console")
# Settings that move a nudge's time or the quiet hours: a change may put a nudge inside them.
QUIET_INPUTS = {"quiet_hours", "run_time", "run_days", "bedtime", "target_bedtime", "wake_time"}


@dataclass(frozen=True, slots=True)
class RunnerSwitch:
    """One of the runner's two-way settings (``/settings boards hidden|shown``): its two
    words, the column the first one sets true, and its wording (a capability's texts)."""

    name: str  # how a refusal names it: "Boards", "The feed"
    words: tuple[str, str]  # (sets the column, clears it): ("hidden", "shown")
    column: str  # on the runner's row
    hint: str
    answers: tuple[str, str]  # said after each word


async def set_switch(db: Database, user: User, switch: RunnerSwitch, value: str) -> str:
    """Turn one of the runner's switches; a word it doesn't know is quoted back, nothing
    stored."""
    choice = value.strip().lower()
    if choice not in switch.words:
        raise texts.switch_choice(switch.name, switch.words, value, switch.hint)
    async with db.uow() as uow:
        await uow.runners.update(user.id, **{switch.column: choice == switch.words[0]})
        await uow.commit()
    return switch.answers[switch.words.index(choice)]


# Answers kept with the nudge preferences, saved by the nudge settings (not a profile column).
PREF_STEPS = frozenset(("strength_days", "strength_time"))
SKIP_WORDS = {"skip", "-", "later"}


def onboarding_question(step: str) -> Question:
    """The question for ``step``."""
    for question in ONBOARDING:
        if question.step == step:
            return question
    raise KeyError(step)


def _next_step(step: str) -> str | None:
    steps = [q.step for q in ONBOARDING]
    index = steps.index(step) + 1
    return steps[index] if index < len(steps) else None


@dataclass(frozen=True, slots=True)
class Change:
    """A saved setting: the new profile and what to tell the runner."""

    user: User
    confirmation: str
    warning: str = ""


class ProfileService:
    """Reads and changes what Pacer knows about a runner."""

    def __init__(self, db: Database, clock: Clock, listeners: Listeners) -> None:
        self.db = db
        self.clock = clock
        self.listeners = listeners

    async def change(self, user: User, item: str, value: str) -> Change:
        """Validate and save one setting; nothing changes if the value is wrong."""
        return await self.change_many(user, {item: value})

    async def change_many(self, user: User, items: Mapping[str, str]) -> Change:
        """Validate every setting first, then save them together: all or nothing."""
        values: dict[str, Any] = {}
        said: list[str] = []
        warnings: list[str] = []
        for item, value in items.items():
            parsed, confirmation, warning = read_setting(item, value)
            values.update(parsed)
            said.append(confirmation)
            if warning:
                warnings.append(warning)
        updated = await self.update(user.id, values, reschedule=True)
        if QUIET_INPUTS & set(items):
            warnings.extend(await self._swallowed(updated))
        return Change(updated, "\n".join(said), "\n".join(warnings))

    async def _swallowed(self, user: User) -> list[str]:
        """A warning for each nudge that is on and that the quiet hours always skip."""
        tz = runner_zone(user)
        if tz is None:
            return []
        async with self.db.reader() as uow:
            off = {r.kind for r in await uow.nudges.schedules(user.id) if not r.enabled}
            # As rescheduled: the reschedule may have restarted the bedtime plan.
            user = await uow.runners.get(user.id) or user
        quiet = f"{user.quiet_start}-{user.quiet_end}"
        lines = []
        for kind, at in swallowed_by_quiet(user, self.clock.now().astimezone(tz).date()):
            if kind.value in off:
                continue
            lines.append(texts.swallowed_by_quiet_hours(kind, at, quiet))
        return lines

    async def update(
        self, user_id: int, values: Mapping[str, Any], reschedule: bool = False
    ) -> User:
        """Save profile columns (and, for schedule inputs, the new schedule): one transaction."""
        if "onboarding_step" in values:
            # A new open question (or none): remind of it once again.
            values = {"onboarding_reminded": False, **values}
        async with self.db.uow() as uow:
            await uow.runners.update(user_id, **values)
            user = await uow.runners.get(user_id)
            assert user is not None
            if reschedule:
                await self.listeners.settings_changed(uow, user, self.clock.now())
            await uow.commit()
        return user

    async def fresh(self, user_id: int) -> User:
        """The runner as stored now (after a change made elsewhere)."""
        async with self.db.reader() as uow:
            user = await uow.runners.get(user_id)
        assert user is not None
        return user

    async def start_onboarding(self, user: User) -> Question:
        """Begin (or restart) the questions of /start."""
        first = ONBOARDING[0]
        await self.update(user.id, {"onboarding_step": first.step})
        return first

    async def answer(self, user: User, text: str) -> tuple[User, str, str, Question | None]:
        """Take the answer to the pending question: (user, saved, warning, next question)."""
        step = user.onboarding_step
        assert step is not None
        saved, warning = "", ""
        if text.strip().lower() in SKIP_WORDS:
            saved = texts.SKIPPED
        else:
            change = await self.change(user, step, text)
            user, saved, warning = change.user, change.confirmation, change.warning
        user, following = await self.advance(user)
        return user, saved, warning, following

    async def advance(self, user: User) -> tuple[User, Question | None]:
        """Move past the open question: the next one, or set-up done (None)."""
        step = user.onboarding_step
        assert step is not None
        following = _next_step(step)
        if following is None:
            done = {"onboarding_step": None, "onboarded_at": self.clock.now()}
            user = await self.update(user.id, done)
            return user, None
        user = await self.update(user.id, {"onboarding_step": following})
        return user, onboarding_question(following)

    async def cancel_onboarding(self, user: User) -> User:
        """Stop asking questions (the answers so far are kept)."""
        return await self.update(user.id, {"onboarding_step": None})


CLOCK_SETTINGS = ("run_time", "bedtime", "target_bedtime", "wake_time")
OFF_WORDS = {"off", "none", "-"}


def read_setting(item: str, value: str) -> tuple[dict[str, Any], str, str]:
    """Check one setting: (columns to store, confirmation, warning). Raises BadInput."""
    value = value.strip()
    label = item.replace("_", " ").capitalize()
    if not value:
        raise texts.no_value(item)
    if item == "timezone":
        zone, warning = parse_timezone(value)
        return {"timezone": zone}, texts.set_to(label, zone), warning
    if item == "units":
        unit = {"km": "km", "kilometres": "km", "kilometers": "km", "mi": "mi",
                "miles": "mi", "mile": "mi"}.get(value.lower())  # fmt: skip
        if unit is None:
            raise texts.bad_units(quote(value))
        return {"units": unit}, texts.set_to(label, unit), ""
    if item == "run_days":
        days = parse_days(value)
        said = texts.set_to(label, format_days(days)) if days else texts.cleared(label)
        return {"run_days": days}, said, ""
    if item in CLOCK_SETTINGS:
        if value.lower() in OFF_WORDS:
            return {item: None}, texts.cleared(label), ""
        if item in {"bedtime", "target_bedtime"}:
            clock_time, note = parse_bedtime(value)
        else:
            clock_time, note = parse_clock(value), ""
        said = texts.set_to(label, clock_time) + (f" ({note})" if note else "")
        return {item: clock_time}, said, ""
    if item == "quiet_hours":
        start, end = parse_quiet_hours(value)
        said = texts.set_to(label, f"{start}-{end}") if start else texts.quiet_hours_off(label)
        return {"quiet_start": start, "quiet_end": end}, said, ""
    if item == "nudges":
        choice = value.lower()
        if choice not in NUDGE_PLATFORMS:
            raise texts.bad_nudge_platform(NUDGE_PLATFORMS, quote(value))
        return (
            {"nudge_platform": None if choice == "auto" else choice},
            texts.nudges_go_to(label, choice),
            "",
        )
    raise texts.no_such_setting(item)


def parse_quiet_hours(text: str) -> tuple[str | None, str | None]:
    """``22:00-07:00`` -> ("22:00", "07:00"); ``off`` -> (None, None)."""
    raw = text.strip().lower()
    if raw in {"off", "none", "-"}:
        return None, None
    parts = re.split(r"\s*(?:-|–|to)\s*", raw)
    if len(parts) != 2:
        raise texts.quiet_hours_unreadable(quote(text))
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end:
        raise texts.quiet_hours_empty()
    return start, end
