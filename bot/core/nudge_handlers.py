"""Handlers of the nudge commands: /bedtime, /race, /nudges, /pause and nudge buttons.

Their words: :mod:`bot.texts.nudge_settings`; a nudge's buttons: :mod:`bot.nudges.texts`.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.context import Context, Handler
from bot.dates import MAX_DAYS_AHEAD, parse_days, parse_future_date
from bot.daytimes import parse_clock
from bot.delivery.sweep import Sweeper
from bot.input_hygiene import parse_int, quote
from bot.messages import Reply
from bot.models import User
from bot.nudges import texts as nudge_texts
from bot.nudges.kinds import Kind
from bot.services.nudge_answers import NudgeAnswers
from bot.services.nudges import NudgeSettingsService
from bot.texts import nudge_settings as texts
from bot.texts.nudge_settings import bedtime_reply, race_reply, status_reply

# Settings that live with the nudge preferences rather than on the runner's profile.
NUDGE_SETTINGS = ("strength_days", "strength_time", "wind_down_lead", "pre_run_lead", "fuel_delay")


def parse_kind(text: str) -> Kind:
    """A nudge kind from its name or an alias (bedtime, mobility, fuel...)."""
    try:
        return Kind.parse(text)
    except ValueError:
        raise texts.no_such_kind(quote(text)) from None


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
            return Reply(texts.step_set(args["step"], reply.text), reply.buttons)
        return bedtime_reply(await self.settings.bedtime_status(ctx.user.id))

    async def race(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Show, set or clear the goal race."""
        raw = args.get("date", "")
        if not raw:
            if "name" in args:
                raise texts.race_which_day()
            return race_reply(await self.settings.race(ctx.user.id))
        if raw.lower() in {"off", "none", "clear"}:
            if (await self.settings.race(ctx.user.id)).race_date is None:
                return Reply(texts.NO_RACE_TO_CLEAR)
            await self.settings.set_race(ctx.user.id, None)
            return Reply(texts.RACE_CLEARED)
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
                raise texts.no_chat_for_nudges()
            return Reply(texts.sending_tests(len(routed), str(routed[0].platform)))
        if action in {"on", "off"}:
            if "kind" not in args:
                raise texts.which_kind(action)
            return await self._toggle(ctx, parse_kind(args["kind"]), action == "on")
        if "kind" in args:
            raise texts.on_or_off_first()
        return status_reply(await self.settings.status(ctx.user.id), today)

    async def _toggle(self, ctx: Context, kind: Kind, on: bool) -> Reply:
        await self.settings.set_kind(ctx.user.id, kind, on)
        status = status_reply(await self.settings.status(ctx.user.id), ctx.user.today(ctx.now))
        return Reply(texts.toggled(kind, on, status.text), status.buttons)

    async def pause(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Pause every nudge until a date, or resume."""
        raw = args["until"].strip().lower()
        reason = args.get("reason", "")
        if raw in {"off", "none", "resume", "stop"}:
            if reason:
                raise texts.resume_needs_no_reason(reason)
            await self.settings.pause_until(ctx.user.id, None)
            return Reply(texts.RESUMED)
        day = parse_future_date(raw, ctx.user.today(ctx.now))
        await self.settings.pause_until(ctx.user.id, day, reason)
        return Reply(texts.paused(day, reason))

    async def answer(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """A tap on a nudge's button: done, skip, snooze, or stop/start a kind."""
        verb, target = args["answer"], args["target"]
        today = ctx.user.today(ctx.now)
        if verb in {"stop", "start"}:
            return await self._toggle(ctx, parse_kind(target), verb == "start")
        delivery_id = parse_int(target, "The nudge id", low=1)
        if verb == "done":
            await self.answers.acknowledge(ctx.user.id, delivery_id)
            return Reply(nudge_texts.DONE)
        if verb == "skip":
            kind = await self.answers.skip_today(ctx.user.id, delivery_id)
            return Reply(nudge_texts.skipped_today(kind))
        duration = args.get("duration")
        if duration is None:
            raise nudge_texts.snooze_how_long()
        result = await self.answers.snooze(ctx.user.id, delivery_id, duration)
        return nudge_texts.snooze_reply(result, today)

    # --- settings kept with the nudge preferences ------------------------------------

    async def change_setting(self, user: User, item: str, value: str) -> str:
        """Save a nudge setting (strength days and time, leads); returns the confirmation."""
        value = value.strip()
        off = value.lower() in {"off", "none", "-"}
        if item == "strength_days":
            days = parse_days(value)
            await self.settings.set_strength(user.id, days, user.prefs.strength_time)
            return texts.strength_days_set(days)
        if item == "strength_time":
            chosen = user.prefs.strength_days
            at = None if off else parse_clock(value)
            await self.settings.set_strength(user.id, chosen, at)
            return texts.strength_time_set(at, bool(chosen))
        minutes = _minutes(value)
        field = {"wind_down_lead": "wind_down", "pre_run_lead": "pre_run"}.get(item, item)
        await self.settings.set_leads(user.id, **{field: minutes})
        return texts.lead_set(item, minutes)

    async def settings_lines(self, user: User) -> list[str]:
        """The nudge settings, for /settings."""
        return texts.settings_lines(user.prefs)


def _minutes(value: str) -> int:
    raw = value.lower().removesuffix("min").removesuffix("m").strip()
    minutes = parse_int(raw, "Minutes", low=0, high=180)
    return minutes
