"""Handlers of /export and /forget: a runner's data in their hands. Always answered privately.

Their words are in :mod:`bot.texts.data_rights`.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.context import Context, Handler
from bot.messages import Attachment, Reply
from bot.services.data_rights import DataRightsService
from bot.texts import data_rights as texts


class DataHandlers:
    """Thin handlers over the data-rights service."""

    def __init__(self, data: DataRightsService) -> None:
        self.data = data

    def table(self) -> dict[str, Handler]:
        """Command name -> handler."""
        return {"export": self.export, "forget": self.forget}

    async def export(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Everything Pacer holds about the runner, as a private ZIP."""
        export = await self.data.export(ctx.user)
        text = texts.export_text(export.platforms, export.rows.items(), export.filename)
        archive = Attachment(export.filename, export.data, "application/zip")
        return Reply(text, attachments=(archive,), private=True)

    async def forget(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Ask first; delete only on the confirmation button or the typed code."""
        answer = args.get("answer")
        if answer == "cancel":
            return Reply(texts.FORGET_CANCELLED, private=True)
        if answer == "confirm":
            code = args.get("code", "")
            if not code:
                raise texts.forget_needs_code()
            done = await self.data.forget(ctx.user, code)
            return Reply(texts.forgotten_text(done.platforms, done.removed.tables), private=True)
        held = await self.data.holdings(ctx.user)
        code = self.data.confirmation_code(ctx.user, ctx.now)
        question, buttons = texts.forget_question(held.platforms, held.tables, code)
        return Reply(question, buttons=buttons, private=True)
