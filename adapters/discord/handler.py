"""Interaction -> Incoming -> core -> Reply -> Discord. Every handler stays thin."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import discord
from discord import app_commands

from adapters.discord.commands import AppChoice
from adapters.discord.render import NO_MENTIONS, build_files, build_view, content_parts
from adapters.discord.texts import ANSWERED_PRIVATELY, NEEDS_MANAGE_SERVER, RESTARTING, SORRY
from bot.budget import SendBudget, limits_for
from bot.clock import SystemClock
from bot.core.commands import CommandSpec, OptionSpec, OptionType
from bot.messages import Attachment, Choice, Incoming, Reply
from bot.ports import ProgressNote
from bot.runfiles import MAX_FILE_BYTES

log = logging.getLogger(__name__)

PLATFORM = "discord"
# Discord wants an answer within 3 s; past this the adapter defers and follows up.
DEFER_AFTER = 2.0
# An autocomplete cannot be deferred: answer nothing rather than too late (Discord
# allows 3 s for the whole round trip, so leave room for the network).
AUTOCOMPLETE_TIMEOUT = 1.8
MAX_CHOICES = 25
MAX_CHOICE_CHARS = 100


class CoreLike(Protocol):
    """The part of ``bot.core.dispatch.Core`` the adapter calls."""

    async def handle(self, incoming: Incoming, progress: ProgressNote | None = None) -> Reply:
        """Answer one command or button press."""
        ...

    async def autocomplete(self, incoming: Incoming, option: str, partial: str) -> Sequence[Choice]:
        """Suggestions for an option value."""
        ...


def is_private_context(interaction: discord.Interaction) -> bool:
    """True only in the DM with Pacer's bot user: nobody else can read the reply there."""
    # A group DM or a DM between two people (user-installed app) is shared, so
    # it counts as a group: private replies there go out ephemeral.
    if interaction.context.dm_channel:
        return True
    if interaction.context.guild or interaction.context.private_channel:
        return False
    channel = interaction.channel
    return interaction.guild_id is None and isinstance(channel, discord.DMChannel)


def is_admin(interaction: discord.Interaction) -> bool:
    """Manage Server in a server; nobody is a server admin in a DM."""
    return interaction.guild_id is not None and interaction.permissions.manage_guild


def to_incoming(
    interaction: discord.Interaction,
    *,
    command: str = "",
    options: Mapping[str, str] | None = None,
    action: str | None = None,
) -> Incoming:
    """Translate an interaction into the core's boundary object."""
    return Incoming(
        platform=PLATFORM,
        user_id=str(interaction.user.id),
        chat_id=str(interaction.channel_id or interaction.user.id),
        is_private=is_private_context(interaction),
        is_admin=is_admin(interaction),
        display_name=interaction.user.display_name,
        command=command,
        options=dict(options) if options is not None else None,
        action=action,
        idempotency_key=str(interaction.id),
        # A server is one club, whichever channel it is used in.
        club_id=str(interaction.guild_id or ""),
        chat_title=interaction.guild.name if interaction.guild and interaction.guild.name else "",
    )


def to_app_choices(option: OptionSpec, choices: Sequence[Choice]) -> list[AppChoice]:
    """Core suggestions as Discord choices of the option's type (at most 25)."""
    result: list[AppChoice] = []
    for choice in choices:
        name = choice.label[:MAX_CHOICE_CHARS] or choice.value[:MAX_CHOICE_CHARS]
        try:
            if option.type is OptionType.INTEGER:
                result.append(app_commands.Choice(name=name, value=int(choice.value)))
            elif option.type is OptionType.NUMBER:
                result.append(app_commands.Choice(name=name, value=float(choice.value)))
            else:
                result.append(app_commands.Choice(name=name, value=choice.value[:MAX_CHOICE_CHARS]))
        except ValueError:
            log.warning("dropping suggestion %r: not a valid %s", choice.value, option.type.value)
        if len(result) >= MAX_CHOICES:
            break
    return result


@dataclass
class _Progress:
    """How far an answer got, so a failure can still close the "thinking" message."""

    deferred: bool = False
    deferred_ephemeral: bool = False
    placeholder_closed: bool = False


class InteractionHandler:
    """Runs slash commands, autocompletes, button presses and DM texts through the core."""

    def __init__(
        self,
        core: CoreLike,
        *,
        defer_after: float = DEFER_AFTER,
        autocomplete_timeout: float = AUTOCOMPLETE_TIMEOUT,
        budget: SendBudget | None = None,
    ) -> None:
        self.core = core
        # DM answers are channel messages, counted by Discord's global limit (interaction
        # answers are not): they take urgent places of the platform's send budget.
        self.budget = budget or SendBudget(limits_for(PLATFORM), SystemClock())
        self.defer_after = defer_after
        self.autocomplete_timeout = autocomplete_timeout
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._closing = False

    async def run_command(
        self,
        interaction: discord.Interaction,
        spec: CommandSpec,
        options: Mapping[str, str | discord.Attachment],
    ) -> None:
        """A slash command: refuse non-admins in servers early, else ask the core."""
        if spec.admin_only and not is_private_context(interaction) and not is_admin(interaction):
            await self._send(
                interaction, Reply(NEEDS_MANAGE_SERVER.format(name=spec.name), private=True)
            )
            return
        # The spec says whether the answer is personal before the core has answered:
        # a slow one is then deferred ephemerally, so no public stub is left behind.
        private = spec.private_reply and not is_private_context(interaction)
        files = [v for v in options.values() if isinstance(v, discord.Attachment)]
        texts = {k: v for k, v in options.items() if isinstance(v, str)}
        await self._answer(
            interaction,
            to_incoming(interaction, command=spec.name, options=texts),
            defer_ephemeral=private,
            files=files,
        )

    async def on_action(self, interaction: discord.Interaction, action: str) -> None:
        """A button press (the reply's privacy is unknown until the core answers)."""
        await self._answer(interaction, to_incoming(interaction, action=action))

    async def on_dm(self, message: discord.Message) -> None:
        """A text typed in the DM with Pacer: an onboarding answer, like Telegram's."""
        if self._closing or not _is_typed_dm(message):
            return
        incoming = Incoming(
            platform=PLATFORM,
            user_id=str(message.author.id),
            chat_id=str(message.channel.id),
            is_private=True,
            is_admin=False,
            display_name=message.author.display_name,
            text=message.content.strip(),
            idempotency_key=str(message.id),
        )
        with self._tracked():
            try:
                reply = await self.core.handle(incoming)
            except Exception:
                log.exception("core failed on a DM from discord user %s", incoming.user_id)
                reply = Reply(SORRY)
            try:
                await _send_to_channel(message.channel, reply, self.budget, incoming.chat_id)
            except Exception:
                log.exception("could not answer a DM from discord user %s", incoming.user_id)

    async def suggest(
        self,
        interaction: discord.Interaction,
        spec: CommandSpec,
        option: OptionSpec,
        partial: str,
        options: Mapping[str, str],
    ) -> list[AppChoice]:
        """Autocomplete: the core's suggestions, or none if it is slow or fails."""
        incoming = to_incoming(interaction, command=spec.name, options=options)
        try:
            async with asyncio.timeout(self.autocomplete_timeout):
                choices = await self.core.autocomplete(incoming, option.name, partial)
        except TimeoutError:
            log.warning(
                "autocomplete for /%s %s took over %.1f s; answered with no suggestions",
                spec.name,
                option.name,
                self.autocomplete_timeout,
            )
            return []
        except Exception:
            log.exception("autocomplete for /%s %s failed", spec.name, option.name)
            return []
        return to_app_choices(option, choices)

    async def drain(self, within: float) -> None:
        """Stop taking new work and wait (at most ``within`` s) for answers in flight."""
        self._closing = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while pending := {t for t in self._in_flight if not t.done()}:
            remaining = deadline - loop.time()
            if remaining <= 0:
                log.warning("%d discord answers still running at shutdown", len(pending))
                return
            await asyncio.wait(pending, timeout=remaining)

    @contextlib.contextmanager
    def _tracked(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def _answer(
        self,
        interaction: discord.Interaction,
        incoming: Incoming,
        *,
        defer_ephemeral: bool = False,
        files: Sequence[discord.Attachment] = (),
    ) -> None:
        """Ask the core; defer if it takes longer than Discord's patience allows."""
        if self._closing:
            with contextlib.suppress(Exception):
                await self._send(interaction, Reply(RESTARTING, private=True))
            return
        with self._tracked():
            await self._answer_tracked(interaction, incoming, defer_ephemeral, files)

    async def _with_files(
        self, incoming: Incoming, files: Sequence[discord.Attachment], note: ProgressNote
    ) -> Reply:
        """Download the command's files (inside the deferral window), then ask the core."""
        if files:
            incoming = replace(incoming, attachments=tuple([await download(f) for f in files]))
        return await self.core.handle(incoming, note)

    async def _answer_tracked(
        self,
        interaction: discord.Interaction,
        incoming: Incoming,
        defer_ephemeral: bool,
        files: Sequence[discord.Attachment] = (),
    ) -> None:
        task = asyncio.ensure_future(
            self._with_files(incoming, files, InteractionNote(interaction))
        )
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        progress = _Progress()
        try:
            if not done:
                # Only "Pacer is thinking…" shows. Ephemeral when the command's answer
                # is personal; otherwise a private reply closes the public placeholder
                # and goes out as an ephemeral followup (see _send).
                await interaction.response.defer(thinking=True, ephemeral=defer_ephemeral)
                progress.deferred, progress.deferred_ephemeral = True, defer_ephemeral
            try:
                reply = await task
            except Exception:
                log.exception("core failed on %s", describe(incoming))
                reply = Reply(SORRY, private=True)
            await self._send(interaction, reply, progress)
        except Exception:
            # Usually the interaction expired (10062), but a network error or a bug
            # must not leave the user at "thinking" either.
            log.exception("could not answer %s", describe(incoming))
            await _apologise(interaction, progress)
            with contextlib.suppress(Exception):
                await task  # the core's work still completes (it is idempotent)

    async def _send(
        self, interaction: discord.Interaction, reply: Reply, progress: _Progress | None = None
    ) -> None:
        """Render ``reply`` as the interaction response, then followups."""
        progress = progress or _Progress()
        ephemeral = (
            reply.private and not is_private_context(interaction)
        ) or progress.deferred_ephemeral
        parts = content_parts(reply.text)
        view = build_view(reply)
        files = build_files(reply)
        if interaction.response.is_done() and ephemeral and not progress.deferred_ephemeral:
            # The first followup after a public defer would fill the public
            # "thinking" message: close that one neutrally, then answer ephemerally.
            await interaction.edit_original_response(content=ANSWERED_PRIVATELY)
            progress.placeholder_closed = True
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            extra: dict[str, Any] = {}
            if last and view is not None:
                extra["view"] = view
            if last and files:
                extra["files"] = files
            if not interaction.response.is_done():
                await interaction.response.send_message(
                    part, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, **extra
                )
            else:
                await interaction.followup.send(
                    part, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, **extra
                )
            progress.placeholder_closed = True
        if reply.private_note and not ephemeral:
            await _note_privately(interaction, reply.private_note)


async def _note_privately(interaction: discord.Interaction, note: str) -> None:
    """The runner's own lines under an answer the channel reads, to them alone. The answer
    stands either way: a failure is logged, not apologised for."""
    try:
        for part in content_parts(note):
            await interaction.followup.send(part, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("a private note to discord user %s failed", interaction.user.id, exc_info=True)


class InteractionNote:
    """A long command's progress shown in its deferred response ("Pacer is thinking…")."""

    def __init__(self, interaction: discord.Interaction) -> None:
        self.interaction = interaction

    async def show(self, text: str) -> None:
        """Edit the deferred response; before the deferral there is nothing to edit yet."""
        if self.interaction.response.is_done():
            await self.interaction.edit_original_response(content=text)


async def _apologise(interaction: discord.Interaction, progress: _Progress) -> None:
    """After a failed answer: say sorry where the user is still waiting, if anywhere."""
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(SORRY, ephemeral=True)
        elif progress.deferred and not progress.placeholder_closed:
            await interaction.edit_original_response(content=SORRY)
    except Exception as exc:
        log.warning("could not apologise for a failed answer either: %s", exc)


async def download(file: discord.Attachment) -> Attachment:
    """A file sent with a command; one over the core's limit is not downloaded at all."""
    mime = file.content_type or "application/octet-stream"
    if file.size > MAX_FILE_BYTES:
        return Attachment(file.filename, b"", mime, size=file.size)
    return Attachment(file.filename, await file.read(), mime, size=file.size)


def _is_typed_dm(message: discord.Message) -> bool:
    """A person's text in a DM with Pacer (not a bot, not a system message, not "/cmd")."""
    if message.author.bot or message.guild is not None:
        return False
    if not isinstance(message.channel, discord.DMChannel):
        return False
    if message.type not in (discord.MessageType.default, discord.MessageType.reply):
        return False
    text = message.content.strip()
    return bool(text) and not text.startswith("/")


async def _send_to_channel(
    channel: discord.abc.Messageable, reply: Reply, budget: SendBudget, chat_id: str
) -> None:
    """A reply as DM messages: text parts, buttons and files on the last one, each in a place."""
    parts = content_parts(reply.text)
    view = build_view(reply)
    files = build_files(reply)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        extra: dict[str, Any] = {}
        if last and view is not None:
            extra["view"] = view
        if last and files:
            extra["files"] = files
        async with budget.place(chat_id, urgent=True):
            await channel.send(part, allowed_mentions=NO_MENTIONS, **extra)


def describe(incoming: Incoming) -> str:
    """A log-safe summary: what was asked, not what was typed."""
    what = f"/{incoming.command}" if incoming.command else f"action {incoming.action!r}"
    return f"{what} from discord user {incoming.user_id}"
