"""The core: one entry point that every adapter calls.

``Core.handle`` identifies the runner, routes the command (typed, or a button
press carrying a command line), checks where and by whom it may run, hands the
options to :mod:`bot.core.options`, calls the handler and turns domain errors
into friendly replies. Around it: the set-up reminder (:mod:`bot.core.onboarding`),
suggestions while typing (:mod:`bot.core.suggestions`), commands that act once per
message (:mod:`bot.services.once`) and the daily clean-up (:mod:`bot.services.retention`).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.clock import Clock
from bot.core import texts
from bot.core.checkin_handlers import CheckinHandlers
from bot.core.club_handlers import ClubHandlers
from bot.core.commands import (
    OptionType,
    Scope,
    find_command,
    is_group,
    resolve_subcommand,
    split_text,
)
from bot.core.context import Context, Handler, Services
from bot.core.data_handlers import DataHandlers
from bot.core.handlers import CoreHandlers
from bot.core.import_handlers import ImportHandlers
from bot.core.nudge_handlers import NudgeHandlers
from bot.core.onboarding import wants_reminder, with_reminder
from bot.core.options import clean_incoming, validate_options
from bot.core.ownership import not_yours, split_owner, stamp_owner
from bot.core.progress_handlers import ProgressHandlers
from bot.core.runfile_handlers import RunFileHandlers
from bot.core.suggestions import Suggestions
from bot.delivery.sweep import Sweeper
from bot.errors import PacerError
from bot.input_hygiene import clean_text
from bot.messages import Choice, Incoming, Reply
from bot.ports import Messenger, ProgressNote
from bot.services.once import OncePerMessage
from bot.services.retention import Retention
from bot.services.strava_import import StravaImporter
from bot.storage.database import Database
from bot.storage.runners import Account

log = logging.getLogger(__name__)

# Commands whose effect has no natural key of its own: a platform delivering the same
# message twice gets the first answer again instead of a second deletion.
ONCE_PER_MESSAGE = frozenset({"undo", "delete"})


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
        self.nudge_handlers = NudgeHandlers(
            services.nudge_settings, services.nudge_answers, sweeper
        )
        self.handlers = CoreHandlers(services, self.nudge_handlers)
        self.club_handlers = ClubHandlers(services.challenges, services.club_feed)
        self.suggestions = Suggestions(services.accounts, services.runs, self.club_handlers)
        self.once = OncePerMessage(db)
        self.retention = Retention(db, clock)
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
            return await self._not_yours(incoming.platform, owner, incoming.action or "")
        incoming = _route_subcommand(_route_action(incoming))
        open_step: str | None = None
        user_id: int | None = None
        reminded = False
        account: Account | None = None
        private_reply = False  # an error's reply is private anyway
        try:
            incoming = clean_incoming(incoming)
            spec = find_command(incoming.command)
            private_reply = spec is not None and spec.private_reply
            account = await self.accounts.identify(
                incoming.platform, incoming.user_id, incoming.display_name
            )
            user, identity = account.user, account.identity
            ctx = Context(incoming, user, identity, self.clock.now(), progress, private_reply)
            open_step, reminded, user_id = user.onboarding_step, user.onboarding_reminded, user.id
            reply = await self._dispatch(ctx)
        except PacerError as error:
            reply = Reply(text=str(error), private=True)
        except Exception:
            log.exception("error handling /%s from %s", incoming.command, incoming.platform)
            reply = Reply(text=texts.APOLOGY, private=True)
        if private_reply and not incoming.is_private:
            reply = replace(reply, private=True)
        notice = await self._reachability_notice(account, incoming, reply)
        if notice:
            reply = replace(reply, text=f"{notice}\n\n{reply.text}")
        if not incoming.is_private and not reply.private:
            reply = stamp_owner(reply, incoming.user_id)
        if reminded or user_id is None or not wants_reminder(incoming, open_step):
            return reply
        # Once per question: the next commands answer without it, /start shows it again.
        try:
            await self.profile.update(user_id, {"onboarding_reminded": True})
        except Exception:  # the reply stands; the reminder may come once more
            log.exception("recording the set-up reminder failed")
        return with_reminder(reply, open_step)

    async def _reachability_notice(
        self, account: Account | None, incoming: Incoming, reply: Reply
    ) -> str:
        """The refused-DMs notice for this reply, if it is seen by the runner alone."""
        if account is None:
            return ""
        try:
            return await self.accounts.reachability_notice(
                account, incoming.is_private, reply.private
            )
        except Exception:  # the reply stands; the notice waits for the next message
            log.exception("the reachability notice failed")
            return ""

    async def _not_yours(self, platform: str, owner: str, action: str) -> Reply:
        """A press on a button made for another runner: say whose it is, do nothing."""
        name = ""
        try:
            async with self.db.reader() as uow:
                found = await uow.runners.find(platform, owner)
            name = found.identity.display_name if found is not None else ""
        except Exception:  # the name is a courtesy: the refusal stands without it
            log.exception("looking up a button's owner failed")
        return not_yours(clean_text(name), action)

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
            raise texts.unknown_command(typed)
        if spec.scope is Scope.PRIVATE and not incoming.is_private:
            raise texts.private_only(spec.name)
        if spec.scope is Scope.GROUP and incoming.is_private:
            raise texts.group_only(spec.name)
        if spec.admin_only and not incoming.is_private and not incoming.is_admin:
            raise texts.admins_only(spec.name, incoming.platform)
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

        acted: list[Reply] = []  # the handler's whole reply (buttons too), when it ran

        async def act() -> str:
            acted.append(await handler(ctx, validate_options(spec, args)))
            return acted[0].text

        answer = await self.once.run(key, ctx.user.id, ctx.now, act)
        return acted[0] if acted else Reply(answer)

    async def mark_unreachable(self, platform: str, platform_user_id: str, reason: str) -> None:
        """The platform says this account blocked the bot: no DMs until they write again."""
        log.info("%s user %s unreachable: %s", platform, platform_user_id, reason)
        await self.accounts.mark_unreachable(platform, platform_user_id, self.clock.now())

    async def autocomplete(self, incoming: Incoming, option: str, partial: str) -> list[Choice]:
        """Suggestions for a typed-option value (at most 25)."""
        return await self.suggestions.suggest(incoming, option, partial)


def _route_action(incoming: Incoming) -> Incoming:
    """A button press carries a command line (``/fuel``) or a plain answer (``Europe/Berlin``)."""
    if incoming.action is None:
        return incoming
    line = incoming.action.strip()
    if line.startswith("/"):
        name, _, text = line[1:].partition(" ")
        return replace(incoming, command=name.lower(), text=text, options=None, action=None)
    return replace(incoming, command="", text=line, options=None, action=None)


def _route_subcommand(incoming: Incoming) -> Incoming:
    """Typed ``/challenge join Winter Miles`` is the command ``challenge join``."""
    if incoming.options is not None or not incoming.command:
        return incoming
    name, text = resolve_subcommand(incoming.command, incoming.text)
    if name == incoming.command:
        return incoming
    return replace(incoming, command=name, text=text)
