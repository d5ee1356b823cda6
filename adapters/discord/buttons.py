"""Persistent buttons: the core's action id lives in the component's ``custom_id``.

Because the handler is found from the ``custom_id`` alone (a ``DynamicItem``
template), a button on a week-old nudge DM still works after a restart.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from adapters.discord.client import PacerClient

log = logging.getLogger(__name__)

CUSTOM_ID_PREFIX = "pacer:"
MAX_LABEL = 80


def custom_id_for(action: str) -> str:
    """The ``custom_id`` carrying ``action`` (Discord allows 100 characters)."""
    custom_id = CUSTOM_ID_PREFIX + action
    if len(custom_id) > 100:
        raise ValueError(f"action id too long for a Discord custom_id: {action!r}")
    return custom_id


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.escape(CUSTOM_ID_PREFIX) + r"(?P<action>.+)",
):
    """A button whose press is sent to the core as ``Incoming(action=...)``."""

    def __init__(self, action: str, *, label: str = "", row: int | None = None) -> None:
        label = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
        super().__init__(
            discord.ui.Button(
                label=label or action,
                custom_id=custom_id_for(action),
                style=discord.ButtonStyle.secondary,
                row=row,
            )
        )
        self.action = action

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ActionButton:
        """Rebuild the button from a pressed component (any message, any age)."""
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["action"], label=label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        """Hand the press to the adapter's interaction handler."""
        client = interaction.client
        if not isinstance(client, PacerClient) or client.interactions is None:
            log.warning("button pressed on a client without Pacer's interaction handler")
            return
        await client.interactions.on_action(interaction, self.action)
