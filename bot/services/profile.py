"""The runner's profile: onboarding questions and settings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.dates import format_days, parse_bedtime, parse_clock, parse_days
from bot.errors import BadInput
from bot.input_hygiene import quote
from bot.models import User
from bot.nudges.kinds import Kind
from bot.nudges.recurrence import runner_zone, swallowed_by_quiet
from bot.nudges.schedule import format_hhmm
from bot.parsing import COMMON_ZONES, parse_timezone
from bot.services.events import Listeners
from bot.storage.database import Database

NUDGE_PLATFORMS = ("auto", "telegram", "discord", "console")
# Settings that move a nudge's time or the quiet hours: a change may put a nudge inside them.
QUIET_INPUTS = {"quiet_hours", "run_time", "run_days", "bedtime", "target_bedtime", "wake_time"}
# Why a kind that quiet hours skip is no use later (see Kind.quiet_move).
_TOO_LATE = {
    Kind.WIND_DOWN: (" before bedtime", "a wind-down after bedtime is no use"),
    Kind.PRE_RUN_MOBILITY: (" before your run", "a warm-up reminder after the run is no use"),
}


@dataclass(frozen=True, slots=True)
class RunnerSwitch:
    """One of the runner's two-way settings (``/settings boards hidden|shown``): its two
    words, the column the first one sets true, and what each answers."""

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
        first, second = switch.words
        raise BadInput(
            f"{switch.name} can be {first} or {second}; not '{quote(value)}'.", hint=switch.hint
        )
    async with db.uow() as uow:
        await uow.runners.update(user.id, **{switch.column: choice == switch.words[0]})
        await uow.commit()
    return switch.answers[switch.words.index(choice)]


@dataclass(frozen=True, slots=True)
class Question:
    """One onboarding question with one-tap answers (label, value)."""

    step: str
    text: str
    answers: tuple[tuple[str, str], ...]


ONBOARDING: tuple[Question, ...] = (
    Question(
        "timezone",
        "Which time zone are you in? Type a name like Europe/Berlin or a city like Denver, "
        "or tap one.",
        (*((z, z) for z in COMMON_ZONES), ("UTC", "UTC")),
    ),
    Question("units", "Kilometres or miles?", (("km", "km"), ("miles", "mi"))),
    Question(
        "run_days",
        "Which days do you usually run? e.g. mon,wed,sat",
        (
            ("Mon Wed Fri", "mon,wed,fri"),
            ("Tue Thu Sat", "tue,thu,sat"),
            ("Weekdays", "weekdays"),
            ("Every day", "daily"),
        ),
    ),
    Question(
        "run_time",
        "What time do you usually head out? e.g. 07:00",
        (("06:00", "06:00"), ("07:00", "07:00"), ("12:30", "12:30"), ("18:00", "18:00")),
    ),
    Question(
        "bedtime",
        "When do you usually get into bed now? e.g. 23:45",
        (("22:30", "22:30"), ("23:00", "23:00"), ("23:30", "23:30"), ("00:00", "00:00")),
    ),
    Question(
        "target_bedtime",
        "And the bedtime you'd like to reach? I'll move you there in small weekly steps.",
        (("22:00", "22:00"), ("22:30", "22:30"), ("23:00", "23:00")),
    ),
    Question(
        "wake_time",
        "When do you usually wake up? I'll ask how you slept then.",
        (("06:00", "06:00"), ("06:30", "06:30"), ("07:00", "07:00"), ("07:30", "07:30")),
    ),
    Question(
        "strength_days",
        "Which days suit a short strength session (planks, deadlifts)? e.g. tue,fri",
        (("Tue Fri", "tue,fri"), ("Mon Thu", "mon,thu"), ("Wed Sat", "wed,sat")),
    ),
    Question(
        "strength_time",
        "And at what time? I'll nudge you with the session then.",
        (("07:00", "07:00"), ("12:30", "12:30"), ("18:00", "18:00"), ("19:30", "19:30")),
    ),
)
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
            before, why = _TOO_LATE.get(kind, ("", "it would come too late"))
            lines.append(
                f"Your {kind.label.lower()} nudge will never come: it is due at "
                f"{format_hhmm(at)}{before}, inside your quiet hours ({quiet}), and {why}, "
                "so it is skipped rather than sent later. Shorten the quiet hours, or turn it "
                f"off: /nudges off {kind.value}"
            )
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
            saved = "Skipped."
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
        raise BadInput(f"What should {item.replace('_', ' ')} be?", hint="/help settings")
    if item == "timezone":
        zone, warning = parse_timezone(value)
        return {"timezone": zone}, f"{label} set to {zone}.", warning
    if item == "units":
        unit = {"km": "km", "kilometres": "km", "kilometers": "km", "mi": "mi",
                "miles": "mi", "mile": "mi"}.get(value.lower())  # fmt: skip
        if unit is None:
            raise BadInput(f"Units are km or mi, not '{quote(value)}'.")
        return {"units": unit}, f"{label} set to {unit}.", ""
    if item == "run_days":
        days = parse_days(value)
        said = f"{label} set to {format_days(days)}." if days else f"{label} cleared."
        return {"run_days": days}, said, ""
    if item in CLOCK_SETTINGS:
        if value.lower() in OFF_WORDS:
            return {item: None}, f"{label} cleared.", ""
        if item in {"bedtime", "target_bedtime"}:
            clock_time, note = parse_bedtime(value)
        else:
            clock_time, note = parse_clock(value), ""
        said = f"{label} set to {clock_time}." + (f" ({note})" if note else "")
        return {item: clock_time}, said, ""
    if item == "quiet_hours":
        start, end = parse_quiet_hours(value)
        said = f"{label} set to {start}-{end}." if start else f"{label} off."
        return {"quiet_start": start, "quiet_end": end}, said, ""
    if item == "nudges":
        choice = value.lower()
        if choice not in NUDGE_PLATFORMS:
            raise BadInput(
                f"Nudges can go to {', '.join(NUDGE_PLATFORMS)}; not '{quote(value)}'.",
                hint="auto sends them where you last talked to me.",
            )
        return (
            {"nudge_platform": None if choice == "auto" else choice},
            f"{label} go to {choice}.",
            "",
        )
    raise BadInput(f"There's no setting called '{item}'.", hint="/settings lists them.")


def parse_quiet_hours(text: str) -> tuple[str | None, str | None]:
    """``22:00-07:00`` -> ("22:00", "07:00"); ``off`` -> (None, None)."""
    raw = text.strip().lower()
    if raw in {"off", "none", "-"}:
        return None, None
    parts = re.split(r"\s*(?:-|–|to)\s*", raw)
    if len(parts) != 2:
        raise BadInput(
            f"I can't read '{quote(text)}' as quiet hours.",
            hint="Use start-end, e.g. 22:00-07:00, or off.",
        )
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end:
        raise BadInput("Quiet hours need different start and end times.")
    return start, end
