"""The runner's profile: onboarding questions and settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.core.errors import BadInput
from bot.models import User
from bot.parsing import COMMON_ZONES, format_days, parse_clock, parse_days, parse_timezone
from bot.services.events import Listeners
from bot.storage.repository import Repository

NUDGE_PLATFORMS = ("auto", "telegram", "discord", "console")


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
)
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

    def __init__(self, repo: Repository, clock: Clock, listeners: Listeners) -> None:
        self.repo = repo
        self.clock = clock
        self.listeners = listeners

    async def change(self, user: User, item: str, value: str) -> Change:
        """Validate and save one setting; nothing changes if the value is wrong."""
        value = value.strip()
        if not value:
            raise BadInput(f"What should {item.replace('_', ' ')} be?", hint="/help settings")
        values: dict[str, Any]
        warning = ""
        if item == "timezone":
            zone, warning = parse_timezone(value)
            values, shown = {"timezone": zone}, zone
        elif item == "units":
            unit = {"km": "km", "kilometres": "km", "kilometers": "km", "mi": "mi",
                    "miles": "mi", "mile": "mi"}.get(value.lower())  # fmt: skip
            if unit is None:
                raise BadInput(f"Units are km or mi, not '{value}'.")
            values, shown = {"units": unit}, unit
        elif item == "run_days":
            days = parse_days(value)
            values, shown = {"run_days": days}, format_days(days)
        elif item in {"run_time", "bedtime", "target_bedtime", "wake_time"}:
            clock_time = None if value.lower() in {"off", "none", "-"} else parse_clock(value)
            values, shown = {item: clock_time}, clock_time or "not set"
        elif item == "quiet_hours":
            start, end = parse_quiet_hours(value)
            values = {"quiet_start": start, "quiet_end": end}
            shown = f"{start}-{end}" if start else "off"
        elif item == "nudges":
            choice = value.lower()
            if choice not in NUDGE_PLATFORMS:
                raise BadInput(
                    f"Nudges can go to {', '.join(NUDGE_PLATFORMS)}; not '{value}'.",
                    hint="auto sends them where you last talked to me.",
                )
            values = {"nudge_platform": None if choice == "auto" else choice}
            shown = choice
        else:
            raise BadInput(f"There's no setting called '{item}'.", hint="/settings lists them.")
        updated = await self.repo.update_user(user.id, **values)
        await self.listeners.settings_changed(updated, self.clock.now())
        return Change(updated, f"{item.replace('_', ' ').capitalize()} set to {shown}.", warning)

    async def start_onboarding(self, user: User) -> Question:
        """Begin (or restart) the questions of /start."""
        first = ONBOARDING[0]
        await self.repo.update_user(user.id, onboarding_step=first.step)
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
        following = _next_step(step)
        if following is None:
            now = self.clock.now().isoformat(timespec="seconds")
            user = await self.repo.update_user(user.id, onboarding_step=None, onboarded_at=now)
            return user, saved, warning, None
        user = await self.repo.update_user(user.id, onboarding_step=following)
        return user, saved, warning, onboarding_question(following)

    async def cancel_onboarding(self, user: User) -> User:
        """Stop asking questions (the answers so far are kept)."""
        return await self.repo.update_user(user.id, onboarding_step=None)


def parse_quiet_hours(text: str) -> tuple[str | None, str | None]:
    """``22:00-07:00`` -> ("22:00", "07:00"); ``off`` -> (None, None)."""
    raw = text.strip().lower()
    if raw in {"off", "none", "-"}:
        return None, None
    parts = re.split(r"\s*(?:-|–|to)\s*", raw)
    if len(parts) != 2:
        raise BadInput(
            f"I can't read '{text}' as quiet hours.",
            hint="Use start-end, e.g. 22:00-07:00, or off.",
        )
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end:
        raise BadInput("Quiet hours need different start and end times.")
    return start, end
