"""Handlers of progress: /week (this or an earlier week), /stats, /chart, and /edit of a run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.context import Context, Handler, Services
from bot.dates import parse_week_day
from bot.messages import Attachment, Reply
from bot.progress import WeekPoint
from bot.services.stats import CALENDAR_WEEKS, CHART_WEEKS, DEFAULT_PERIOD
from bot.texts import progress as texts
from bot.texts import runs as run_texts
from bot.texts.progress import stats_text, week_text, week_total_line


def png(name: str, data: bytes) -> Attachment:
    """A chart as an image attachment."""
    return Attachment(name, data, "image/png")


class ProgressHandlers:
    """Thin handlers over the stats and runs services; charts are drawn off the event loop."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def table(self) -> dict[str, Handler]:
        """Command name -> handler."""
        return {"week": self.week, "stats": self.stats, "chart": self.chart, "edit": self.edit}

    async def week(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """This week per habit, or an earlier one (``last``, a date), with streaks."""
        user = ctx.user
        day = parse_week_day(args.get("when", ""), user.today(ctx.now))
        summary = await self.services.stats.week(user, day)
        return Reply(week_text(summary, user.units) + texts.rest_line(user, user.today(ctx.now)))

    async def stats(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Totals, averages, the longest run, trend, best efforts and habits, with the chart."""
        user = ctx.user
        period = await self.services.stats.period(user, args.get("period", DEFAULT_PERIOD))
        if not _anything_to_draw(period.weeks):
            return Reply(stats_text(period, user.units))  # an empty chart says nothing
        chart = await self.services.charts.distance(period.weeks, user.units)
        return Reply(
            stats_text(period, user.units) + texts.rest_line(user, user.today(ctx.now)),
            attachments=(png(f"pacer-stats-{period.period}-{period.end}.png", chart),),
        )

    async def chart(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """The weekly distance chart, or the habit calendar."""
        user = ctx.user
        today = user.today(ctx.now)
        if args.get("which", "distance") == "habits":
            weeks = await self.services.stats.weeks(user, CALENDAR_WEEKS)
            first = await self.services.stats.first_day(user)
            if first is None or not _anything_to_draw(weeks):
                return Reply(texts.no_habits_to_draw(CALENDAR_WEEKS))
            data = await self.services.charts.calendar(
                weeks, len(user.prefs.strength_days), first, today
            )
            recent = (today - first).days < 7 * (CALENDAR_WEEKS - 1)
            return Reply(
                texts.habits_caption(CALENDAR_WEEKS, first if recent else None),
                attachments=(png(f"pacer-habits-{today}.png", data),),
            )
        weeks = await self.services.stats.weeks(user, CHART_WEEKS)
        if not _anything_to_draw(weeks):
            return Reply(texts.no_distance_to_draw(CHART_WEEKS))
        data = await self.services.charts.distance(weeks, user.units)
        total = sum(w.runs.distance_m for w in weeks)
        return Reply(
            texts.distance_caption(CHART_WEEKS, total, user.units),
            attachments=(png(f"pacer-distance-{today}.png", data),),
        )

    async def edit(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Correct one field of one of the runner's runs and say what changed."""
        user = ctx.user
        field = args["field"]
        value = args.get("value", "")
        if not value and field != "note":
            raise run_texts.edit_what(args["run_id"], field)
        edited = await self.services.runs.edit(user, int(args["run_id"]), field, value)
        before, after = edited.before, edited.after
        today = user.today(ctx.now)
        was = run_texts.field_text(before, field, user.units)
        now = run_texts.field_text(after, field, user.units)
        lines = [
            run_texts.edited_head(after.id, field, was, now),
            run_texts.edited_now(after, user.units, today),
            week_total_line(
                after.local_date,
                today,
                edited.week_distance_m,
                edited.week_runs,
                edited.streak_weeks,
                user.units,
            ),
        ]
        return Reply("\n".join(lines))


def _anything_to_draw(weeks: Sequence[WeekPoint]) -> bool:
    """Any run or check-in in the chart's weeks: else the picture would be empty."""
    return any(
        w.runs.runs
        or w.habits.nights_logged
        or w.habits.mobility_sessions
        or w.habits.strength_sessions
        or w.habits.snacks_after_runs
        for w in weeks
    )
