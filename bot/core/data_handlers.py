"""Handlers of /export and /forget: a runner's data in their hands. Always answered privately."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.core.context import Context, Handler
from bot.errors import BadInput
from bot.messages import Attachment, Button, Reply
from bot.services.data_rights import DataRightsService
from bot.services.export_archive import WORDS, counted
from bot.storage.personal import Removed


def _listing(counts: Iterable[tuple[str, int]]) -> str:
    """``3 runs, 5 check-ins and 1 profile``: known tables first, empty ones left out."""
    order = {name: i for i, name in enumerate(WORDS)}
    items = sorted(((n, c) for n, c in counts if c), key=lambda i: (order.get(i[0], 99), i[0]))
    parts = [counted(c, n) for n, c in items]
    if len(parts) > 1:
        return f"{', '.join(parts[:-1])} and {parts[-1]}"
    return parts[0] if parts else "nothing"


def _where(platforms: tuple[str, ...]) -> str:
    return ", ".join(platforms) if platforms else "this account"


def _deleted(tables: Mapping[str, Removed]) -> str:
    return _listing((n, r.deleted) for n, r in tables.items())


def _kept(tables: Mapping[str, Removed]) -> str:
    kept = [(n, r.anonymized) for n, r in tables.items() if r.anonymized]
    if not kept:
        return ""
    return f"\nKept without your name: {_listing(kept)}, shown as a 'former member'."


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
        text = (
            f"Everything I hold about you ({_where(export.platforms)}): "
            f"{_listing(export.rows.items())}.\n"
            f"{export.filename}: one CSV per table, all of it again in pacer-export.json; "
            "README.txt says what each file holds."
        )
        archive = Attachment(export.filename, export.data, "application/zip")
        return Reply(text, attachments=(archive,), private=True)

    async def forget(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Ask first; delete only on the confirmation button or the typed code."""
        answer = args.get("answer")
        if answer == "cancel":
            return Reply("Cancelled. Nothing was deleted.", private=True)
        if answer == "confirm":
            code = args.get("code", "")
            if not code:
                raise BadInput(
                    "/forget confirm needs the code /forget showed you. Nothing was deleted.",
                    hint="Send /forget to get one.",
                )
            done = await self.data.forget(ctx.user, code)
            return Reply(
                f"Done. I deleted everything I held about you on {_where(done.platforms)}: "
                f"{_deleted(done.removed.tables)}.{_kept(done.removed.tables)}\n"
                "If you write to me again, I start from scratch.",
                private=True,
            )
        held = await self.data.holdings(ctx.user)
        code = self.data.confirmation_code(ctx.user, ctx.now)
        buttons = (
            (
                Button("🗑 Delete everything", f"/forget confirm {code}"),
                Button("Cancel", "/forget cancel"),
            ),
        )
        return Reply(
            "This deletes everything I hold about you, on every linked account "
            f"({_where(held.platforms)}): {_deleted(held.tables)}. Your settings and nudges "
            f"go with them.{_kept(held.tables)}\n"
            "It cannot be undone: /export first if you want a copy.\n\n"
            f"Press Delete everything, or type /forget confirm {code}, within 10 minutes. "
            "Until then nothing is deleted.",
            buttons=buttons,
            private=True,
        )
