"""Every word a nudge says, with its one-tap buttons, and the answers to those buttons.

The wording is Pacer's own. Each kind has several variants, picked by the
occurrence (a day number plus the runner id), so consecutive days rotate and
not every runner gets the same line on the same day.

Button actions are command lines the core routes like typed text:
``/nudge done|skip <delivery_id>``, ``/nudge snooze <delivery_id> 20m|1h|tomorrow``,
``/nudge stop <kind>``, and the plain check-in commands (``/slept 7.5``,
``/mobility pre``, ``/fuel``, ``/strength plank 40``) where a tap *is* the check-in
(and, as any check-in, answers that day's nudges of its habit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from bot.coaching import StrengthSession
from bot.errors import BadInput, NotFound
from bot.messages import Button, Reply
from bot.nudges.kinds import Kind
from bot.nudges.schedule import format_hhmm
from bot.nudges.status import SnoozeResult

SNOOZE_CHOICES = ("20m", "1h", "tomorrow")
RACE_WEEKS_DAYS = 14  # race variants from this many days out
SLEEP_ANSWERS = (("under 6 h", "5.5"), ("6-7", "6.5"), ("7-8", "7.5"), ("8+", "8.5"))


@dataclass(frozen=True, slots=True)
class NudgeContext:
    """What a nudge text may mention."""

    delivery_id: int
    seq: int  # rotation counter: the anchor day number plus the runner id
    bedtime: time | None = None
    target_bedtime: time | None = None
    run_time: time | None = None
    # Days from the anchor date to the race, set only from 14 down to 0 (race day).
    # The wind-down mentions the race 1-14 days ahead, the morning check-in 0-14.
    race_days_left: int | None = None
    race_name: str = ""
    session: StrengthSession | None = None


_WIND_DOWN = (
    "Bedtime is {bedtime} tonight. Time to start winding down: screens away, lights low.",
    "A quiet stretch before {bedtime} makes the sleep come easier. Start landing the day.",
    "Your legs rebuild while you sleep. Aim to be in bed by {bedtime}; begin the wind-down now.",
    "Wrap up what you are doing: the plan says lights out at {bedtime}.",
    "A calm run-up to bed counts as training too. Target tonight: {bedtime}.",
)
# Race variants: {race_is} starts a sentence ("Valencia is 12 days away", "... is
# tomorrow", "... is today"), so each reads naturally for every day it is used.
_WIND_DOWN_RACE = (  # 1-14 days ahead
    "{race_is}. Sleep in these last weeks is where the fitness settles in: in bed by {bedtime}.",
    "{race_is}. Nothing you do tonight beats getting to bed at {bedtime}.",
    "Taper rule number one: protect your sleep. {race_is}; lights out at {bedtime}.",
)
# Without a bedtime (a test, or a setting cleared) the wind-down names no time.
_WIND_DOWN_ANYTIME = (
    "Time to start winding down: screens away, lights low, bed soon.",
    "Your legs rebuild while you sleep. Start the wind-down now and get to bed early.",
    "A calm run-up to bed counts as training too. Start landing the day.",
)
_WIND_DOWN_RACE_ANYTIME = (
    "{race_is}. Sleep in these last weeks is where the fitness settles in: bed early tonight.",
    "Taper rule number one: protect your sleep. {race_is}; start winding down now.",
)
_SLEEP = (
    "Morning! How long did you sleep last night?",
    "Good morning. One tap: how many hours of sleep did you get?",
    "How was the night? Log your hours so the week's sleep picture stays honest.",
    "Rise and report: roughly how much sleep did you get?",
)
_SLEEP_RACE = (  # 1-14 days ahead
    "{race_is}. Every night counts now: how long did you sleep?",
    "Race check: {race_is_lower}. How many hours did you get last night?",
)
_SLEEP_RACE_DAY = (  # race day
    "Race day! {race_is}. Whatever the night was like, one tap: how long did you sleep?",
    "{race_is}, good luck! First, one tap: how many hours did you get last night?",
)
_MOBILITY = (
    "Run at {run_time}? Give your hips five minutes first.",
    "Before you head out: five minutes to wake up the hips and glutes.",
    "Desk hips are stiff hips. Loosen them up before today's run.",
    "Quick warm-up before the run, worth every second of the mileage it costs.",
    "Hips first, miles second: five minutes now keeps you running for longer.",
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
    "Strength day. Short and solid: {hold}, then deadlifts {deadlift} with the hex bar.",
    "Core first, then power. Today: {hold}; deadlift {deadlift} (hex bar).",
    "Ten minutes that keep you running: {hold}, and hex-bar deadlifts {deadlift}.",
    "Time for the strength block: {hold}. Finish with deadlifts, {deadlift}.",
)
_DEADLIFT_START = (
    "Deadlifts start today: 3 sets of 6 with a hex bar, at a light load you can lift with "
    "a flat back. Tell me the load when you check in and I'll add a little each time."
)


def _pick(variants: tuple[str, ...], seq: int) -> str:
    return variants[seq % len(variants)]


def _without(variants: tuple[str, ...], placeholder: str) -> tuple[str, ...]:
    """The variants that read right when ``placeholder`` has no value."""
    return tuple(v for v in variants if placeholder not in v)


def race_is(name: str, days_left: int, *, capital: bool = True) -> str:
    """ "Valencia is 12 days away", "... is tomorrow", "... is today" (no name: "Your race")."""
    who = name or ("Your race" if capital else "your race")
    if days_left <= 0:
        return f"{who} is today"
    if days_left == 1:
        return f"{who} is tomorrow"
    return f"{who} is {days_left} days away"


def nudge_text(kind: Kind, ctx: NudgeContext) -> str:
    """The message text for one nudge."""
    left = ctx.race_days_left
    if kind is Kind.WIND_DOWN:
        bedtime = format_hhmm(ctx.bedtime) if ctx.bedtime else ""
        if left is not None and 1 <= left <= RACE_WEEKS_DAYS:
            variants = _WIND_DOWN_RACE if bedtime else _WIND_DOWN_RACE_ANYTIME
            return _pick(variants, ctx.seq).format(
                race_is=race_is(ctx.race_name, left), bedtime=bedtime
            )
        return _pick(_WIND_DOWN if bedtime else _WIND_DOWN_ANYTIME, ctx.seq).format(bedtime=bedtime)
    if kind is Kind.SLEEP_CHECKIN:
        if left is not None and 0 <= left <= RACE_WEEKS_DAYS:
            variants = _SLEEP_RACE_DAY if left == 0 else _SLEEP_RACE
            return _pick(variants, ctx.seq).format(
                race_is=race_is(ctx.race_name, left),
                race_is_lower=race_is(ctx.race_name, left, capital=False),
            )
        return _pick(_SLEEP, ctx.seq)
    if kind is Kind.PRE_RUN_MOBILITY:
        if ctx.run_time is not None:
            first = _pick(_MOBILITY, ctx.seq).format(run_time=format_hhmm(ctx.run_time))
        else:
            first = _pick(_without(_MOBILITY, "{run_time}"), ctx.seq)
        return f"{first}\n{_MOBILITY_ROUTINE}"
    if kind is Kind.POST_RUN_FUEL:
        return _pick(_FUEL, ctx.seq)
    session = ctx.session or StrengthSession("plank", 30)
    text = _pick(_STRENGTH, ctx.seq).format(hold=session.hold, deadlift=session.deadlift)
    return f"{text}\n{_DEADLIFT_START}" if session.first_deadlift else text


def _snooze_row(kind: Kind, delivery_id: int) -> tuple[Button, ...]:
    """Snooze 20 min / 1 h, and "Tomorrow" where it works.

    Post-run fuel has no "Tomorrow" (a snack tomorrow is too late for the run);
    on pre-run mobility the same action is labelled "Next run day", since that
    is when the next one comes (the engine sends nothing extra).
    """
    labels = {"20m": "Snooze 20 min", "1h": "Snooze 1 h", "tomorrow": "Tomorrow"}
    if kind is Kind.PRE_RUN_MOBILITY:
        labels["tomorrow"] = "Next run day"
    choices = [c for c in SNOOZE_CHOICES if not (kind is Kind.POST_RUN_FUEL and c == "tomorrow")]
    return tuple(Button(labels[c], f"/nudge snooze {delivery_id} {c}") for c in choices)


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
            Button(f"Done: deadlift {session.deadlift}", session.deadlift_command),
        )
    return (Button("Winding down", f"/nudge done {ctx.delivery_id}"),)


def nudge_reply(kind: Kind, ctx: NudgeContext) -> Reply:
    """The full nudge: text plus one-tap answers (done, snooze, skip today, stop this kind)."""
    skip_label = "Skip tonight" if kind is Kind.WIND_DOWN else "Skip today"
    return Reply(
        text=nudge_text(kind, ctx),
        buttons=(
            _done_buttons(kind, ctx),
            _snooze_row(kind, ctx.delivery_id),
            (
                Button(skip_label, f"/nudge skip {ctx.delivery_id}"),
                Button("Stop these", f"/nudge stop {kind.value}"),
            ),
        ),
        private=True,
        meta={"nudge_kind": kind.value, "delivery_id": str(ctx.delivery_id)},
    )


# --- the answers to a nudge's buttons (done, skip today, snooze) ------------------------------


def when_text(moment: datetime, today: date) -> str:
    """``07:00`` today, ``tomorrow 07:00``, or ``Mon 07:00``."""
    hhmm = format_hhmm(moment.time())
    days = (moment.date() - today).days
    if days == 0:
        return f"today {hhmm}"
    if days == 1:
        return f"tomorrow {hhmm}"
    return f"{moment.strftime('%a')} {hhmm}"


DONE = "Nice. Screens off, lights low, sleep well."


def skipped_today(kind: Kind) -> str:
    """The answer to "skip today"."""
    return f"OK, no more {kind.label.lower()} nudges today."


def snooze_reply(result: SnoozeResult, today: date) -> Reply:
    """The answer to a snooze tap."""
    if result.due_local is None:
        return Reply(f"OK, no more of that one today ({result.note}).", private=True)
    if result.regular:
        when = when_text(result.due_local, today)
        return Reply(f"OK, nothing extra: the next one comes {when} ({result.note}).", private=True)
    text = f"Snoozed: I'll remind you {when_text(result.due_local, today)}."
    if result.note:
        text += f" ({result.note})"
    return Reply(text, private=True)


# Where a snoozed nudge went, when not simply later (``SnoozeResult.note``).
SNACK_TOO_LATE = "a snack tomorrow is too late for this run"
NO_RUN_DAY = "no run day is coming up"
NEXT_RUN_DAY = "your next run day"
TOMORROWS_REGULAR = "tomorrow's regular nudge"
INSIDE_QUIET_HOURS = "that would be inside your quiet hours"
MOVED_PAST_QUIET_HOURS = "moved to the end of your quiet hours"
# Why a /nudges test could not write a kind.
NO_REACHABLE_CHAT = "no reachable chat"
SENT_THIS_SECOND = "already sent this second"

ALREADY_ANSWERED = "You've already answered that one."


def snooze_how_long() -> BadInput:
    """A snooze tap without its length."""
    return BadInput("Snooze for how long?", hint="20m, 1h or tomorrow")


def snooze_choices() -> BadInput:
    """A snooze of a length Pacer does not offer."""
    return BadInput(f"Snooze for {', '.join(SNOOZE_CHOICES)}.")


def already_answered() -> BadInput:
    """A second tap on an answered nudge."""
    return BadInput(ALREADY_ANSWERED)


def kind_is_off(kind: Kind) -> BadInput:
    """A snooze of a nudge whose kind was turned off (Stop these, /nudges off)."""
    return BadInput(f"{kind.label} nudges are off: /nudges on {kind.value} turns them back on.")


def snoozed_enough() -> BadInput:
    """A fourth snooze of one nudge."""
    return BadInput("Snoozed enough times already; skip it or do it now.")


def not_your_nudge() -> NotFound:
    """A button of another runner's nudge, or one gone."""
    return NotFound("That nudge is not yours or no longer exists.")


def unknown_runner() -> NotFound:
    """A nudge service asked about a runner who never said /start."""
    return NotFound("I don't know you yet: send /start first.")
