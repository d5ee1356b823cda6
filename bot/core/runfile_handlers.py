"""``/log`` with a file: a GPX, FIT or TCX recording read into a run (or several).

Its words are in :mod:`bot.texts.runfiles`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace

from bot.core.context import Context, Handler, Services
from bot.core.handlers import logged_reply, run_standings, wants_time_zone_tip
from bot.messages import Attachment, Reply
from bot.runfiles import MAX_FILE_BYTES, FileRuns, RunFile, read_run_file, too_big
from bot.services.runfiles import SameRunLogged
from bot.texts import runfiles as texts
from bot.texts.runs import describe_run

# A button's answer to a file's sport question: /log file:<token> yes|no (no typed run
# starts so). The question waits in the database (RunFileService.ask_sport), so a restart or
# another process answers the tap; the file is not stored as a run until the answer.
ASK = "file:"


class RunFileHandlers:
    """``/log`` reads a file when one is sent with it, else logs as typed."""

    def __init__(self, services: Services, typed_log: Handler) -> None:
        self.services = services
        self.typed_log = typed_log

    def table(self) -> dict[str, Handler]:
        """Command name -> handler (``log`` replaces the typed-only handler)."""
        return {"log": self.log}

    async def log(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Log the runs of a sent file, answer a sport question, or log as typed."""
        typed_first = args.get("distance", "")
        if typed_first.startswith(ASK) and not ctx.incoming.attachments:
            return await self._answer(ctx, typed_first[len(ASK) :], args.get("duration") == "yes")
        if not args.get("file") or not ctx.incoming.attachments:
            return await self.typed_log(ctx, args)
        typed = [name for name in ("distance", "duration", "when") if args.get(name)]
        if typed:
            raise texts.typed_with_file(typed)
        found = await read_attachment(ctx.incoming.attachments[0])
        note = args.get("note", "")
        sure = [r for r in found.runs if r.sport_known]
        unsure = [r for r in found.runs if not r.sport_known]
        parts: list[Reply] = []
        for index, run_file in enumerate(sure):
            # One message, several runs: each its own key against a platform's redelivery.
            key = (
                ctx.source_key if index == 0 or not ctx.source_key else f"{ctx.source_key}#{index}"
            )
            try:
                parts.append((await self._log_one(ctx, run_file, note, key))[0])
            except SameRunLogged as same:
                if len(found.runs) == 1:
                    raise
                parts.append(Reply(str(same)))  # the file's other runs are still logged
        for run_file in unsure:
            parts.append(await self._ask(ctx, run_file, note))
        return _joined(parts, found, len(found.runs))

    async def _log_one(
        self, ctx: Context, run_file: RunFile, note: str, source_key: str | None
    ) -> tuple[Reply, int]:
        """Store a file's run; the reply and the run's id."""
        logged = await self.services.runfiles.log_file(
            ctx.user, run_file, note, source_key, ctx.shown_in
        )
        standings = await run_standings(self.services, ctx, logged.run, run_file.efforts)
        tip = wants_time_zone_tip(self.services, ctx.user)
        lines = texts.file_lines(run_file, ctx.user.units)
        return logged_reply(ctx, logged, lines, standings, tip), logged.run.id

    async def _ask(self, ctx: Context, run_file: RunFile, note: str) -> Reply:
        """Ask whether a file that names no sport was a run (no run stored until then)."""
        token = await self.services.runfiles.ask_sport(ctx.user, run_file, note)
        question, buttons = texts.sport_question(
            run_file,
            ctx.user.units,
            run_file.local_start(ctx.user.tz),
            f"/log {ASK}{token} yes",
            f"/log {ASK}{token} no",
        )
        return Reply(question, buttons=buttons)

    async def _answer(self, ctx: Context, token: str, yes: bool) -> Reply:
        """A tap on a sport question's button: log the kept run, or not; a second tap (either
        button) says what the first did."""
        runfiles = self.services.runfiles
        asked = await runfiles.sport_question(ctx.user, token)
        if asked.answered_at is not None:
            if asked.run_id is None:
                return Reply(texts.ANSWERED_NOT_A_RUN)
            run = await runfiles.answered_run(ctx.user, asked)
            if run is None:
                return Reply(texts.answered_run_gone(asked.run_id))
            today = ctx.user.today(ctx.now)
            described = describe_run(run, ctx.user.units, today, with_note=not ctx.in_group)
            return Reply(texts.answered_logged(described))
        if not yes:
            if not await runfiles.answer_sport_question(token, None):
                return await self._answer(ctx, token, yes)  # a tap at once answered first
            return Reply(texts.not_a_run(ctx.name_in_group))
        # Logged first, then the answer kept: a crash between the two leaves the question
        # open, and a second tap finds the run stored (the same file's fingerprint), not a twin.
        # The run is in the log, so its answer is kept even over a "no" tapped at once.
        reply, run_id = await self._log_one(ctx, asked.run_file, asked.note, ctx.source_key)
        await runfiles.answer_sport_question(token, run_id)
        return reply


def _joined(parts: list[Reply], found: FileRuns, count: int) -> Reply:
    """One reply for a file: each run's answer, then the other activities named."""
    if len(parts) == 1 and not found.others:
        return parts[0]
    head = texts.activities_head(count + len(found.others))
    lines = [head, *(p.text for p in parts)]
    if found.others:
        lines.append(texts.not_logged(found.others))
    # Two runs of today both offer the snack buttons: show each row once; the same for the
    # week lines a group reply keeps for the runner alone (two runs of one week).
    buttons = tuple(dict.fromkeys(row for p in parts for row in p.buttons))
    notes = dict.fromkeys(p.private_note for p in parts if p.private_note)
    return replace(
        parts[-1], text="\n\n".join(lines), buttons=buttons, private_note="\n".join(notes)
    )


async def read_attachment(attachment: Attachment) -> FileRuns:
    """Read a sent file off the event loop (a long FIT file takes a while)."""
    if attachment.size is not None and attachment.size > MAX_FILE_BYTES:
        raise too_big(attachment.filename, attachment.size)
    return await asyncio.to_thread(read_run_file, attachment.filename, attachment.data)
