"""``/import strava``: a runner brings their Strava history in from the chat."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from bot.core.context import Context, Handler
from bot.messages import Reply
from bot.ports import ProgressNote
from bot.runfiles.readers import MAX_FILE_BYTES
from bot.runfiles.strava import ExportError, StravaExport
from bot.services.strava_import import StravaImporter
from bot.texts import runfiles as texts

log = logging.getLogger(__name__)
EDIT_EVERY_S = 2.0  # a chat edits one message about once a second at most; leave room


class _Progress:
    """Edits the runner's progress note, at most every :data:`EDIT_EVERY_S` seconds."""

    def __init__(self, note: ProgressNote | None) -> None:
        self.note = note
        self.last = 0.0

    async def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()  # pacing the edits only: nothing stored depends on it
        if self.note is None or (done < total and now - self.last < EDIT_EVERY_S):
            return
        self.last = now
        try:
            await self.note.show(texts.importing(done, total))
        except Exception:  # a lost edit is no reason to stop an import
            log.exception("progress note could not be updated")


class ImportHandlers:
    """``/import strava`` with the export attached, in a private chat."""

    def __init__(self, importer: StravaImporter) -> None:
        self.importer = importer

    def table(self) -> dict[str, Handler]:
        """Command name -> handler."""
        return {"import": self.import_history}

    async def import_history(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Import the runs of a Strava export sent with the command."""
        if not ctx.incoming.attachments:
            raise texts.attach_export()
        attachment = ctx.incoming.attachments[0]
        size = attachment.size if attachment.size is not None else len(attachment.data)
        if size > MAX_FILE_BYTES or len(attachment.data) > MAX_FILE_BYTES:
            raise texts.export_too_big(attachment.filename, size)
        try:
            export = StravaExport.from_upload(attachment.filename, attachment.data)
            with export:
                summary = await self.importer.run(ctx.user, export, _Progress(ctx.progress))
        except ExportError as error:
            raise texts.export_unreadable(error) from None
        return Reply(texts.summary_text(summary, units=ctx.user.units), private=True)
