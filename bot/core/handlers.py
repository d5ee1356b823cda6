"""Command handlers: call a service, word the answer. No SQL, no platform code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta

from bot.core.commands import COMMANDS, SETTINGS_ITEMS, find_command, public_commands
from bot.core.context import Context, Handler, Services
from bot.core.nudge_handlers import NUDGE_SETTINGS, NudgeHandlers
from bot.errors import BadInput
from bot.messages import Button, Reply
from bot.models import CheckIn, Run, User, week_start
from bot.parsing import format_days, format_distance, format_duration, format_pace
from bot.services.habits import Recorded
from bot.services.profile import ONBOARDING, Question, onboarding_question

POST_RUN_BUTTONS = (
    (Button("🍌 Snack eaten", "/fuel"), Button("🦵 Post-run mobility done", "/mobility post")),
)


def plural(count: int, noun: str) -> str:
    """``1 night``, ``2 nights``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def day_label(day: date, today: date) -> str:
    """``today``, ``yesterday`` or ``Mon 23 Nov``."""
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    if day.year != today.year:
        return f"{day:%a %d %b %Y}"
    return f"{day:%a %d %b}"


def describe_run(run: Run, units: str, today: date, with_note: bool = True) -> str:
    """``#12 · today · 5.00 km in 25:00 (5:00 /km)``."""
    text = (
        f"#{run.id} · {day_label(run.local_date, today)} · "
        f"{format_distance(run.distance_m, units)} in {format_duration(run.duration_s)} "
        f"({format_pace(run.distance_m, run.duration_s, units)})"
    )
    if with_note and run.note:
        text += f" · {run.note}"
    return text


def format_hours(hours: float) -> str:
    """``7 h 20 min`` (or ``8 h``)."""
    h, m = divmod(round(hours * 60), 60)
    return f"{h} h {m} min" if m else f"{h} h"


def describe_checkin(c: CheckIn) -> str:
    """A check-in as the runner would say it."""
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
    return "post-run snack" + (f" ({c.note})" if c.note else "")


def question_reply(question: Question, step: int, prefix: str = "") -> Reply:
    """An onboarding question with its one-tap answers and a Skip."""
    # A button names its question, so a tap on an old question's button is not
    # taken as the answer to whatever is open now.
    buttons = [Button(label, f"{question.step}={value}") for label, value in question.answers]
    rows = [tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4)]
    rows.append((Button("Skip", f"{question.step}=skip"),))
    text = f"{prefix}\n\n" if prefix else ""
    text += f"({step}/{len(ONBOARDING)}) {question.text}"
    return Reply(text=text, buttons=tuple(rows))


class CoreHandlers:
    """The handlers of the core commands."""

    def __init__(self, services: Services, nudge_handlers: NudgeHandlers) -> None:
        self.services = services
        self.nudge_handlers = nudge_handlers

    def table(self) -> dict[str, Handler]:
        """Command name -> handler."""
        return {
            "start": self.start,
            "log": self.log,
            "runs": self.list_runs,
            "undo": self.undo,
            "delete": self.delete,
            "slept": self.slept,
            "mobility": self.mobility,
            "strength": self.strength,
            "fuel": self.fuel,
            "week": self.week,
            "settings": self.settings,
            "link": self.link,
            "help": self.help,
        }

    async def start(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Onboarding: all answers at once as options, or one question at a time."""
        user = ctx.user
        if args:
            change = await self.services.profile.change_many(user, args)
            lines = [change.confirmation] + ([change.warning] if change.warning else [])
            await self.services.profile.update(
                user.id, {"onboarded_at": ctx.now, "onboarding_step": None}
            )
            return Reply("\n".join(lines) + "\n\nAll set. Log a run with /log 5k 25:00.")
        question = await self.services.profile.start_onboarding(user)
        name = ctx.incoming.display_name or "runner"
        intro = (
            f"Hi {name}! I'm Pacer. Log your runs with /log and I'll help with the four habits "
            "that keep runners going: sleep, hip mobility, strength and a snack after each run.\n"
            "A few quick questions first (type 'skip' to leave one for later)."
        )
        return question_reply(question, 1, intro)

    async def plain_message(self, ctx: Context) -> Reply:
        """A message without a command: the answer to an onboarding question, if one is open."""
        user = ctx.user
        text = ctx.incoming.text.strip()
        named, sep, value = text.partition("=")
        if sep and named in ONBOARDING_STEPS:
            if user.onboarding_step is None:
                return Reply(f"Set-up is finished; change it with /settings {named} {value}.")
            if named != user.onboarding_step:
                question = onboarding_question(user.onboarding_step)
                return question_reply(
                    question,
                    _step_number(question.step),
                    "That button belongs to an earlier question.",
                )
            text = value
        if user.onboarding_step is not None and text.lower() in {"stop", "cancel"}:
            await self.services.profile.cancel_onboarding(user)
            return Reply(
                "Set-up stopped; what you answered is kept. /start goes through the questions "
                "again and /settings changes one item at a time."
            )
        if user.onboarding_step is None:
            if text.lower() in {"skip"}:
                return Reply("There's no open question. /settings shows what you've set.")
            return Reply("I work with commands. Try /log 5k 25:00, /week or /help.", private=True)
        try:
            user, saved, warning, following = await self.services.profile.answer(user, text)
        except BadInput as error:
            question = onboarding_question(user.onboarding_step or "timezone")
            return question_reply(question, _step_number(question.step), f"{error}")
        prefix = saved + (f"\n{warning}" if warning else "")
        if following is None:
            return Reply(
                f"{prefix}\n\nYou're set up. Here's what you told me:\n{settings_text(user)}\n\n"
                "Log your next run with /log 5k 25:00. Your nudges follow these times: "
                "/nudges shows when the next ones come. /help shows everything."
            )
        return question_reply(following, _step_number(following.step), prefix)

    async def log(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Log a run and show totals, streak and the post-run prompts."""
        user = ctx.user
        logged = await self.services.runs.log(
            user,
            args["distance"],
            args["duration"],
            args.get("when", ""),
            args.get("note", ""),
            ctx.source_key,
        )
        run = logged.run
        today = user.today(ctx.now)
        head = "Already logged" if not logged.created else "Logged"
        this_week = week_start(run.local_date) == week_start(today)
        week = "This week" if this_week else f"Week of Mon {week_start(run.local_date):%d %b %Y}"
        lines = [
            f"{head} {describe_run(run, user.units, today, with_note=not ctx.in_group)}",
            f"{week}: {format_distance(logged.week_distance_m, user.units)} over "
            f"{logged.week_runs} run{'s' if logged.week_runs != 1 else ''} · "
            f"run streak: {logged.streak_weeks} week{'s' if logged.streak_weeks != 1 else ''}",
        ]
        if run.local_date == today:
            lines.append(
                "Now: a light snack before the shower, then five minutes of hip mobility "
                "(leg swings, clam shells, lunges)."
            )
        lines += await self.services.challenges.standings(user)
        if user.onboarded_at is None and user.timezone == "UTC":
            lines.append("Tip: /start sets your time zone, so 'today' is your today.")
        lines.append("Wrong? /undo removes it.")
        return Reply("\n".join(lines), buttons=POST_RUN_BUTTONS if run.local_date == today else ())

    async def list_runs(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """The latest runs with their ids."""
        count = int(args.get("count", "10"))
        runs = await self.services.runs.recent(ctx.user, count)
        if not runs:
            return Reply("No runs yet. Log one with /log 5k 25:00.")
        today = ctx.user.today(ctx.now)
        lines = [f"Your last {len(runs)} run{'s' if len(runs) != 1 else ''}:"]
        lines += [describe_run(r, ctx.user.units, today) for r in runs]
        lines.append("/delete <id> removes one.")
        return Reply("\n".join(lines))

    async def undo(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Delete the run logged last."""
        run = await self.services.runs.undo(ctx.user)
        today = ctx.user.today(ctx.now)
        return Reply(f"Removed run {describe_run(run, ctx.user.units, today)}.")

    async def delete(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Delete one of the runner's runs."""
        run = await self.services.runs.delete(ctx.user, int(args["run_id"]))
        today = ctx.user.today(ctx.now)
        return Reply(f"Deleted run {describe_run(run, ctx.user.units, today)}.")

    def _checked(self, recorded: Recorded, extra: str = "") -> Reply:
        c = recorded.checkin
        if not recorded.created:
            verb = "Already checked in"
        elif recorded.replaced:
            verb = "Updated"
        else:
            verb = "Checked in"
        text = f"{verb}: {describe_checkin(c)} ({c.local_date:%a %d %b})."
        return Reply(text + (f"\n{extra}" if extra else ""))

    async def slept(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Last night's sleep."""
        recorded = await self.services.habits.sleep(
            ctx.user, args["hours"], args.get("bedtime", ""), ctx.source_key
        )
        hours = recorded.checkin.hours or 0.0
        if hours >= 8:
            extra = "That's the ideal amount. Your legs will thank you."
        elif hours >= 7:
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
        return self._checked(recorded)

    async def fuel(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """The post-run snack."""
        recorded = await self.services.habits.fuel(ctx.user, args.get("what", ""), ctx.source_key)
        reply = self._checked(
            recorded, "Refuelled early: that's when your muscles take it up best."
        )
        if ctx.in_group and recorded.checkin.note:
            reply = replace(reply, text=reply.text.replace(f" ({recorded.checkin.note})", ""))
        return reply

    async def week(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """This week per habit, with streaks."""
        user = ctx.user
        w = await self.services.stats.week(user)
        s = w.streaks
        lines = [
            f"Your week (Mon {w.start:%d %b} - Sun {w.start + timedelta(days=6):%d %b}):",
            f"🏃 Runs: {w.runs} · {format_distance(w.distance_m, user.units)}",
            f"😴 Sleep: {w.good_nights} of {w.nights_logged} logged nights at 7 h or more",
            f"🦵 Mobility: {w.mobility_sessions} session{'s' if w.mobility_sessions != 1 else ''}"
            f" for {w.runs} run{'s' if w.runs != 1 else ''}",
            f"💪 Strength: {w.strength_sessions} session{'s' if w.strength_sessions != 1 else ''}",
            f"🍌 Fuel: a snack on {w.snacks_after_runs} of {w.run_days} run day"
            f"{'s' if w.run_days != 1 else ''}",
            f"Streaks: runs {plural(s.run_weeks, 'week')} · sleep {plural(s.sleep_nights, 'night')}"
            f" · mobility {plural(s.mobility_runs, 'run day')} · fuel "
            f"{plural(s.fuel_runs, 'run day')} · strength {plural(s.strength_weeks, 'week')}",
        ]
        return Reply("\n".join(lines))

    async def settings(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Show the settings or change one."""
        item = args.get("item")
        if item is None:
            extra = "\n".join(await self.nudge_handlers.settings_lines(ctx.user))
            return Reply(
                f"Your settings:\n{settings_text(ctx.user)}\n{extra}\n\n"
                "Change one with /settings <item> <value>, e.g. /settings units mi"
            )
        if "value" not in args:
            raise BadInput(
                f"What should {item.replace('_', ' ')} be?",
                hint=f"For example: {SETTING_EXAMPLES[item]}",
            )
        if item == "boards":
            return Reply(await self.services.challenges.set_boards(ctx.user, args["value"]))
        if item in NUDGE_SETTINGS:
            return Reply(await self.nudge_handlers.change_setting(ctx.user, item, args["value"]))
        change = await self.services.profile.change(ctx.user, item, args["value"])
        text = change.confirmation + (f"\n{change.warning}" if change.warning else "")
        chosen = change.user.nudge_platform
        if item == "nudges" and chosen is not None:
            known = {i.platform for i in await self.services.accounts.identities(ctx.user.id)}
            if chosen not in known:
                text += (
                    f"\nNo {chosen} account is linked to you yet: talk to me there and send "
                    "/link to join the accounts. Until then nudges go where you last talked "
                    "to me."
                )
        return Reply(text)

    async def link(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Make a one-time code, or redeem one to join two platform accounts."""
        code = args.get("code", "").strip().upper()
        if not code:
            code = await self.services.accounts.new_link_code(ctx.user)
            return Reply(
                f"Your link code: {code}\n"
                f"Within 15 minutes, send /link {code} to me from your other account "
                "(Telegram, Discord or the console), in a private chat. That account's runs "
                "and check-ins join this one; the settings here stay."
            )
        linked = await self.services.accounts.redeem(ctx.user, code)
        if linked.same_account:
            return Reply(
                "That's this account's own code: send it from your other account "
                "(it still works there)."
            )
        return Reply(
            f"Linked: your {' and '.join(linked.platforms)} accounts are one runner now, with one "
            "history and one set of settings. /settings nudges <platform> picks where "
            "nudges go."
        )

    async def help(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """The command list, or one command in detail."""
        name = args.get("command", "").lstrip("/").lower()
        if name:
            spec = find_command(name)
            if spec is None or spec.hidden:
                raise BadInput(f"There's no /{name}.", hint="/help lists every command.")
            lines = [f"/{spec.name}: {spec.description}", f"Usage: {spec.usage}"]
            for opt in spec.options:
                need = "required" if opt.required else "optional"
                lines.append(f"  {opt.name} ({need}): {opt.description}")
            if spec.help:
                lines.append(spec.help)
            if spec.examples:
                lines.append("Examples: " + " · ".join(spec.examples))
            return Reply("\n".join(lines))
        lines = ["Pacer commands:"]
        lines += [f"/{c.name}: {c.description}" for c in public_commands()]
        lines.append("/help <command> explains one.")
        return Reply("\n".join(lines))


SETTING_EXAMPLES = {
    "timezone": "/settings timezone Europe/Berlin",
    "units": "/settings units mi",
    "run_days": "/settings run_days mon,wed,sat",
    "run_time": "/settings run_time 07:00",
    "bedtime": "/settings bedtime 23:30",
    "target_bedtime": "/settings target_bedtime 22:30",
    "wake_time": "/settings wake_time 06:30",
    "quiet_hours": "/settings quiet_hours 22:00-07:00 (or off)",
    "nudges": "/settings nudges telegram (or discord, console, auto)",
    "strength_days": "/settings strength_days tue,fri",
    "strength_time": "/settings strength_time 18:30",
    "wind_down_lead": "/settings wind_down_lead 30 (minutes before bedtime)",
    "pre_run_lead": "/settings pre_run_lead 10 (minutes before your run)",
    "fuel_delay": "/settings fuel_delay 20 (minutes after logging a run)",
    "boards": "/settings boards hidden (or shown): your name on club boards",
}
assert set(SETTING_EXAMPLES) == set(SETTINGS_ITEMS)
assert all(c.name for c in COMMANDS)


def settings_text(user: User) -> str:
    """Every setting, one per line."""
    zone = user.timezone + ("" if user.follows_dst else " (fixed offset, no daylight saving)")
    quiet = f"{user.quiet_start}-{user.quiet_end}" if user.quiet_start else "off"
    return "\n".join(
        (
            f"timezone: {zone}",
            f"units: {user.units}",
            f"run_days: {format_days(user.run_days)}",
            f"run_time: {user.run_time or 'not set'}",
            f"bedtime: {user.bedtime or 'not set'}",
            f"target_bedtime: {user.target_bedtime or 'not set'}",
            f"wake_time: {user.wake_time or 'not set'}",
            f"quiet_hours: {quiet}",
            f"nudges: {user.nudge_platform or 'auto (where you last talked to me)'}",
            f"boards: {'hidden (a runner)' if user.boards_hidden else 'shown'}",
        )
    )


ONBOARDING_STEPS = frozenset(
    ("timezone", "units", "run_days", "run_time", "bedtime", "target_bedtime", "wake_time")
)


def _step_number(step: str) -> int:
    return [q.step for q in ONBOARDING].index(step) + 1
