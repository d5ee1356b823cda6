"""Handlers of the nudge commands: /bedtime, /race, /nudges, /pause and nudge buttons."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from bot.core.context import Context, Handler
from bot.core.errors import BadInput, NotFound
from bot.core.messages import Reply
from bot.models import CheckIn, Run, User
from bot.nudges.engine import NudgeEngine, NudgeError, NudgeNotFound
from bot.nudges.formatting import bedtime_reply, race_reply, snooze_reply, status_reply
from bot.nudges.kinds import Kind
from bot.parsing import parse_clock, parse_days

# Settings that live with the nudge preferences rather than on the runner's profile.
NUDGE_SETTINGS = ("strength_days", "strength_time", "wind_down_lead", "pre_run_lead", "fuel_delay")
_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_kind(text: str) -> Kind:
    """A nudge kind from its name or an alias (bedtime, mobility, fuel...)."""
    try:
        return Kind.parse(text)
    except ValueError:
        names = ", ".join(k.value for k in Kind)
        raise BadInput(f"There's no '{text}' nudge.", hint=f"Kinds: {names}.") from None


def parse_future_date(text: str, today: date) -> date:
    """``2026-12-24``, ``tomorrow`` or a weekday (the next one)."""
    raw = text.strip().lower()
    if raw == "tomorrow":
        return today + timedelta(days=1)
    if raw[:3] in _WEEKDAY_KEYS and raw.isalpha():
        ahead = (_WEEKDAY_KEYS.index(raw[:3]) - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadInput(
            f"I can't read '{text}' as a date.", hint="Use a date like 2026-12-24, or tomorrow."
        ) from None


class NudgeHandlers:
    """Thin handlers over :class:`NudgeEngine`; the engine's errors become friendly replies."""

    def __init__(self, engine: NudgeEngine) -> None:
        self.engine = engine

    def table(self) -> dict[str, Handler]:
        """Command name -> handler."""
        return {
            "bedtime": self.bedtime,
            "race": self.race,
            "nudges": self.nudges,
            "pause": self.pause,
            "nudge": self.answer,
        }

    # --- listener: keep schedules in step with what runners do --------------------

    async def on_run_logged(self, user: User, run: Run, now: datetime) -> None:
        """Plan the post-run fuel nudge."""
        await self.engine.on_run_logged(user.id, run.id, now, run_date=run.local_date)

    async def on_run_deleted(self, user: User, run: Run, now: datetime) -> None:
        """A removed run gets no snack nudge."""
        await self.engine.on_run_deleted(user.id, run.id)

    async def on_checkin(self, user: User, checkin: CheckIn, now: datetime) -> None:
        """Nothing to do: a sweep checks check-ins before sending."""

    async def on_settings_changed(self, user: User, now: datetime) -> None:
        """Recompute next-due times from the new settings."""
        await self.engine.reschedule_user(user.id)

    # --- commands ---------------------------------------------------------------------

    async def bedtime(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """This week's bedtime and the plan, or a new weekly step."""
        try:
            if "step" in args:
                plan = await self.engine.set_bedtime_step(ctx.user.id, int(args["step"]))
                reply = bedtime_reply(plan)
                return Reply(f"Weekly step set to {args['step']} min.\n{reply.text}", reply.buttons)
            return bedtime_reply(await self.engine.bedtime_status(ctx.user.id))
        except NudgeError as error:
            raise BadInput(_sentence(error)) from None

    async def race(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Show, set or clear the goal race."""
        raw = args.get("date", "")
        if not raw:
            if "name" in args:
                raise BadInput("Which day is the race?", hint="/race 2027-04-12 Berlin Half")
            return race_reply(await self.engine.race(ctx.user.id))
        if raw.lower() in {"off", "none", "clear"}:
            await self.engine.set_race(ctx.user.id, None)
            return Reply("Goal race cleared.")
        day = parse_future_date(raw, ctx.user.today(ctx.now))
        try:
            info = await self.engine.set_race(ctx.user.id, day, args.get("name", ""))
        except NudgeError as error:
            raise BadInput(_sentence(error)) from None
        return race_reply(info)

    async def nudges(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Status, a test of each kind, or one kind on or off."""
        action = args.get("action")
        today = ctx.user.today(ctx.now)
        if action == "test":
            sent = await self.engine.send_test(ctx.user.id)
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
        return status_reply(await self.engine.status(ctx.user.id), today)

    async def _toggle(self, ctx: Context, kind: Kind, on: bool) -> Reply:
        if on:
            await self.engine.enable_kind(ctx.user.id, kind)
        else:
            await self.engine.stop_kind(ctx.user.id, kind)
        status = status_reply(await self.engine.status(ctx.user.id), ctx.user.today(ctx.now))
        head = f"{kind.label} nudges {'on' if on else 'off'}."
        return Reply(f"{head}\n\n{status.text}", status.buttons)

    async def pause(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Pause every nudge until a date, or resume."""
        raw = args["until"].strip().lower()
        if raw in {"off", "none", "resume", "stop"}:
            await self.engine.pause_until(ctx.user.id, None)
            return Reply("Nudges are back on.")
        day = parse_future_date(raw, ctx.user.today(ctx.now))
        try:
            await self.engine.pause_until(ctx.user.id, day)
        except NudgeError as error:
            raise BadInput(_sentence(error)) from None
        return Reply(
            f"Paused every nudge; they resume on {day:%a %d %b %Y}. /pause off resumes sooner."
        )

    async def answer(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """A tap on a nudge's button: done, skip, snooze, or stop/start a kind."""
        verb, target = args["answer"], args["target"]
        today = ctx.user.today(ctx.now)
        if verb in {"stop", "start"}:
            return await self._toggle(ctx, parse_kind(target), verb == "start")
        try:
            delivery_id = int(target)
        except ValueError:
            raise BadInput(f"'{target}' isn't a nudge id.") from None
        try:
            if verb == "done":
                await self.engine.acknowledge(ctx.user.id, delivery_id)
                return Reply("Nice. Screens off, lights low, sleep well.")
            if verb == "skip":
                kind = await self.engine.skip_today(ctx.user.id, delivery_id)
                return Reply(f"OK, no more {kind.label.lower()} nudges today.")
            duration = args.get("duration")
            if duration is None:
                raise BadInput("Snooze for how long?", hint="20m, 1h or tomorrow")
            result = await self.engine.snooze(ctx.user.id, delivery_id, duration)
            return snooze_reply(result, today)
        except NudgeNotFound as error:
            raise NotFound(_sentence(error)) from None
        except NudgeError as error:
            raise BadInput(_sentence(error)) from None

    # --- settings kept with the nudge preferences ------------------------------------

    async def change_setting(self, user: User, item: str, value: str) -> str:
        """Save a nudge setting (strength days and time, leads); returns the confirmation."""
        value = value.strip()
        off = value.lower() in {"off", "none", "-"}
        try:
            if item == "strength_days":
                days = parse_days(value)
                runner = await self.engine.store.runner(user.id)
                at = runner.prefs.strength_time if runner else None
                await self.engine.set_strength(
                    user.id, ",".join(_WEEKDAY_KEYS[d] for d in days), at
                )
                shown = ", ".join(_WEEKDAY_KEYS[d].capitalize() for d in days) or "none"
                return f"Strength days set to {shown}."
            if item == "strength_time":
                runner = await self.engine.store.runner(user.id)
                chosen = runner.prefs.strength_days if runner else ""
                at = None if off else parse_clock(value)
                await self.engine.set_strength(user.id, chosen, at)
                hint = "" if chosen else " Choose the days with /settings strength_days tue,fri."
                return f"Strength time set to {at or 'not set'}.{hint}"
            minutes = _minutes(value)
            field = {"wind_down_lead": "wind_down", "pre_run_lead": "pre_run"}.get(item, item)
            await self.engine.set_leads(user.id, **{field: minutes})
            return f"{item.replace('_', ' ').capitalize()} set to {minutes} min."
        except NudgeError as error:
            raise BadInput(_sentence(error)) from None

    async def settings_lines(self, user: User) -> list[str]:
        """The nudge settings, for /settings."""
        runner = await self.engine.store.runner(user.id)
        if runner is None:
            return []
        p = runner.prefs
        days = ", ".join(d.capitalize() for d in p.strength_days.split(",") if d) or "not set"
        return [
            f"strength_days: {days}",
            f"strength_time: {p.strength_time or 'not set'}",
            f"wind_down_lead: {p.wind_down_lead} min before bedtime",
            f"pre_run_lead: {p.pre_run_lead} min before your run",
            f"fuel_delay: {p.fuel_delay} min after a logged run",
        ]


def _minutes(value: str) -> int:
    raw = value.lower().removesuffix("min").removesuffix("m").strip()
    if not raw.isdigit():
        raise BadInput(f"I can't read '{value}' as minutes.", hint="Use a number such as 20.")
    minutes = int(raw)
    if not 0 <= minutes <= 180:
        raise BadInput("Use between 0 and 180 minutes.")
    return minutes


def _sentence(error: Exception) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")
