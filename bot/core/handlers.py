"""The core command handlers: /start, /log, /again, /runs, /undo, /delete, /settings, /link, /help.

They call a service and hand its result to the capability's words (``bot/texts/``). No
SQL, no platform code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.clubs.texts.feed import cheer_button
from bot.core import texts as help_texts
from bot.core.commands import COMMANDS, SETTINGS_ITEMS, find_command, is_group
from bot.core.context import Context, Handler, Services
from bot.core.nudge_handlers import NUDGE_SETTINGS, NudgeHandlers, check_strength_setting
from bot.errors import BadInput
from bot.input_hygiene import quote
from bot.messages import Button, Reply
from bot.models import Club, Run, User
from bot.services.digest import describe as describe_digest
from bot.services.profile import PREF_STEPS, SKIP_WORDS, onboarding_question
from bot.services.runs import LoggedRun, RepeatedRun
from bot.texts import accounts as account_texts
from bot.texts import profile as profile_texts
from bot.texts import runs as texts
from bot.texts.nudge_settings import sleep_note
from bot.texts.profile import ONBOARDING, SETTING_EXAMPLES, question_reply
from bot.texts.progress import week_total_line
from bot.texts.runs import POST_RUN_BUTTONS, describe_run


async def note_club_member(services: Services, ctx: Context) -> Club | None:
    """A runner who logs in a club's chat takes part in that club (its feed, its kudos);
    that club, or None in a private chat."""
    if not ctx.in_group:
        return None
    incoming = ctx.incoming
    club = await services.challenges.club(
        incoming.platform, incoming.club_id or incoming.chat_id, incoming.chat_title
    )
    await services.club_feed.note_member(club, ctx.user)
    return club


async def run_standings(
    services: Services, ctx: Context, run: Run, efforts: Mapping[int, float] | None = None
) -> list[str]:
    """The lines under a logged run: the runner's place in each challenge it counted toward
    (in a club's chat only that club's, as the group reads them)."""
    club = await note_club_member(services, ctx)
    return await services.challenges.standings(ctx.user, run, efforts, group=club)


def wants_time_zone_tip(services: Services, user: User) -> bool:
    """A runner still on UTC who never set up: the tip, once a day at most."""
    if user.onboarded_at is not None or user.timezone != "UTC":
        return False
    return services.runs.once_a_day(user, "time zone tip")


def logged_reply(
    ctx: Context,
    logged: LoggedRun,
    extra: Sequence[str] = (),
    standings: Sequence[str] = (),
    tip: bool = False,
) -> Reply:
    """The answer to a logged run: the run, the week, the streak, the post-run prompts.

    ``extra`` lines (what a run file added) go after the week's totals; ``standings``
    (the runner's place in each active challenge) after the post-run prompt. The week
    counts runs logged anywhere, which a group sees nowhere else (its boards show only its
    own challenges): in a group it goes to the runner alone.
    """
    user = ctx.user
    run = logged.run
    today = user.today(ctx.now)
    described = describe_run(
        run, user.units, today, with_note=not ctx.in_group, started=logged.started
    )
    week = week_total_line(
        run.local_date,
        today,
        logged.week_distance_m,
        logged.week_runs,
        logged.streak_weeks,
        user.units,
    )
    lines = [texts.logged_head(logged.created, described, ctx.name_in_group)]
    if not ctx.seen_by_group:
        lines.append(week)
    lines += extra
    if run.local_date == today:
        lines.append(texts.POST_RUN_NOW)
    lines += standings
    if tip:
        lines.append(texts.TIME_ZONE_TIP)
    if logged.created:  # /undo removes the latest stored run: offered only for a new one
        lines.append(texts.UNDO_HINT)
    buttons: tuple[tuple[Button, ...], ...] = POST_RUN_BUTTONS if run.local_date == today else ()
    if ctx.in_group:
        buttons += (cheer_button(run),)
    note = week if ctx.seen_by_group else ""
    return Reply("\n".join(lines), buttons=buttons, private_note=note)


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
            "again": self.again,
            "runs": self.list_runs,
            "undo": self.undo,
            "delete": self.delete,
            "settings": self.settings,
            "link": self.link,
            "help": self.help,
        }

    async def start(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Onboarding: all answers at once as options, or one question at a time."""
        user = ctx.user
        if not args and user.onboarding_step is not None:
            # Asked again mid-set-up: show the open question (stop, then /start, starts over).
            question = onboarding_question(user.onboarding_step)
            return question_reply(question, _step_number(question.step), profile_texts.STILL_OPEN)
        if args:
            profile_args = {k: v for k, v in args.items() if k not in PREF_STEPS}
            for item in PREF_STEPS:  # checked before anything is saved
                if item in args:
                    check_strength_setting(item, args[item])
            change = await self.services.profile.change_many(user, profile_args)
            lines = [change.confirmation] + ([change.warning] if change.warning else [])
            user = change.user
            for item in ("strength_days", "strength_time"):
                if item in args:
                    user = await self.services.profile.fresh(user.id)
                    lines.append(await self.nudge_handlers.change_setting(user, item, args[item]))
            await self.services.profile.update(
                user.id, {"onboarded_at": ctx.now, "onboarding_step": None}
            )
            if SLEEP_ITEMS & set(args):
                lines.append(await self._sleep_note(user))
            text = "\n".join(line for line in lines if line)
            return Reply(text + profile_texts.ALL_SET)
        question = await self.services.profile.start_onboarding(user)
        name = ctx.incoming.display_name or "runner"
        return question_reply(question, 1, profile_texts.intro(name))

    async def plain_message(self, ctx: Context) -> Reply:
        """A message without a command: the answer to an onboarding question, if one is open."""
        user = ctx.user
        text = ctx.incoming.text.strip()
        named, sep, value = text.partition("=")
        if sep and named in ONBOARDING_STEPS:
            if user.onboarding_step is None:
                return Reply(profile_texts.finished_already(named, quote(value)))
            if named != user.onboarding_step:
                question = onboarding_question(user.onboarding_step)
                return question_reply(
                    question, _step_number(question.step), profile_texts.EARLIER_BUTTON
                )
            text = value
        if user.onboarding_step is not None and text.lower() in {"stop", "cancel"}:
            await self.services.profile.cancel_onboarding(user)
            return Reply(profile_texts.STOPPED)
        if user.onboarding_step is None:
            if text.lower() in {"skip"}:
                return Reply(profile_texts.NO_OPEN_QUESTION)
            return Reply(profile_texts.COMMANDS_ONLY, private=True)
        step = user.onboarding_step
        try:
            if step in PREF_STEPS and text.strip().lower() not in SKIP_WORDS:
                saved, warning = await self.nudge_handlers.change_setting(user, step, text), ""
                user, following = await self.services.profile.advance(
                    await self.services.profile.fresh(user.id)
                )
            else:
                user, saved, warning, following = await self.services.profile.answer(user, text)
        except BadInput as error:
            question = onboarding_question(user.onboarding_step or "timezone")
            return question_reply(question, _step_number(question.step), f"{error}")
        prefix = saved + (f"\n{warning}" if warning else "")
        if step == "wake_time":
            note = await self._sleep_note(user)
            prefix += f"\n{note}" if note else ""
        if following is None:
            strength = "\n".join((await self.nudge_handlers.settings_lines(user))[:2])
            return Reply(profile_texts.set_up_done(prefix, user, strength))
        return question_reply(following, _step_number(following.step), prefix)

    async def log(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Log a run and show totals, streak and the post-run prompts."""
        user = ctx.user
        try:
            logged = await self.services.runs.log(
                user,
                args["distance"],
                args["duration"],
                args.get("when", ""),
                args.get("note", ""),
                ctx.source_key,
                ctx.shown_in,
            )
        except RepeatedRun as repeated:
            return Reply(str(repeated), buttons=((texts.log_again_button(repeated.earlier.id),),))
        climb = []
        if logged.climb_m is not None:  # typed: say it was read as a climb, not a note
            climb = [texts.climb_line(logged.climb_m, user.units)]
        standings = await run_standings(self.services, ctx, logged.run)
        tip = wants_time_zone_tip(self.services, user)
        return logged_reply(ctx, logged, climb, standings, tip)

    async def again(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """The button under a repeated run: store the second copy."""
        logged = await self.services.runs.log_again(
            ctx.user, int(args["run_id"]), ctx.source_key, ctx.shown_in
        )
        standings = await run_standings(self.services, ctx, logged.run)
        tip = wants_time_zone_tip(self.services, ctx.user)
        return logged_reply(ctx, logged, standings=standings, tip=tip)

    async def list_runs(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """The latest runs with their ids."""
        count = int(args.get("count", "10"))
        runs = await self.services.runs.recent(ctx.user, count)
        if not runs:
            return Reply(texts.NO_RUNS)
        return Reply(texts.runs_list(runs, ctx.user.units, ctx.user.today(ctx.now)))

    async def undo(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Delete the run logged last."""
        run = await self.services.runs.undo(ctx.user)
        today = ctx.user.today(ctx.now)
        return Reply(texts.removed(run, ctx.user.units, today))

    async def delete(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Delete one of the runner's runs."""
        run = await self.services.runs.delete(ctx.user, int(args["run_id"]))
        today = ctx.user.today(ctx.now)
        return Reply(texts.deleted(run, ctx.user.units, today))

    async def settings(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Show the settings or change one."""
        item = args.get("item")
        if item is None:
            lines = await self.nudge_handlers.settings_lines(ctx.user)
            lines.append(f"digest: {describe_digest(await self.services.digest.get(ctx.user))}")
            return Reply(profile_texts.settings_overview(ctx.user, "\n".join(lines)))
        if "value" not in args:
            raise profile_texts.what_should_it_be(item)
        if item == "digest":
            return Reply(await self.services.digest.change(ctx.user, args["value"]))
        if item == "boards":
            return Reply(await self.services.challenges.set_boards(ctx.user, args["value"]))
        if item == "feed":
            await note_club_member(self.services, ctx)  # said in a club: that club counts
            return Reply(await self.services.club_feed.set_runner_feed(ctx.user, args["value"]))
        if item in NUDGE_SETTINGS:
            return Reply(await self.nudge_handlers.change_setting(ctx.user, item, args["value"]))
        change = await self.services.profile.change(ctx.user, item, args["value"])
        text = change.confirmation + (f"\n{change.warning}" if change.warning else "")
        if item in SLEEP_ITEMS:
            note = await self._sleep_note(change.user)
            text += f"\n{note}" if note else ""
        chosen = change.user.nudge_platform
        if item == "nudges" and chosen is not None:
            known = {i.platform for i in await self.services.accounts.identities(ctx.user.id)}
            if chosen not in known:
                text += profile_texts.nudges_not_linked(chosen)
        return Reply(text)

    async def _sleep_note(self, user: User) -> str:
        """What the 7-hour floor says about the runner's bedtime plan, if anything."""
        if user.bedtime is None:
            return ""
        return sleep_note(await self.services.nudge_settings.bedtime_status(user.id))

    async def link(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Make a one-time code, or redeem one to join two platform accounts."""
        code = args.get("code", "").strip().upper()
        if not code:
            code = await self.services.accounts.new_link_code(ctx.user)
            return Reply(account_texts.link_code(code))
        linked = await self.services.accounts.redeem(ctx.user, code)
        if linked.same_account:
            return Reply(account_texts.SAME_ACCOUNT)
        return Reply(account_texts.linked(linked.platforms))

    async def help(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """The command list, or one command in detail."""
        name = " ".join(args.get("command", "").lstrip("/").lower().split())
        if name and find_command(name) is None and is_group(name):
            return Reply(help_texts.group_help(name))
        if name:
            spec = find_command(name)
            if name in help_texts.CONSOLE_ENDINGS and ctx.incoming.platform == "console":
                return Reply(help_texts.CONSOLE_QUIT)  # the console's own, not a command
            if spec is None or spec.hidden:
                raise help_texts.no_such_command(quote(name))
            return Reply(help_texts.command_help(spec))
        return Reply(help_texts.command_list())


assert set(SETTING_EXAMPLES) == set(SETTINGS_ITEMS)
assert all(c.name for c in COMMANDS)


ONBOARDING_STEPS = frozenset(q.step for q in ONBOARDING)
SLEEP_ITEMS = frozenset(("bedtime", "target_bedtime", "wake_time"))


def _step_number(step: str) -> int:
    return [q.step for q in ONBOARDING].index(step) + 1
