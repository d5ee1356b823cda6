"""Handlers of the habit check-ins: /slept, /mobility, /strength, /fuel.

Their words are in :mod:`bot.texts.habits`.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.coaching import Recorded
from bot.core.context import Context, Handler, Services
from bot.dates import split_day
from bot.messages import Reply
from bot.texts import habits as texts


def _with_day(text: str, day: str) -> tuple[str, str]:
    """Free text and the check-in's day: given apart (Discord), or typed in the text."""
    return (text, day) if day else split_day(text)


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

    def _checked(self, ctx: Context, recorded: Recorded, extra: str = "", what: str = "") -> Reply:
        # In a group the answer says whose check-in it is (a button's answer names nobody);
        # the coach's word there (a strength target, the snack's timing) is the runner's own.
        if ctx.seen_by_group:
            return Reply(texts.checked(recorded, "", what, ctx.name_in_group), private_note=extra)
        return Reply(texts.checked(recorded, extra, what))

    async def slept(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Last night's sleep."""
        recorded = await self.services.habits.sleep(
            ctx.user, args["hours"], args.get("bedtime", ""), ctx.source_key, args.get("day", "")
        )
        extra = texts.sleep_advice(recorded.checkin.hours or 0.0)
        if recorded.note:
            extra = f"{recorded.note}\n{extra}"
        return self._checked(ctx, recorded, extra)

    async def mobility(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """A hip mobility session."""
        recorded = await self.services.habits.mobility(
            ctx.user, args.get("when", ""), ctx.source_key, args.get("day", "")
        )
        return self._checked(ctx, recorded)

    async def strength(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """A strength session."""
        detail, day = _with_day(args.get("detail", ""), args.get("day", ""))
        recorded = await self.services.habits.strength(
            ctx.user, args["exercise"], detail, ctx.source_key, day
        )
        return self._checked(ctx, recorded, texts.strength_advice(recorded))

    async def fuel(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """The post-run snack."""
        what, day = _with_day(args.get("what", ""), args.get("day", ""))
        recorded = await self.services.habits.fuel(ctx.user, what, ctx.source_key, day)
        plain = recorded.fuel is not None and not recorded.fuel.run_day
        what = texts.describe_checkin(recorded.checkin, with_note=not ctx.in_group)
        return self._checked(
            ctx,
            recorded,
            texts.fuel_advice(recorded),
            what.replace("post-run ", "") if plain else what,
        )
