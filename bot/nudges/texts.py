"""Every word a nudge says, with its one-tap buttons.

The wording is Pacer's own. Each kind has several variants, picked by the
occurrence (a day number plus the runner id), so consecutive days rotate and
not every runner gets the same line on the same day.

Button actions are command lines the core routes like typed text:
``/nudge done|skip <delivery_id>``, ``/nudge snooze <delivery_id> 20m|1h|tomorrow``,
``/nudge stop <kind>``, and the plain check-in commands (``/slept 7.5``,
``/mobility pre``, ``/fuel``, ``/strength plank 40``) where a tap *is* the check-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from bot.core.messages import Button, Reply
from bot.nudges.kinds import Kind
from bot.nudges.plans import StrengthSession
from bot.nudges.schedule import format_hhmm

SNOOZE_CHOICES = ("20m", "1h", "tomorrow")
SLEEP_ANSWERS = (("under 6 h", "5.5"), ("6-7", "6.5"), ("7-8", "7.5"), ("8+", "8.5"))


@dataclass(frozen=True, slots=True)
class NudgeContext:
    """What a nudge text may mention."""

    delivery_id: int
    seq: int  # rotation counter: the anchor day number plus the runner id
    bedtime: time | None = None
    target_bedtime: time | None = None
    run_time: time | None = None
    race_days_left: int | None = None  # set only inside the last 14 days before the race
    race_name: str = ""
    session: StrengthSession | None = None


_WIND_DOWN = (
    "Bedtime is {bedtime} tonight. Time to start winding down: screens away, lights low.",
    "Half an hour of quiet before {bedtime} makes the sleep come easier. Start landing the day.",
    "Your legs rebuild while you sleep. Aim to be in bed by {bedtime}; begin the wind-down now.",
    "Wrap up what you are doing: the plan says lights out at {bedtime}.",
    "A calm run-up to bed counts as training too. Target tonight: {bedtime}.",
)
_WIND_DOWN_RACE = (
    "{race} is {days}. Sleep this fortnight is where the fitness settles in: in bed by {bedtime}.",
    "Race countdown: {days} to {race}. Nothing you do tonight beats getting to bed at {bedtime}.",
    "Taper rule number one: protect your sleep. {race} is {days}; lights out at {bedtime}.",
)
_SLEEP = (
    "Morning! How long did you sleep last night?",
    "Good morning. One tap: how many hours of sleep did you get?",
    "How was the night? Log your hours so the week's sleep picture stays honest.",
    "Rise and report: roughly how much sleep did you get?",
)
_SLEEP_RACE = (
    "{race} is {days}. Every night counts now: how long did you sleep?",
    "Race fortnight check: {days} to {race}. How many hours did you get last night?",
)
_MOBILITY = (
    "Run at {run_time}? Give your hips five minutes first.",
    "Before you head out: five minutes to wake up the hips and glutes.",
    "Desk hips are stiff hips. Loosen them up before today's run.",
    "Quick warm-up before the run, worth every second of the mileage it costs.",
)
_MOBILITY_ROUTINE = (
    "- Leg swings: 10 forward-back and 10 side to side, each leg\n"
    "- Clam shells: 12 each side\n"
    "- Lunges: 8 each leg, slow\n"
    "- Walking butt kicks: 20 steps"
)
_FUEL = (
    "Run logged. Have you had a snack yet? Something small now helps the muscles refill.",
    "Before the shower and the inbox: eat a little something. Your legs are ready for it now.",
    "Nice run. The next half hour is the best time to refuel: a banana, yoghurt, toast, anything.",
    "Refuel reminder: a light snack straight after the run beats a perfect meal later.",
)
_STRENGTH = (
    "Strength day. Short and solid: {hold}, then deadlifts {sets} x {reps} with the hex bar.",
    "Core first, then power. Today: {hold}; deadlift {sets} x {reps} (hex bar).",
    "Ten minutes that keep you running: {hold}, and {sets} sets of {reps} hex-bar deadlifts.",
    "Time for the strength block: {hold}. Finish with deadlifts, {sets} x {reps}.",
)


def _pick(variants: tuple[str, ...], seq: int) -> str:
    return variants[seq % len(variants)]


def _days(days_left: int) -> str:
    if days_left <= 0:
        return "today"
    if days_left == 1:
        return "tomorrow"
    return f"{days_left} days away"


def _race_name(ctx: NudgeContext) -> str:
    return ctx.race_name or "Your race"


def nudge_text(kind: Kind, ctx: NudgeContext) -> str:
    """The message text for one nudge."""
    race = ctx.race_days_left is not None and kind.is_sleep
    days = _days(ctx.race_days_left or 0)
    if kind is Kind.WIND_DOWN:
        bedtime = format_hhmm(ctx.bedtime) if ctx.bedtime else "your bedtime"
        if race:
            return _pick(_WIND_DOWN_RACE, ctx.seq).format(
                race=_race_name(ctx), days=days, bedtime=bedtime
            )
        return _pick(_WIND_DOWN, ctx.seq).format(bedtime=bedtime)
    if kind is Kind.SLEEP_CHECKIN:
        if race:
            return _pick(_SLEEP_RACE, ctx.seq).format(race=_race_name(ctx), days=days)
        return _pick(_SLEEP, ctx.seq)
    if kind is Kind.PRE_RUN_MOBILITY:
        run_time = format_hhmm(ctx.run_time) if ctx.run_time else "soon"
        first = _pick(_MOBILITY, ctx.seq).format(run_time=run_time)
        return f"{first}\n{_MOBILITY_ROUTINE}"
    if kind is Kind.POST_RUN_FUEL:
        return _pick(_FUEL, ctx.seq)
    session = ctx.session or StrengthSession("plank", 30)
    side = " each side" if session.exercise == "side-plank" else ""
    hold = f"{session.label} {session.seconds} s{side}"
    return _pick(_STRENGTH, ctx.seq).format(
        hold=hold, sets=session.deadlift_sets, reps=session.deadlift_reps
    )


def _snooze_row(delivery_id: int) -> tuple[Button, ...]:
    labels = {"20m": "Snooze 20 min", "1h": "Snooze 1 h", "tomorrow": "Tomorrow"}
    return tuple(
        Button(labels[choice], f"/nudge snooze {delivery_id} {choice}") for choice in SNOOZE_CHOICES
    )


def _done_buttons(kind: Kind, ctx: NudgeContext) -> tuple[Button, ...]:
    if kind is Kind.SLEEP_CHECKIN:
        return tuple(Button(label, f"/slept {hours}") for label, hours in SLEEP_ANSWERS)
    if kind is Kind.PRE_RUN_MOBILITY:
        return (Button("Done", "/mobility pre"),)
    if kind is Kind.POST_RUN_FUEL:
        return (Button("Ate something", "/fuel"),)
    if kind is Kind.STRENGTH:
        session = ctx.session or StrengthSession("plank", 30)
        return (
            Button(
                f"Done: {session.label} {session.seconds} s",
                f"/strength {session.exercise} {session.seconds}",
            ),
        )
    return (Button("Winding down", f"/nudge done {ctx.delivery_id}"),)


def nudge_reply(kind: Kind, ctx: NudgeContext) -> Reply:
    """The full nudge: text plus one-tap answers (done, snooze, skip today, stop this kind)."""
    skip_label = "Skip tonight" if kind is Kind.WIND_DOWN else "Skip today"
    return Reply(
        text=nudge_text(kind, ctx),
        buttons=(
            _done_buttons(kind, ctx),
            _snooze_row(ctx.delivery_id),
            (
                Button(skip_label, f"/nudge skip {ctx.delivery_id}"),
                Button("Stop these", f"/nudge stop {kind.value}"),
            ),
        ),
        private=True,
        meta={"nudge_kind": kind.value, "delivery_id": str(ctx.delivery_id)},
    )
