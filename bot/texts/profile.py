"""Every word of the runner's profile: /start's questions, /settings, the set-up reminder.

The onboarding questions with their one-tap answers, how /settings lists and confirms
each item, the warning for a nudge that quiet hours always skip, and the refusals of a
setting Pacer cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from bot.dates import format_days
from bot.errors import BadInput
from bot.input_hygiene import quote
from bot.messages import Button, Reply
from bot.models import User
from bot.nudges.kinds import Kind
from bot.nudges.schedule import format_hhmm
from bot.parsing import COMMON_ZONES


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


def question_reply(question: Question, step: int, prefix: str = "") -> Reply:
    """An onboarding question with its one-tap answers and a Skip."""
    # A button names its question, so a tap on an old question's button is not
    # taken as the answer to whatever is open now.
    buttons = [Button(label, f"{question.step}={value}") for label, value in question.answers]
    rows = [tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4)]
    rows.append((Button("Skip", f"{question.step}=skip"),))
    text = f"{prefix}\n\n" if prefix else ""
    text += f"({step}/{len(ONBOARDING)}) {question.text}"
    return Reply(text=text, buttons=tuple(rows))


def intro(name: str) -> str:
    """The first words of /start, before the first question."""
    return (
        f"Hi {name}! I'm Pacer. Log your runs with /log and I'll help with the four habits "
        "that keep runners going: sleep, hip mobility, strength and a snack after each run.\n"
        "A few quick questions first (type 'skip' to leave one for later)."
    )


STILL_OPEN = (
    "Set-up is still open; this is the question we're on. "
    "(Type stop to finish later; /start after that begins again.)"
)
ALL_SET = "\n\nAll set. Log a run with /log 5k 25:00."
EARLIER_BUTTON = "That button belongs to an earlier question."
STOPPED = (
    "Set-up stopped; what you answered is kept. /start goes through the questions "
    "again and /settings changes one item at a time."
)
NO_OPEN_QUESTION = "There's no open question. /settings shows what you've set."
COMMANDS_ONLY = "I work with commands. Try /log 5k 25:00, /week or /help."
SKIPPED = "Skipped."


def finished_already(named: str, value: str) -> str:
    """A set-up button tapped after set-up ended (``value`` quoted already)."""
    return f"Set-up is finished; change it with /settings {named} {value}."


def set_up_done(prefix: str, user: User, strength: str) -> str:
    """The last answer of /start: everything the runner told Pacer."""
    return (
        f"{prefix}\n\nYou're set up. Here's what you told me:\n{settings_text(user)}\n"
        f"{strength}\n\n"
        "Log your next run with /log 5k 25:00. Your nudges follow these times: "
        "/nudges shows when the next ones come. /help shows everything."
    )


def reminder(question: Question) -> str:
    """Another command while a set-up question is open: which one the next message answers."""
    return (
        f"(Set-up is still open: {question.text} "
        "Answer it, type skip, or stop to finish set-up later.)"
    )


# --- /settings ----------------------------------------------------------------------------

SETTING_EXAMPLES = {
    "timezone": "/settings timezone Europe/Berlin",
    "units": "/settings units mi",
    "run_days": "/settings run_days mon,wed,sat",
    "run_time": "/settings run_time 07:00",
    "bedtime": "/settings bedtime 23:30",
    "target_bedtime": "/settings target_bedtime 22:30",
    "wake_time": "/settings wake_time 06:30",
    "quiet_hours": "/settings quiet_hours 22:00-07:00 (or off)",
    "nudges": "/settings nudges telegram (or discord, console, auto)",
    "strength_days": "/settings strength_days tue,fri",
    "strength_time": "/settings strength_time 18:30",
    "wind_down_lead": "/settings wind_down_lead 30 (minutes before bedtime)",
    "pre_run_lead": "/settings pre_run_lead 10 (minutes before your run)",
    "fuel_delay": "/settings fuel_delay 20 (minutes after logging a run)",
    "digest": "/settings digest sun 19:00 (a weekly summary with a chart; or off)",
    "boards": "/settings boards hidden (or shown): your name on club boards",
    "feed": "/settings feed on (or off): your runs in the feeds of your clubs that have one",
}


def settings_text(user: User) -> str:
    """Every setting, one per line."""
    zone = user.timezone + ("" if user.follows_dst else " (fixed offset, no daylight saving)")
    quiet = f"{user.quiet_start}-{user.quiet_end}" if user.quiet_start else "off"
    return "\n".join(
        (
            f"timezone: {zone}",
            f"units: {user.units}",
            f"run_days: {format_days(user.run_days)}",
            f"run_time: {user.run_time or 'not set'}",
            f"bedtime: {user.bedtime or 'not set'}",
            f"target_bedtime: {user.target_bedtime or 'not set'}",
            f"wake_time: {user.wake_time or 'not set'}",
            f"quiet_hours: {quiet}",
            f"nudges: {user.nudge_platform or 'auto (where you last talked to me)'}",
            f"boards: {'hidden (a runner)' if user.boards_hidden else 'shown'}",
            f"feed: {'on' if user.feed else 'off'}",
        )
    )


def settings_overview(user: User, extra: str) -> str:
    """``/settings`` alone: every setting (``extra``: the nudge and digest lines)."""
    return (
        f"Your settings:\n{settings_text(user)}\n{extra}\n\n"
        "Change one with /settings <item> <value>, e.g. /settings units mi"
    )


def what_should_it_be(item: str) -> BadInput:
    """``/settings <item>`` without a value."""
    return BadInput(
        f"What should {item.replace('_', ' ')} be?",
        hint=f"For example: {SETTING_EXAMPLES[item]}",
    )


def nudges_not_linked(chosen: str) -> str:
    """Nudges sent to a platform the runner has no account on yet."""
    return (
        f"\nNo {chosen} account is linked to you yet: talk to me there and send "
        "/link to join the accounts. Until then nudges go where you last talked "
        "to me."
    )


def set_to(label: str, shown: str) -> str:
    """``Units set to mi.``"""
    return f"{label} set to {shown}."


def cleared(label: str) -> str:
    """``Run days cleared.``"""
    return f"{label} cleared."


def quiet_hours_off(label: str) -> str:
    """``Quiet hours off.``"""
    return f"{label} off."


def nudges_go_to(label: str, choice: str) -> str:
    """``Nudges go to telegram.``"""
    return f"{label} go to {choice}."


# Why a kind that quiet hours skip is no use later (see Kind.quiet_move).
_TOO_LATE = {
    Kind.WIND_DOWN: (" before bedtime", "a wind-down after bedtime is no use"),
    Kind.PRE_RUN_MOBILITY: (" before your run", "a warm-up reminder after the run is no use"),
}


def swallowed_by_quiet_hours(kind: Kind, at: time, quiet: str) -> str:
    """A nudge that is on and that the quiet hours always skip."""
    before, why = _TOO_LATE.get(kind, ("", "it would come too late"))
    return (
        f"Your {kind.label.lower()} nudge will never come: it is due at "
        f"{format_hhmm(at)}{before}, inside your quiet hours ({quiet}), and {why}, "
        "so it is skipped rather than sent later. Shorten the quiet hours, or turn it "
        f"off: /nudges off {kind.value}"
    )


# --- refusals (raised by ProfileService) ----------------------------------------------------


def no_value(item: str) -> BadInput:
    """A setting given an empty value."""
    return BadInput(f"What should {item.replace('_', ' ')} be?", hint="/help settings")


def bad_units(value: str) -> BadInput:
    """Units other than km or mi (``value`` quoted already)."""
    return BadInput(f"Units are km or mi, not '{value}'.")


def bad_nudge_platform(platforms: tuple[str, ...], value: str) -> BadInput:
    """Nudges sent to a platform Pacer does not know (``value`` quoted already)."""
    return BadInput(
        f"Nudges can go to {', '.join(platforms)}; not '{value}'.",
        hint="auto sends them where you last talked to me.",
    )


def no_such_setting(item: str) -> BadInput:
    """A setting Pacer does not have."""
    return BadInput(f"There's no setting called '{item}'.", hint="/settings lists them.")


def quiet_hours_unreadable(text: str) -> BadInput:
    """Quiet hours that are not start-end (``text`` quoted already)."""
    return BadInput(
        f"I can't read '{text}' as quiet hours.",
        hint="Use start-end, e.g. 22:00-07:00, or off.",
    )


def quiet_hours_empty() -> BadInput:
    """Quiet hours that start when they end."""
    return BadInput("Quiet hours need different start and end times.")


def switch_choice(name: str, words: tuple[str, str], value: str, hint: str) -> BadInput:
    """A runner's switch (``/settings boards``, ``/settings feed``) given another word."""
    first, second = words
    return BadInput(f"{name} can be {first} or {second}; not '{quote(value)}'.", hint=hint)
