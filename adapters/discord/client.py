"""The discord.py client Pacer runs: sharded, no privileged intents."""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Protocol

import discord
from discord import app_commands

from adapters.discord.texts import COMMANDS_CHANGED, SORRY

log = logging.getLogger(__name__)


class Interactions(Protocol):
    """What the client hands DMs and button presses to (the adapter's interaction handler)."""

    async def on_dm(self, message: discord.Message) -> None:
        """A direct message Discord delivered."""

    async def on_action(self, interaction: discord.Interaction, action: str) -> None:
        """A press of one of Pacer's buttons."""


def pacer_intents() -> discord.Intents:
    """Only what Pacer needs: DMs, so typed onboarding answers reach the core.

    Slash commands, buttons and autocomplete arrive regardless of intents, and
    the interaction payload carries the member's permissions. ``dm_messages``
    is not privileged, and a DM's content is delivered without the privileged
    message-content intent (Discord exempts DMs with the app). No guild
    messages, no member list, no guild cache: memory stays flat however many
    servers join.
    """
    intents = discord.Intents.none()
    intents.dm_messages = True
    return intents


class _QuietIntentsWarning(logging.Filter):
    """Drop discord.py's start-up warning about the guilds intent: Pacer runs without it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Guilds intent seems to be disabled" not in record.getMessage()


_QUIET = _QuietIntentsWarning()


class PacerTree(app_commands.CommandTree[discord.Client]):
    """The command tree; errors from discord.py's own checks are answered, not swallowed."""

    async def on_error(
        self, interaction: discord.Interaction[discord.Client], error: app_commands.AppCommandError
    ) -> None:
        """Log, and tell the user something went wrong (privately)."""
        log.error("discord command error: %s", error, exc_info=error)
        mismatch = isinstance(error, app_commands.CommandSignatureMismatch)
        if not interaction.response.is_done():
            with contextlib.suppress(discord.HTTPException):
                text = COMMANDS_CHANGED if mismatch else SORRY
                await interaction.response.send_message(text, ephemeral=True)


class PacerClient(discord.AutoShardedClient):
    """An ``AutoShardedClient`` with Pacer's command tree and interaction handler."""

    def __init__(self, handler: Interactions | None, **options: Any) -> None:
        options.setdefault("intents", pacer_intents())
        options.setdefault("max_messages", None)  # no message cache: DMs are answered, not kept
        # Pacer never joins voice: skip the warnings about voice libraries.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        state_log = logging.getLogger("discord.state")
        if _QUIET not in state_log.filters:
            state_log.addFilter(_QUIET)
        super().__init__(**options)
        self.interactions = handler
        self.tree = PacerTree(self)

    async def on_message(self, message: discord.Message) -> None:
        """A message Discord delivered (with Pacer's intents: only DMs)."""
        if self.interactions is not None:
            await self.interactions.on_dm(message)
