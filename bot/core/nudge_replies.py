"""Ready-made replies for the nudge commands (/nudges, /bedtime, /race, snooze answers).

The command handlers may use these or format the engine's dataclasses themselves.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.coaching import BedtimePlan, minutes_in_bed
from bot.messages import Button, Reply
from bot.nudges.kinds import Kind
from bot.nudges.schedule import format_hhmm
from bot.nudges.texts import RACE_WEEKS_DAYS
from bot.services.nudge_answers import SnoozeResult
from bot.services.nudges import NudgeStatus, RaceInfo


def _when(moment: datetime, today: date) -> str:
    """``07:00`` today, ``tomorrow 07:00``, or ``Mon 07:00``."""
    hhmm = format_hhmm(moment.time())
    days = (moment.date() - today).days
    if days == 0:
        return f"today {hhmm}"
    if days == 1:
        return f"tomorrow {hhmm}"
    return f"{moment.strftime('%a')} {hhmm}"


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
            state = f"next {_when(item.next_local, today)}"
            if item.skipped_in_quiet:
                state += " (inside your quiet hours, so it will not be sent)"
            elif item.skipped:
                said = "Skip tonight" if item.kind is Kind.WIND_DOWN else "Skip today"
                state += (
                    f" is skipped: you said {said} (/nudges on {item.kind.value} sends it "
                    "after all)"
                )
        if item.snoozed_local is not None and item.enabled:
            state += f"; snoozed one comes {_when(item.snoozed_local, today)}"
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


def snooze_reply(result: SnoozeResult, today: date) -> Reply:
    """The answer to a snooze tap."""
    if result.due_local is None:
        return Reply(f"OK, no more of that one today ({result.note}).", private=True)
    if result.regular:
        when = _when(result.due_local, today)
        return Reply(f"OK, nothing extra: the next one comes {when} ({result.note}).", private=True)
    text = f"Snoozed: I'll remind you {_when(result.due_local, today)}."
    if result.note:
        text += f" ({result.note})"
    return Reply(text, private=True)
