"""The core: one entry point that every adapter calls.

``Core.handle`` identifies the runner, routes the command (typed, or a button
press carrying a command line), checks the options against the command list,
calls the handler and turns domain errors into friendly replies.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

from bot.clock import Clock
from bot.core.checkin_handlers import CheckinHandlers
from bot.core.club_handlers import ClubHandlers
from bot.core.commands import (
    CommandSpec,
    OptionType,
    Scope,
    find_command,
    is_group,
    public_commands,
    resolve_subcommand,
    split_text,
)
from bot.core.context import Context, Handler, Services
from bot.core.data_handlers import DataHandlers
from bot.core.handlers import CoreHandlers
from bot.core.import_handlers import ImportHandlers
from bot.core.nudge_handlers import NudgeHandlers
from bot.core.ownership import not_yours, split_owner, stamp_owner
from bot.core.progress_handlers import ProgressHandlers
from bot.core.runfile_handlers import RunFileHandlers
from bot.delivery.sweep import Sweeper
from bot.errors import BadInput, NotAllowed, PacerError
from bot.input_hygiene import MAX_ID, clean_text, parse_int, parse_number, quote
from bot.messages import Choice, Incoming, Reply
from bot.nudges.kinds import Kind
from bot.parsing import format_distance, format_duration, suggest_zones
from bot.ports import Messenger, ProgressNote
from bot.services.profile import NUDGE_PLATFORMS, onboarding_question
from bot.services.strava_import import StravaImporter
from bot.storage.database import Database
from bot.storage.deliveries import PRUNE_BATCH

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 25
# Platforms redeliver within minutes; a week covers any retry. Delivery records are
# history for /nudges and debugging, kept for a season.
HANDLED_MESSAGES_KEPT = timedelta(days=7)
DELIVERIES_KEPT = timedelta(days=90)

# Commands whose effect has no natural key of its own: a platform delivering the same
# message twice gets the first answer again instead of a second deletion.
ONCE_PER_MESSAGE = frozenset({"undo", "delete"})
# Far more than any platform sends (Telegram: 4,096 characters): a longer message (the
# console, a forged request) is refused before it is read. Shorter ones get the specific
# answer of what they overflow (a note over 500 characters...).
MAX_INPUT_CHARS = 65_536


class Core:
    """Turns an :class:`Incoming` into a :class:`Reply`; receives its parts ready-made."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        services: Services,
        sweeper: Sweeper,
        messengers: dict[str, Messenger],
    ) -> None:
        self.db = db
        self.clock = clock
        self.services = services
        self.accounts = services.accounts
        self.runs = services.runs
        self.habits = services.habits
        self.profile = services.profile
        self.stats = services.stats
        self.sweeper = sweeper
        # Direct-message senders by platform; the app adds them as adapters start.
        self.messengers = messengers
        # How long finished delivery records are kept (PACER_DELIVERY_RETENTION_DAYS).
        self.deliveries_kept = DELIVERIES_KEPT
        self.nudge_handlers = NudgeHandlers(
            services.nudge_settings, services.nudge_answers, sweeper
        )
        self.handlers = CoreHandlers(services, self.nudge_handlers)
        self.club_handlers = ClubHandlers(services.challenges, services.club_feed)
        self._handlers: dict[str, Handler] = {
            **self.handlers.table(),
            **self.nudge_handlers.table(),
            **DataHandlers(services.data).table(),
            **ProgressHandlers(services).table(),
            **RunFileHandlers(services, self.handlers.log).table(),
            **ImportHandlers(StravaImporter(db, clock)).table(),
            **CheckinHandlers(services).table(),
            **self.club_handlers.table(),
        }

    def register(self, name: str, handler: Handler) -> None:
        """Attach the handler of a command declared in the command list."""
        if find_command(name) is None:
            raise KeyError(f"/{name} is not in the command list")
        self._handlers[name] = handler

    async def handle(self, incoming: Incoming, progress: ProgressNote | None = None) -> Reply:
        """Answer one command, plain message or button press (``progress``: a note a long
        command may edit as it goes)."""
        owner, incoming = split_owner(incoming)
        if owner is not None and owner != incoming.user_id:
            return await self._not_yours(incoming.platform, owner)
        incoming = _route_subcommand(_route_action(incoming))
        open_step: str | None = None
        user_id: int | None = None
        reminded = False
        try:
            incoming = clean_incoming(incoming)
            account = await self.accounts.identify(
                incoming.platform, incoming.user_id, incoming.display_name
            )
            user, identity = account.user, account.identity
            notice = await self.accounts.reachability_notice(account, incoming.is_private)
            ctx = Context(incoming, user, identity, self.clock.now(), progress)
            open_step, reminded, user_id = user.onboarding_step, user.onboarding_reminded, user.id
            reply = await self._dispatch(ctx)
        except PacerError as error:
            reply = Reply(text=str(error), private=True)
            notice = ""
        except Exception:
            log.exception("error handling /%s from %s", incoming.command, incoming.platform)
            reply = Reply(
                text="Sorry, something went wrong on my side. Please try again in a moment "
                "(/runs and /week show what was saved).",
                private=True,
            )
            notice = ""
        spec = find_command(incoming.command)
        if spec is not None and spec.private_reply and not incoming.is_private:
            reply = replace(reply, private=True)
        if notice:
            reply = replace(reply, text=f"{notice}\n\n{reply.text}")
        if not incoming.is_private and not reply.private:
            reply = stamp_owner(reply, incoming.user_id)
        if reminded or user_id is None or not _wants_reminder(incoming, open_step):
            return reply
        # Once per question: the next commands answer without it, /start shows it again.
        try:
            async with self.db.uow() as uow:
                await uow.runners.update(user_id, onboarding_reminded=True)
                await uow.commit()
        except Exception:  # the reply stands; the reminder may come once more
            log.exception("recording the set-up reminder failed")
        return _onboarding_reminder(reply, open_step)

    async def _not_yours(self, platform: str, owner: str) -> Reply:
        """A press on a button made for another runner: say whose it is, do nothing."""
        name = ""
        try:
            async with self.db.reader() as uow:
                found = await uow.runners.find(platform, owner)
            name = found.identity.display_name if found is not None else ""
        except Exception:  # the name is a courtesy: the refusal stands without it
            log.exception("looking up a button's owner failed")
        return not_yours(clean_text(name))

    async def _dispatch(self, ctx: Context) -> Reply:
        incoming = ctx.incoming
        if not incoming.command:
            return await self.handlers.plain_message(ctx)
        spec = find_command(incoming.command)
        handler = self._handlers.get(incoming.command)
        if spec is None or handler is None:
            typed = incoming.command
            if is_group(typed):
                typed = f"{typed} {incoming.text.split(' ', 1)[0]}"
            raise BadInput(_unknown_command(typed))
        if spec.scope is Scope.PRIVATE and not incoming.is_private:
            raise NotAllowed(f"/{spec.name} works in a private chat with me.")
        if spec.scope is Scope.GROUP and incoming.is_private:
            raise NotAllowed(
                f"/{spec.name} works in a group or server channel.",
                hint="Clubs live in their Discord server or Telegram group; runs you log "
                "here count there too.",
            )
        if spec.admin_only and not incoming.is_private and not incoming.is_admin:
            raise NotAllowed(
                f"Only admins can use /{spec.name} here.",
                hint=ADMIN_HINTS.get(incoming.platform, ""),
            )
        if incoming.options is not None:
            args = {k: str(v) for k, v in incoming.options.items() if str(v) != ""}
        else:
            args = split_text(spec, incoming.text)
        if incoming.attachments:
            # A file sent with the command fills the command's file option.
            for opt in spec.options:
                if opt.type is OptionType.ATTACHMENT and not args.get(opt.name):
                    args[opt.name] = incoming.attachments[0].filename
        key = ctx.source_key if spec.name in ONCE_PER_MESSAGE else None
        if key is None:
            return await handler(ctx, validate_options(spec, args))
        # Claim the message before acting, so a copy arriving meanwhile (or after a
        # crash mid-way) finds the claim and does nothing a second time.
        async with self.db.uow() as uow:
            claimed = await uow.activity.claim_message(key, ctx.user.id, ctx.now)
            earlier = None if claimed else await uow.activity.handled_reply(key)
            await uow.commit()
        if not claimed:
            return Reply(earlier or "Already done: I handled that message before.")
        try:
            reply = await handler(ctx, validate_options(spec, args))
        except BaseException:
            async with self.db.uow() as uow:
                await uow.activity.release_message(key)
                await uow.commit()
            raise
        async with self.db.uow() as uow:
            await uow.activity.remember_reply(key, reply.text)
            await uow.commit()
        return reply

    async def prune(self) -> int:
        """Daily clean-up: old duplicate-message records, expired link codes, old deliveries."""
        now = self.clock.now()
        async with self.db.uow() as uow:
            removed = await uow.activity.prune_handled(now - HANDLED_MESSAGES_KEPT)
            removed += await uow.runners.prune_link_codes(now)
            removed += await uow.nudges.prune_oneoffs(now - DELIVERIES_KEPT)
            await uow.commit()
        while True:  # the delivery history in batches: short transactions, however large
            async with self.db.uow() as uow:
                batch = await uow.deliveries.prune(now - self.deliveries_kept)
                await uow.commit()
            removed += batch
            if batch < PRUNE_BATCH:
                break
        log.info("pruned %d old rows", removed)
        return removed

    async def mark_unreachable(self, platform: str, platform_user_id: str, reason: str) -> None:
        """The platform says this account blocked the bot: no DMs until they write again."""
        log.info("%s user %s unreachable: %s", platform, platform_user_id, reason)
        await self.accounts.mark_unreachable(platform, platform_user_id, self.clock.now())

    async def autocomplete(self, incoming: Incoming, option: str, partial: str) -> list[Choice]:
        """Suggestions for a typed-option value (at most 25)."""
        spec = find_command(incoming.command)
        source = None
        if spec is not None:
            try:
                source = spec.option(option).autocomplete
            except KeyError:
                source = None
        if source == "setting_value":
            item = (incoming.options or {}).get("item", "")
            source = {"timezone": "timezone", "units": "units", "nudges": "nudges"}.get(item)
        if source == "timezone":
            return [Choice(z, z) for z in suggest_zones(partial, MAX_SUGGESTIONS)]
        if source == "units":
            return [Choice(u, u) for u in ("km", "mi") if u.startswith(partial.lower())]
        if source == "nudges":
            return [Choice(p, p) for p in NUDGE_PLATFORMS if p.startswith(partial.lower())]
        if source == "nudge_kind":
            key = partial.strip().lower()
            return [
                Choice(k.label, k.value) for k in Kind if key in k.value or key in k.label.lower()
            ]
        if source == "challenge":
            return await self.club_handlers.suggest(incoming, partial)
        if source == "command":
            names = [c.name for c in public_commands() if c.name.startswith(partial.lower())]
            return [Choice(f"/{n}", n) for n in names][:MAX_SUGGESTIONS]
        if source == "my_runs":
            account = await self.accounts.identify(
                incoming.platform, incoming.user_id, incoming.display_name
            )
            runs = await self.runs.recent(account.user, MAX_SUGGESTIONS)
            user = account.user
            choices = [
                Choice(
                    f"#{r.id} · {r.local_date:%a %d %b} · "
                    f"{format_distance(r.distance_m, user.units)} in "
                    f"{format_duration(r.duration_s)}",
                    str(r.id),
                )
                for r in runs
            ]
            return [c for c in choices if partial.strip() in c.label][:MAX_SUGGESTIONS]
        return []


def _wants_reminder(incoming: Incoming, open_step: str | None) -> bool:
    """Another command in a private chat while a set-up question is open."""
    return (
        open_step is not None
        and bool(incoming.command)
        and incoming.command not in ("start", "forget")
        and incoming.is_private
    )


def _onboarding_reminder(reply: Reply, open_step: str | None) -> Reply:
    """After another command mid-set-up, say which question the next message answers."""
    if open_step is None:
        return reply
    question = onboarding_question(open_step)
    return replace(
        reply,
        text=f"{reply.text}\n\n(Set-up is still open: {question.text} "
        "Answer it, type skip, or stop to finish set-up later.)",
    )


def clean_incoming(incoming: Incoming) -> Incoming:
    """What was typed, as every handler may read, store and echo it (the input rules).

    A message longer than any platform sends is refused whole; control characters,
    terminal escapes, bidi overrides and lone surrogates are removed from the text,
    the option values and the display name before anything reads them.
    """
    size = len(incoming.text) + sum(len(str(v)) for v in (incoming.options or {}).values())
    if size > MAX_INPUT_CHARS:
        raise BadInput(
            f"That message is {size:,} characters long; I read up to {MAX_INPUT_CHARS:,}. "
            "Nothing was saved."
        )
    options = incoming.options
    if options is not None:
        options = {clean_text(str(k)): clean_text(str(v)) for k, v in options.items()}
    command = clean_text(incoming.command[:64])
    text = clean_text(incoming.text)
    name = clean_text(incoming.display_name[:100]).strip()
    if (command, text, options, name) == (
        incoming.command,
        incoming.text,
        incoming.options,
        incoming.display_name,
    ):
        return incoming  # already clean: most messages
    return replace(incoming, command=command, text=text, options=options, display_name=name)


def _route_action(incoming: Incoming) -> Incoming:
    """A button press carries a command line (``/fuel``) or a plain answer (``Europe/Berlin``)."""
    if incoming.action is None:
        return incoming
    line = incoming.action.strip()
    if line.startswith("/"):
        name, _, text = line[1:].partition(" ")
        return replace(incoming, command=name.lower(), text=text, options=None, action=None)
    return replace(incoming, command="", text=line, options=None, action=None)


ADMIN_HINTS = {
    "telegram": "On Telegram that's the group's administrators.",
    "discord": "On Discord that's members with the Manage Server permission.",
}


def _route_subcommand(incoming: Incoming) -> Incoming:
    """Typed ``/challenge join Winter Miles`` is the command ``challenge join``."""
    if incoming.options is not None or not incoming.command:
        return incoming
    name, text = resolve_subcommand(incoming.command, incoming.text)
    if name == incoming.command:
        return incoming
    return replace(incoming, command=name, text=text)


def _unknown_command(name: str) -> str:
    names = [c.name for c in public_commands()]
    close = difflib.get_close_matches(name[:64].lower(), names, n=1, cutoff=0.5)
    hint = f" Did you mean /{close[0]}?" if close else ""
    return f"I don't know /{quote(name)}.{hint} /help lists everything I can do."


def validate_options(spec: CommandSpec, args: Mapping[str, str]) -> dict[str, str]:
    """Check options against the command list: required, choices, numbers, lengths."""
    values = dict(args)
    extra = values.pop("_extra", None)
    if extra:
        raise BadInput(f"I didn't expect '{quote(extra)}' there.", hint=f"Usage: {spec.usage}")
    known = {o.name for o in spec.options}
    for name in values:
        if name not in known:
            raise BadInput(
                f"/{spec.name} has no option '{quote(name)}'.", hint=f"Usage: {spec.usage}"
            )
    for opt in spec.options:
        value = values.get(opt.name, "").strip()
        if not value:
            if opt.required and not (opt.unless and values.get(opt.unless, "").strip()):
                raise BadInput(
                    f"/{spec.name} needs {opt.name.replace('_', ' ')}: {opt.description}.",
                    hint=f"Usage: {spec.usage}",
                )
            values.pop(opt.name, None)
            continue
        if opt.choices:
            normal = value.lower().replace(" ", "-").replace("_", "-")
            match = next((c for c in opt.choices if c.replace("_", "-") == normal), None)
            if match is None:
                close = difflib.get_close_matches(normal, opt.choices, n=1, cutoff=0.5)
                guess = f"Did you mean {close[0]}? " if close else ""
                # Named by the command, not the option (a runner never sees "which").
                known_choices = ", ".join(opt.choices[:-1]) + f" or {opt.choices[-1]}"
                if len(opt.choices) == 1:
                    known_choices = opt.choices[0]
                raise BadInput(
                    f"/{spec.name} knows {known_choices} there; not '{quote(value)}'.",
                    hint=f"{guess}Usage: {spec.usage}",
                )
            value = match
        if opt.type in (OptionType.INTEGER, OptionType.NUMBER):
            what = opt.name.replace("_", " ").capitalize()
            number: float = (
                parse_number(value, what)
                if opt.type is OptionType.NUMBER
                else parse_int(value, what, high=None if opt.max_value is not None else MAX_ID)
            )
            if opt.min_value is not None and number < opt.min_value:
                raise BadInput(f"{opt.name.replace('_', ' ').capitalize()} must be at least "
                               f"{opt.min_value:g}.")  # fmt: skip
            if opt.max_value is not None and number > opt.max_value:
                raise BadInput(f"{opt.name.replace('_', ' ').capitalize()} can be at most "
                               f"{opt.max_value:g}.")  # fmt: skip
        if opt.max_length is not None and len(value) > opt.max_length:
            raise BadInput(
                f"/{spec.name}: that can be up to {opt.max_length} characters; yours has "
                f"{len(value):,}. Nothing was saved.",
                hint="Shorten it and try again.",
            )
        values[opt.name] = value
    return values
