"""``/log`` with a file: a GPX, FIT or TCX recording read into a run (or several)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace

from bot.core.context import Context, Handler, Services
from bot.core.handlers import logged_reply, note_club_member, wants_time_zone_tip
from bot.errors import BadInput
from bot.messages import Attachment, Button, Reply
from bot.parsing import FEET_PER_METRE, METERS_PER_MILE, format_distance, format_duration
from bot.runfiles import EFFORT_NAMES, MAX_FILE_BYTES, FileRuns, RunFile, read_run_file, too_big
from bot.runfiles.track import MOVING_SPEED, WINDOW_S
from bot.services.runs import SameRunLogged

# A button's answer to a file's sport question: /log file:<token> yes|no (no typed run
# starts so). The question waits in the database (RunService.ask_sport), so a restart or
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
            raise BadInput(
                f"The file has the run's {' and '.join(typed)}: send it without them (a note "
                "may go with it), or type the run without a file. Nothing was saved."
            )
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
                parts.append(await self._log_one(ctx, run_file, note, key))
            except SameRunLogged as same:
                if len(found.runs) == 1:
                    raise
                parts.append(Reply(str(same)))  # the file's other runs are still logged
        for run_file in unsure:
            parts.append(await self._ask(ctx, run_file, note))
        return _joined(parts, found, len(found.runs))

    async def _log_one(
        self, ctx: Context, run_file: RunFile, note: str, source_key: str | None
    ) -> Reply:
        logged = await self.services.runs.log_file(
            ctx.user, run_file, note, source_key, ctx.shown_in
        )
        await note_club_member(self.services, ctx)
        standings = await self.services.challenges.standings(ctx.user, logged.run, run_file.efforts)
        tip = wants_time_zone_tip(self.services, ctx.user)
        return logged_reply(ctx, logged, file_lines(run_file, ctx.user.units), standings, tip)

    async def _ask(self, ctx: Context, run_file: RunFile, note: str) -> Reply:
        """Ask whether a file that names no sport was a run (no run stored until then)."""
        token = await self.services.runs.ask_sport(ctx.user, run_file, note)
        units = ctx.user.units
        what = (
            f"{format_distance(run_file.distance_m, units)} in "
            f"{format_duration(round(run_file.moving_s))}, "
            f"{run_file.local_start(ctx.user.tz):%a %d %b %Y %H:%M}"
        )
        return Reply(
            f"This {run_file.kind.upper()} file doesn't say what sport it is ({what}): "
            "log it as a run?",
            buttons=(
                (
                    Button("🏃 Yes, log it as a run", f"/log {ASK}{token} yes"),
                    Button("No, it wasn't a run", f"/log {ASK}{token} no"),
                ),
            ),
        )

    async def _answer(self, ctx: Context, token: str, yes: bool) -> Reply:
        """A tap on a sport question's button: log the kept run, or forget it."""
        asked = await self.services.runs.sport_question(ctx.user, token)
        if not yes:
            await self.services.runs.drop_sport_question(token)
            return Reply("Not logged: Pacer logs runs only. Nothing was saved.")
        # Logged first, then forgotten: a crash between the two leaves the question, and
        # a second tap finds the run stored (the same file's fingerprint), not a twin.
        reply = await self._log_one(ctx, asked.run_file, asked.note, ctx.source_key)
        await self.services.runs.drop_sport_question(token)
        return reply


def _joined(parts: list[Reply], found: FileRuns, count: int) -> Reply:
    """One reply for a file: each run's answer, then the other activities named."""
    if len(parts) == 1 and not found.others:
        return parts[0]
    head = f"This file holds {count + len(found.others)} activities."
    lines = [head, *(p.text for p in parts)]
    if found.others:
        lines.append("Not logged: " + " · ".join(found.others))
    # Two runs of today both offer the snack buttons: show each row once.
    buttons = tuple(dict.fromkeys(row for p in parts for row in p.buttons))
    return replace(parts[-1], text="\n\n".join(lines), buttons=buttons)


async def read_attachment(attachment: Attachment) -> FileRuns:
    """Read a sent file off the event loop (a long FIT file takes a while)."""
    if attachment.size is not None and attachment.size > MAX_FILE_BYTES:
        raise too_big(attachment.filename, attachment.size)
    return await asyncio.to_thread(read_run_file, attachment.filename, attachment.data)


def moving_speed(units: str) -> str:
    """The speed under which a track counts as stopped, in the runner's units."""
    if units == "mi":
        return f"{MOVING_SPEED * 3600 / METERS_PER_MILE:.1f} mph"
    return f"{MOVING_SPEED * 3.6:.1f} km/h"


def file_lines(run_file: RunFile, units: str) -> list[str]:
    """Where the figures came from, and what the file told beyond them."""
    lines = []
    facts = []
    if run_file.elevation_gain_m is not None:
        gain = run_file.elevation_gain_m
        facts.append(
            f"climb {gain * FEET_PER_METRE:,.0f} ft" if units == "mi" else f"climb {gain:,.0f} m"
        )
    pause = round(run_file.pause_s)
    start_to_finish = format_duration(round(run_file.elapsed_s))
    if run_file.from_summary:
        facts.append(
            f"{format_duration(pause)} with the timer stopped ({start_to_finish} start to finish)"
            if pause >= 1
            else "no timer stops"
        )
    elif pause >= 1:
        facts.append(
            f"{format_duration(pause)} stopped, not counted (moving time counts while you "
            f"covered more than {moving_speed(units)} over {WINDOW_S:.0f} s either side, or "
            f"the file's own speed said you moved; {start_to_finish} start to finish)"
        )
    else:
        facts.append("no pauses")
    source = "your watch's summary" if run_file.from_summary else f"the {run_file.kind.upper()}"
    if run_file.from_summary:
        lines.append(f"Distance and moving time from {source} · " + " · ".join(facts))
    else:
        lines.append(f"From {source} file's points: " + " · ".join(facts))
    if run_file.efforts:
        best = " · ".join(
            f"{EFFORT_NAMES[m]} {format_duration(round(s))}"
            for m, s in sorted(run_file.efforts.items())
        )
        lines.append(f"Best efforts in this run: {best}")
    elif run_file.timing_note:
        lines.append(f"No best efforts from this file: {run_file.timing_note}.")
    return lines
