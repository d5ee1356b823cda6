"""Interaction -> Incoming -> core -> Reply -> Discord. Every handler stays thin."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import discord
from discord import app_commands

from adapters.discord.commands import AppChoice
from adapters.discord.render import NO_MENTIONS, build_files, build_view, split_content
from adapters.discord.texts import ANSWERED_PRIVATELY, NEEDS_MANAGE_SERVER, SORRY
from bot.core.commands import CommandSpec, OptionSpec, OptionType
from bot.core.dispatch import Choice
from bot.core.messages import Incoming, Reply

log = logging.getLogger(__name__)

PLATFORM = "discord"
# Discord wants an answer within 3 s; past this the adapter defers and follows up.
DEFER_AFTER = 2.0
# An autocomplete cannot be deferred: answer nothing rather than too late.
AUTOCOMPLETE_TIMEOUT = 2.5
MAX_CHOICES = 25
MAX_CHOICE_CHARS = 100


class CoreLike(Protocol):
    """The part of ``bot.core.dispatch.Core`` the adapter calls."""

    async def handle(self, incoming: Incoming) -> Reply:
        """Answer one command or button press."""
        ...

    async def autocomplete(self, incoming: Incoming, option: str, partial: str) -> list[Choice]:
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


class InteractionHandler:
    """Runs slash commands, autocompletes and button presses through the core."""

    def __init__(
        self,
        core: CoreLike,
        *,
        defer_after: float = DEFER_AFTER,
        autocomplete_timeout: float = AUTOCOMPLETE_TIMEOUT,
    ) -> None:
        self.core = core
        self.defer_after = defer_after
        self.autocomplete_timeout = autocomplete_timeout

    async def run_command(
        self, interaction: discord.Interaction, spec: CommandSpec, options: Mapping[str, str]
    ) -> None:
        """A slash command: refuse non-admins in servers early, else ask the core."""
        if spec.admin_only and not is_private_context(interaction) and not is_admin(interaction):
            await self._send(
                interaction, Reply(NEEDS_MANAGE_SERVER.format(name=spec.name), private=True)
            )
            return
        await self._answer(
            interaction, to_incoming(interaction, command=spec.name, options=options)
        )

    async def on_action(self, interaction: discord.Interaction, action: str) -> None:
        """A button press."""
        await self._answer(interaction, to_incoming(interaction, action=action))

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
        except Exception:
            log.exception("autocomplete for /%s %s failed", spec.name, option.name)
            return []
        return to_app_choices(option, choices)

    async def _answer(self, interaction: discord.Interaction, incoming: Incoming) -> None:
        """Ask the core; defer if it takes longer than Discord's patience allows."""
        task = asyncio.ensure_future(self.core.handle(incoming))
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        try:
            if not done:
                # Defer in the open: only "Pacer is thinking…" shows. A private reply
                # then closes it and goes out as an ephemeral followup (see _send).
                await interaction.response.defer(thinking=True)
            try:
                reply = await task
            except Exception:
                log.exception("core failed on %s", describe(incoming))
                reply = Reply(SORRY, private=True)
            await self._send(interaction, reply)
        except discord.HTTPException:
            # Usually the interaction expired (10062): nothing left to answer.
            log.exception("could not answer %s", describe(incoming))
            with contextlib.suppress(Exception):
                await task  # the core's work still completes (it is idempotent)

    async def _send(self, interaction: discord.Interaction, reply: Reply) -> None:
        """Render ``reply`` as the interaction response, then followups."""
        ephemeral = reply.private and not is_private_context(interaction)
        parts = split_content(reply.text)
        view = build_view(reply)
        files = build_files(reply)
        if interaction.response.is_done() and ephemeral:
            # The first followup after a public defer would fill the public
            # "thinking" message: close that one neutrally, then answer ephemerally.
            await interaction.edit_original_response(content=ANSWERED_PRIVATELY)
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


def describe(incoming: Incoming) -> str:
    """A log-safe summary: what was asked, not what was typed."""
    what = f"/{incoming.command}" if incoming.command else f"action {incoming.action!r}"
    return f"{what} from discord user {incoming.user_id}"
