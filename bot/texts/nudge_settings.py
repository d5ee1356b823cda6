"""Every word of the nudge settings: /nudges, /bedtime, /race, /pause and their /settings items.

Each kind's state and its toggle buttons, the bedtime plan and the 7-hour floor, the goal
race, the pause, the strength days and leads, and the refusals of the nudge settings
service. What a nudge itself says, and the answers to its buttons, are in
``bot/nudges/texts.py``.
"""

from __future__ import annotations

from datetime import date

from bot.coaching import BedtimePlan, minutes_in_bed
from bot.errors import BadInput
from bot.messages import Button, Reply
from bot.models import WEEKDAYS, NudgePrefs
from bot.nudges.kinds import Kind
from bot.nudges.schedule import format_hhmm
from bot.nudges.status import NudgeStatus, RaceInfo
from bot.nudges.texts import RACE_WEEKS_DAYS, when_text


def status_reply(status: NudgeStatus, today: date) -> Reply:
    """The /nudges overview: each kind, on or off, and when the next one comes.

    While a pause lasts, kinds that are on say "paused until <date>". A pending
    snooze says when the snoozed copy comes; a next one the runner skipped says so, with its
    undo. A kind
    that is not set up says what it needs and has no toggle button (turning it
    on or off would change nothing you could see); one that is off offers
    "Turn on" even when its settings are missing.
    """
    lines = ["Your nudges:"]
    buttons: list[tuple[Button, ...]] = []
    paused = status.paused_until
    for item in status.kinds:
        toggle = True
        if not item.enabled:
            state = "off" if item.configured else f"off; not set up: {item.note}"
        elif not item.configured:
            state = f"not set up: {item.note}"
            toggle = False
        elif paused is not None:
            year = f" {paused:%Y}" if paused.year != today.year else ""
            state = f"paused until {paused:%a %d %b}{year}"
        elif item.kind is Kind.POST_RUN_FUEL:
            state = "on, after each logged run"
        elif item.next_local is None:
            state = "on"
        else:
            state = f"next {when_text(item.next_local, today)}"
            if item.skipped_in_quiet:
                state += " (inside your quiet hours, so it will not be sent)"
            elif item.skipped:
                said = "Skip tonight" if item.kind is Kind.WIND_DOWN else "Skip today"
                state += (
                    f" is skipped: you said {said} (/nudges on {item.kind.value} sends it "
                    "after all)"
                )
        if item.snoozed_local is not None and item.enabled:
            state += f"; snoozed one comes {when_text(item.snoozed_local, today)}"
        lines.append(f"- {item.kind.label}: {state}")
        if toggle:
            verb, action = ("Turn off", "stop") if item.enabled else ("Turn on", "start")
            buttons.append(
                (Button(f"{verb}: {item.kind.label}", f"/nudge {action} {item.kind.value}"),)
            )
    if paused is not None:
        lines.append(f"Paused: nudges resume on {paused:%a %d %b %Y} (/pause off resumes now).")
    if status.race_date is not None:
        name = status.race_name or "Goal race"
        lines.append(f"{name}: {status.race_date.isoformat()}.")
    buttons.append((Button("Send me one of each now", "/nudges test"),))
    return Reply("\n".join(lines), buttons=tuple(buttons), private=True)


def _hours(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h} h {m} min" if m else f"{h} h"


def sleep_note(plan: BedtimePlan | None) -> str:
    """What the 7-hour floor says about the plan: a short target, a later one, short nights."""
    if plan is None or plan.sleep is None:
        return ""
    goal = plan.sleep
    if goal.wake is None or goal.floor is None:
        return (
            "Tell me when you wake up and I'll make sure the plan leaves 7 hours of sleep: "
            "/settings wake_time 06:30"
        )
    wake, floor = format_hhmm(goal.wake), format_hhmm(goal.floor)
    start = format_hhmm(plan.start_bedtime)
    parts: list[str] = []
    wanted = plan.wanted
    if wanted is not None:
        target = format_hhmm(wanted)
        if goal.target_short:
            slept = _hours(minutes_in_bed(wanted, goal.wake))
            parts.append(
                f"Your target {target} leaves {slept} before your {wake} wake-up, "
                "under the 7 h runners need."
            )
        if goal.target_later:
            who = "It" if goal.target_short else f"Your target {target}"
            ask = (
                ""
                if goal.target_short
                else (f" (for later nights, change it yourself: /settings bedtime {target})")
            )
            parts.append(
                f"{who} is later than your {start} bedtime; I only move bedtime earlier{ask}."
            )
        if goal.from_floor:
            parts.append(
                f"The plan heads for {floor} instead, the latest bedtime that gives 7 h. "
                f"Make it your target: /settings target_bedtime {floor}"
            )
        elif goal.target_later:
            parts.append(f"So it stays at {start}, which leaves 7 h or more before {wake}.")
    elif goal.from_floor:
        slept = _hours(minutes_in_bed(plan.start_bedtime, goal.wake))
        parts.append(
            f"Bed at {start} and up at {wake} is {slept} of sleep, under the 7 h runners need: "
            f"the plan moves you towards {floor} in small weekly steps."
        )
    return " ".join(parts)


def bedtime_reply(plan: BedtimePlan | None) -> Reply:
    """The /bedtime answer: this week's bedtime, where it heads, the weeks to go, the floor."""
    if plan is None:
        return Reply("Tell me your usual bedtime first: /settings bedtime 23:30", private=True)
    lines = [f"This week's bedtime: {format_hhmm(plan.this_week)}."]
    goal = plan.sleep.goal if plan.sleep is not None else plan.target
    note = sleep_note(plan)
    buttons: list[tuple[Button, ...]] = []
    if goal is None:
        if not plan.target_set:
            lines.append(
                "You have no target bedtime set, so it stays there. To move it earlier a little "
                "each week, set one: /settings target_bedtime 22:30"
            )
        if note:
            lines.append(note)
        return Reply("\n".join(lines), private=True)
    floor_only = plan.sleep is not None and plan.sleep.from_floor and plan.wanted is None
    wake = plan.sleep.wake if plan.sleep is not None else None
    if floor_only and wake is not None:
        label = f"Towards {format_hhmm(goal)} (7 h before your {format_hhmm(wake)} wake-up)"
    else:
        label = f"Target {format_hhmm(goal)}"
    if plan.reached and floor_only and wake is not None:
        lines.append(
            f"You're at {format_hhmm(goal)}, 7 h before your {format_hhmm(wake)} wake-up. "
            "Keep it steady."
        )
    elif plan.reached:
        lines.append(f"You're at your target, {format_hhmm(goal)}. Keep it steady.")
    else:
        weeks = "week" if plan.weeks_to_go == 1 else "weeks"
        lines.append(f"{label}: {plan.weeks_to_go} more {weeks} at {plan.step_minutes} min a week.")
    if note:
        lines.append(note)
    buttons.append(tuple(Button(f"{m} min/week", f"/bedtime {m}") for m in (10, 15, 20, 30)))
    if plan.sleep is not None and plan.sleep.from_floor and plan.wanted is not None:
        floor = format_hhmm(goal)
        buttons.append((Button(f"Make {floor} my target", f"/settings target_bedtime {floor}"),))
    return Reply("\n".join(lines), buttons=tuple(buttons), private=True)


def _race_sleep_ask(race: RaceInfo) -> str:
    """Ask for what the sleep nudges need, if anything is missing."""
    if race.bedtime is None and race.wake is None:
        return (
            "Tell me your bedtime and wake time so I can help you sleep for it: "
            "/settings bedtime 23:00 and /settings wake_time 06:30"
        )
    if race.bedtime is None:
        return "Tell me your bedtime so I can help you sleep for it: /settings bedtime 23:00"
    if race.wake is None:
        return "Tell me your wake time so I can check your sleep: /settings wake_time 06:30"
    return ""


def race_reply(race: RaceInfo) -> Reply:
    """The /race answer: days to go, and what the last two weeks mean for sleep."""
    if race.race_date is None or race.days_left is None:
        return Reply("No goal race set. /race 2027-04-12 Boston", private=True)
    name = race.name or "Your race"
    day = race.race_date.isoformat()
    if race.days_left < 0:
        return Reply(
            f"No goal race ahead: {name} was on {day}. Set the next one: /race 2027-04-12 Boston",
            private=True,
        )
    if race.days_left == 0:
        return Reply(f"{name}: {day}, race day today! Good luck.", private=True)
    to_go = "1 day" if race.days_left == 1 else f"{race.days_left} days"
    lines = [f"{name}: {day}, {to_go} to go."]
    ask = _race_sleep_ask(race)
    if race.days_left > RACE_WEEKS_DAYS:
        if not ask:
            lines.append("Sleep nudges will say so from two weeks out.")
    else:
        lines.append(
            "These last two weeks are when sleep counts most: the training is in the legs, "
            "and it settles in while you sleep. Aim for 7 h or more every night (8 if you "
            "can), at a steady bedtime: every night of these two weeks counts, not only the last."
        )
        if race.bedtime is not None:
            lines.append(f"This week's bedtime: {format_hhmm(race.bedtime)}.")
    if ask:
        lines.append(ask)
    return Reply("\n".join(lines), private=True)


def needs(kind: Kind, configured: bool) -> str:
    """What a kind that is not set up needs (nothing when it is)."""
    if configured:
        return ""
    return {
        Kind.WIND_DOWN: "needs your bedtime (/settings bedtime 23:30)",
        Kind.SLEEP_CHECKIN: "needs your wake time (/settings wake_time 06:30)",
        Kind.PRE_RUN_MOBILITY: (
            "needs run days and run time "
            "(/settings run_days mon,wed,sat and /settings run_time 07:00)"
        ),
        Kind.STRENGTH: (
            "needs strength days and time "
            "(/settings strength_days tue,fri and /settings strength_time 18:30)"
        ),
    }.get(kind, "")


AFTER_EACH_RUN = "after each logged run"  # the snack nudge's line in /nudges


# --- answers of the nudge commands -------------------------------------------------------------


def step_set(minutes: str, plan: str) -> str:
    """``/bedtime 15``: the new step above the plan."""
    return f"Weekly step set to {minutes} min.\n{plan}"


NO_RACE_TO_CLEAR = "No goal race was set; nothing to clear. /race 2027-04-12 Boston"
RACE_CLEARED = "Goal race cleared."


def sending_tests(count: int, platform: str) -> str:
    """``/nudges test``: where the samples go."""
    return f"Sending one of each kind ({count}) to your {platform} direct messages now."


def toggled(kind: Kind, on: bool, status: str) -> str:
    """A kind turned on or off, above the new status."""
    head = f"{kind.label} nudges {'on' if on else 'off'}."
    return f"{head}\n\n{status}"


RESUMED = "Nudges are back on."


def paused(day: date, reason: str) -> str:
    """``/pause 2026-12-24 injured``: when nudges resume (and streaks, if a reason)."""
    frozen = (
        f" Your streaks are frozen ({reason}) until then: they neither grow nor break."
        if reason
        else ""
    )
    return (
        f"Paused every nudge; they resume on {day:%a %d %b %Y}.{frozen} /pause off resumes sooner."
    )


def strength_days_set(days: tuple[int, ...]) -> str:
    """``/settings strength_days tue,fri``."""
    shown = ", ".join(WEEKDAYS[d].capitalize() for d in days) or "none"
    return f"Strength days set to {shown}."


def strength_time_set(at: str | None, days_chosen: bool) -> str:
    """``/settings strength_time 18:30`` (a hint when no days are chosen)."""
    hint = "" if days_chosen else " Choose the days with /settings strength_days tue,fri."
    return f"Strength time set to {at or 'not set'}.{hint}"


def lead_set(item: str, minutes: int) -> str:
    """``/settings wind_down_lead 30``."""
    return f"{item.replace('_', ' ').capitalize()} set to {minutes} min."


def settings_lines(p: NudgePrefs) -> list[str]:
    """The nudge settings, for /settings."""
    days = ", ".join(WEEKDAYS[d].capitalize() for d in p.strength_days) or "not set"
    return [
        f"strength_days: {days}",
        f"strength_time: {p.strength_time or 'not set'}",
        f"wind_down_lead: {p.wind_down_lead} min before bedtime",
        f"pre_run_lead: {p.pre_run_lead} min before your run",
        f"fuel_delay: {p.fuel_delay} min after a logged run",
    ]


# --- refusals ----------------------------------------------------------------------------------


def no_such_kind(text: str) -> BadInput:
    """A nudge kind Pacer does not have (``text`` quoted already)."""
    names = ", ".join(k.value for k in Kind)
    return BadInput(f"There's no '{text}' nudge.", hint=f"Kinds: {names}.")


def race_which_day() -> BadInput:
    """``/race`` with a name and no date."""
    return BadInput("Which day is the race?", hint="/race 2027-04-12 Berlin Half")


def no_chat_for_nudges() -> BadInput:
    """``/nudges test`` for a runner Pacer cannot reach."""
    return BadInput(
        "I have no chat to send nudges to yet.",
        hint="Start a private chat with me (Telegram) or allow DMs (Discord).",
    )


def which_kind(action: str) -> BadInput:
    """``/nudges on`` or ``off`` without a kind."""
    return BadInput(f"Which nudge should I turn {action}?", hint="/nudges off strength")


def on_or_off_first() -> BadInput:
    """``/nudges <kind>`` without on or off."""
    return BadInput("Say on or off first.", hint="/nudges off strength")


def resume_needs_no_reason(reason: str) -> BadInput:
    """``/pause off injured``."""
    return BadInput(f"/pause off resumes now; '{reason}' needs a date.")


def pause_after_today() -> BadInput:
    """A pause that ends today or before."""
    return BadInput("Pick a date after today.")


def pause_a_year_at_most() -> BadInput:
    """A pause past a year."""
    return BadInput("Pause for a year at most.", hint="/pause 2027-01-15")


def race_in_the_past() -> BadInput:
    """A goal race before today."""
    return BadInput("That race date is in the past.")


def race_too_far() -> BadInput:
    """A goal race past two years."""
    return BadInput("Pick a race within the next two years.")


def step_out_of_range(low: int, high: int) -> BadInput:
    """A bedtime step outside its bounds."""
    return BadInput(f"The step must be {low}-{high} minutes.")


def bedtime_first() -> BadInput:
    """A bedtime step before a bedtime."""
    return BadInput("Set your bedtime first: /settings bedtime 23:30")


def lead_out_of_range() -> BadInput:
    """A lead past three hours."""
    return BadInput("Use between 0 and 180 minutes.")
