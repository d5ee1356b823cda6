"""Discord adapter: slash commands, persistent buttons and DM nudges via discord.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.discord.adapter import DiscordAdapter
    from bot.ports import AdapterContext

__all__ = ["create_adapter"]


def create_adapter(ctx: AdapterContext) -> DiscordAdapter:
    """The adapter for ``bot.app`` (started and stopped by the app)."""
    # Imported here so that ``python -m adapters.discord.sync`` stays light.
    from adapters.discord.adapter import DiscordAdapter

    return DiscordAdapter(
        ctx.settings,
        ctx.core,
        ctx.request_shutdown,
        budget=ctx.budget("discord"),
        command_hashes=ctx.command_hashes,
        elected=ctx.elected,
    )
