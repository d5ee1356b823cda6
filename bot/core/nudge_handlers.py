"""Handlers of the nudge commands: /bedtime, /race, /nudges, /pause and nudge buttons."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.context import Context, Handler
from bot.core.nudge_replies import bedtime_reply, race_reply, snooze_reply, status_reply
from bot.dates import MAX_DAYS_AHEAD, parse_clock, parse_days, parse_future_date
from bot.delivery.sweep import Sweeper
from bot.errors import BadInput
from bot.input_hygiene import parse_int, quote
from bot.messages import Reply
from bot.models import WEEKDAYS, User
from bot.nudges.kinds import Kind
from bot.services.nudge_answers import NudgeAnswers
from bot.services.nudges import NudgeSettingsService

# Settings that live with the nudge preferences rather than on the runner's profile.
NUDGE_SETTINGS = ("strength_days", "strength_time", "wind_down_lead", "pre_run_lead", "fuel_delay")


def parse_kind(text: str) -> Kind:
    """A nudge kind from its name or an alias (bedtime, mobility, fuel...)."""
    try:
        return Kind.parse(text)
    except ValueError:
        names = ", ".join(k.value for k in Kind)
        raise BadInput(f"There's no '{quote(text)}' nudge.", hint=f"Kinds: {names}.") from None


def check_strength_setting(item: str, value: str) -> None:
    """Raise BadInput when a strength day list or time cannot be read (nothing is saved)."""
    if value.strip().lower() in {"off", "none", "-"}:
        return
    if item == "strength_days":
        parse_days(value)
    else:
        parse_clock(value)


class NudgeHandlers:
    """Thin handlers over the nudge services."""

    def __init__(
        self, settings: NudgeSettingsService, answers: NudgeAnswers, sweeper: Sweeper
    ) -> None:
        self.settings = settings
        self.answers = answers
        self.sweeper = sweeper

    def table(self) -> dict[str, Handler]:
        """Command name -> handler."""
        return {
            "bedtime": self.bedtime,
            "race": self.race,
            "nudges": self.nudges,
            "pause": self.pause,
            "nudge": self.answer,
        }

    # --- commands ---------------------------------------------------------------------

    async def bedtime(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """This week's bedtime and the plan, or a new weekly step."""
        if "step" in args:
            plan = await self.settings.set_bedtime_step(ctx.user.id, int(args["step"]))
            reply = bedtime_reply(plan)
            return Reply(f"Weekly step set to {args['step']} min.\n{reply.text}", reply.buttons)
        return bedtime_reply(await self.settings.bedtime_status(ctx.user.id))

    async def race(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Show, set or clear the goal race."""
        raw = args.get("date", "")
        if not raw:
            if "name" in args:
                raise BadInput("Which day is the race?", hint="/race 2027-04-12 Berlin Half")
            return race_reply(await self.settings.race(ctx.user.id))
        if raw.lower() in {"off", "none", "clear"}:
            if (await self.settings.race(ctx.user.id)).race_date is None:
                return Reply("No goal race was set; nothing to clear. /race 2027-04-12 Boston")
            await self.settings.set_race(ctx.user.id, None)
            return Reply("Goal race cleared.")
        # Races are booked further out than pauses last: two years.
        day = parse_future_date(raw, ctx.user.today(ctx.now), max_days=2 * MAX_DAYS_AHEAD)
        return race_reply(await self.settings.set_race(ctx.user.id, day, args.get("name", "")))

    async def nudges(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Status, a test of each kind, or one kind on or off."""
        action = args.get("action")
        today = ctx.user.today(ctx.now)
        if action == "test":
            sent = await self.answers.send_test(ctx.user.id)
            await self.sweeper.sweep()  # now, not at the next tick
            routed = [s for s in sent if s.delivery_id is not None]
            if not routed:
                raise BadInput(
                    "I have no chat to send nudges to yet.",
                    hint="Start a private chat with me (Telegram) or allow DMs (Discord).",
                )
            return Reply(
                f"Sending one of each kind ({len(routed)}) to your {routed[0].platform} "
                "direct messages now."
            )
        if action in {"on", "off"}:
            if "kind" not in args:
                raise BadInput(f"Which nudge should I turn {action}?", hint="/nudges off strength")
            return await self._toggle(ctx, parse_kind(args["kind"]), action == "on")
        if "kind" in args:
            raise BadInput("Say on or off first.", hint="/nudges off strength")
        return status_reply(await self.settings.status(ctx.user.id), today)

    async def _toggle(self, ctx: Context, kind: Kind, on: bool) -> Reply:
        await self.settings.set_kind(ctx.user.id, kind, on)
        status = status_reply(await self.settings.status(ctx.user.id), ctx.user.today(ctx.now))
        head = f"{kind.label} nudges {'on' if on else 'off'}."
        return Reply(f"{head}\n\n{status.text}", status.buttons)

    async def pause(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Pause every nudge until a date, or resume."""
        raw = args["until"].strip().lower()
        reason = args.get("reason", "")
        if raw in {"off", "none", "resume", "stop"}:
            if reason:
                raise BadInput(f"/pause off resumes now; '{reason}' needs a date.")
            await self.settings.pause_until(ctx.user.id, None)
            return Reply("Nudges are back on.")
        day = parse_future_date(raw, ctx.user.today(ctx.now))
        await self.settings.pause_until(ctx.user.id, day, reason)
        frozen = (
            f" Your streaks are frozen ({reason}) until then: they neither grow nor break."
            if reason
            else ""
        )
        return Reply(
            f"Paused every nudge; they resume on {day:%a %d %b %Y}.{frozen} "
            "/pause off resumes sooner."
        )

    async def answer(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """A tap on a nudge's button: done, skip, snooze, or stop/start a kind."""
        verb, target = args["answer"], args["target"]
        today = ctx.user.today(ctx.now)
        if verb in {"stop", "start"}:
            return await self._toggle(ctx, parse_kind(target), verb == "start")
        delivery_id = parse_int(target, "The nudge id", low=1)
        if verb == "done":
            await self.answers.acknowledge(ctx.user.id, delivery_id)
            return Reply("Nice. Screens off, lights low, sleep well.")
        if verb == "skip":
            kind = await self.answers.skip_today(ctx.user.id, delivery_id)
            return Reply(f"OK, no more {kind.label.lower()} nudges today.")
        duration = args.get("duration")
        if duration is None:
            raise BadInput("Snooze for how long?", hint="20m, 1h or tomorrow")
        result = await self.answers.snooze(ctx.user.id, delivery_id, duration)
        return snooze_reply(result, today)

    # --- settings kept with the nudge preferences ------------------------------------

    async def change_setting(self, user: User, item: str, value: str) -> str:
        """Save a nudge setting (strength days and time, leads); returns the confirmation."""
        value = value.strip()
        off = value.lower() in {"off", "none", "-"}
        if item == "strength_days":
            days = parse_days(value)
            await self.settings.set_strength(user.id, days, user.prefs.strength_time)
            shown = ", ".join(WEEKDAYS[d].capitalize() for d in days) or "none"
            return f"Strength days set to {shown}."
        if item == "strength_time":
            chosen = user.prefs.strength_days
            at = None if off else parse_clock(value)
            await self.settings.set_strength(user.id, chosen, at)
            hint = "" if chosen else " Choose the days with /settings strength_days tue,fri."
            return f"Strength time set to {at or 'not set'}.{hint}"
        minutes = _minutes(value)
        field = {"wind_down_lead": "wind_down", "pre_run_lead": "pre_run"}.get(item, item)
        await self.settings.set_leads(user.id, **{field: minutes})
        return f"{item.replace('_', ' ').capitalize()} set to {minutes} min."

    async def settings_lines(self, user: User) -> list[str]:
        """The nudge settings, for /settings."""
        p = user.prefs
        days = ", ".join(WEEKDAYS[d].capitalize() for d in p.strength_days) or "not set"
        return [
            f"strength_days: {days}",
            f"strength_time: {p.strength_time or 'not set'}",
            f"wind_down_lead: {p.wind_down_lead} min before bedtime",
            f"pre_run_lead: {p.pre_run_lead} min before your run",
            f"fuel_delay: {p.fuel_delay} min after a logged run",
        ]


def _minutes(value: str) -> int:
    raw = value.lower().removesuffix("min").removesuffix("m").strip()
    minutes = parse_int(raw, "Minutes", low=0, high=180)
    return minutes
