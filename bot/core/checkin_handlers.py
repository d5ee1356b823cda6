"""Handlers of the habit check-ins: /slept, /mobility, /strength, /fuel."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.coaching_replies import fuel_advice, strength_advice
from bot.core.context import Context, Handler, Services
from bot.input_hygiene import clean_text
from bot.messages import Reply
from bot.models import GOOD_NIGHT_HOURS, CheckIn
from bot.services.habits import Recorded


def format_hours(hours: float) -> str:
    """``7 h 20 min`` (or ``8 h``)."""
    h, m = divmod(round(hours * 60), 60)
    return f"{h} h {m} min" if m else f"{h} h"


def describe_checkin(c: CheckIn, with_note: bool = True) -> str:
    """A check-in as the runner would say it (a snack's note left out in a group)."""
    if c.habit == "sleep":
        bed = f", in bed at {c.bedtime}" if c.bedtime else ""
        return f"sleep: {format_hours(c.hours or 0.0)}{bed}"
    if c.habit == "mobility":
        return f"{'pre' if c.kind == 'pre' else 'post'}-run hip mobility"
    if c.habit == "strength":
        name = c.kind.replace("-", " ")
        if c.kind == "deadlift":
            load = f" at {c.load:g} {c.load_unit}" if c.load is not None else ""
            return f"deadlift {c.sets} x {c.reps}{load}"
        return f"{name} {c.seconds} s"
    return "post-run snack" + (f": {clean_text(c.note)}" if c.note and with_note else "")


class CheckinHandlers:
    """Thin handlers over the habit service, with the coach's word after each check-in."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def table(self) -> dict[str, Handler]:
        """Command name -> handler."""
        return {
            "slept": self.slept,
            "mobility": self.mobility,
            "strength": self.strength,
            "fuel": self.fuel,
        }

    def _checked(self, recorded: Recorded, extra: str = "", what: str = "") -> Reply:
        c = recorded.checkin
        if not recorded.created:
            verb = "Already checked in"
        elif recorded.replaced:
            verb = "Updated"
        else:
            verb = "Checked in"
        text = f"{verb}: {what or describe_checkin(c)} ({c.local_date:%a %d %b})."
        return Reply(text + (f"\n{extra}" if extra else ""))

    async def slept(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Last night's sleep."""
        recorded = await self.services.habits.sleep(
            ctx.user, args["hours"], args.get("bedtime", ""), ctx.source_key
        )
        hours = recorded.checkin.hours or 0.0
        if hours >= 8:
            extra = "That's the ideal amount. Your legs will thank you."
        elif hours >= GOOD_NIGHT_HOURS:
            extra = "Seven or more: enough to recover well."
        else:
            extra = "Under seven hours. Tonight, try getting into bed a little earlier."
        if recorded.note:
            extra = f"{recorded.note}\n{extra}"
        return self._checked(recorded, extra)

    async def mobility(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """A hip mobility session."""
        recorded = await self.services.habits.mobility(
            ctx.user, args.get("when", ""), ctx.source_key
        )
        return self._checked(recorded)

    async def strength(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """A strength session."""
        recorded = await self.services.habits.strength(
            ctx.user, args["exercise"], args.get("detail", ""), ctx.source_key
        )
        return self._checked(recorded, strength_advice(recorded))

    async def fuel(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """The post-run snack."""
        recorded = await self.services.habits.fuel(ctx.user, args.get("what", ""), ctx.source_key)
        plain = recorded.fuel is not None and not recorded.fuel.run_day
        what = describe_checkin(recorded.checkin, with_note=not ctx.in_group)
        return self._checked(
            recorded, fuel_advice(recorded), what.replace("post-run ", "") if plain else what
        )
