"""``/log`` with a file: a GPX, FIT or TCX recording read into a run."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from bot.core.context import Context, Handler, Services
from bot.core.handlers import logged_reply, note_club_member
from bot.errors import BadInput
from bot.messages import Attachment, Reply
from bot.parsing import FEET_PER_METRE, METERS_PER_MILE, format_duration
from bot.runfiles import EFFORT_NAMES, MAX_FILE_BYTES, RunFile, read_run_file, too_big
from bot.runfiles.track import MOVING_SPEED


class RunFileHandlers:
    """``/log`` reads a file when one is sent with it, else logs as typed."""

    def __init__(self, services: Services, typed_log: Handler) -> None:
        self.services = services
        self.typed_log = typed_log

    def table(self) -> dict[str, Handler]:
        """Command name -> handler (``log`` replaces the typed-only handler)."""
        return {"log": self.log}

    async def log(self, ctx: Context, args: Mapping[str, str]) -> Reply:
        """Log a run from a sent file, or as typed when there is none."""
        if not args.get("file") or not ctx.incoming.attachments:
            return await self.typed_log(ctx, args)
        typed = [name for name in ("distance", "duration", "when") if args.get(name)]
        if typed:
            raise BadInput(
                f"The file has the run's {' and '.join(typed)}: send it without them (a note "
                "may go with it), or type the run without a file. Nothing was saved."
            )
        attachment = ctx.incoming.attachments[0]
        run_file = await read_attachment(attachment)
        logged = await self.services.runs.log_file(
            ctx.user, run_file, args.get("note", ""), ctx.source_key, ctx.shown_in
        )
        await note_club_member(self.services, ctx)
        standings = await self.services.challenges.standings(ctx.user)
        return logged_reply(ctx, logged, file_lines(run_file, ctx.user.units), standings)


async def read_attachment(attachment: Attachment) -> RunFile:
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
    """What the file told beyond distance and time: climb, pauses, best efforts."""
    lines = []
    facts = []
    if run_file.elevation_gain_m is not None:
        gain = run_file.elevation_gain_m
        facts.append(
            f"climb {gain * FEET_PER_METRE:,.0f} ft" if units == "mi" else f"climb {gain:,.0f} m"
        )
    pause = round(run_file.pause_s)
    if pause >= 1:
        facts.append(
            f"{format_duration(pause)} stopped, not counted (moving time counts only "
            f"while you moved faster than {moving_speed(units)}; "
            f"{format_duration(round(run_file.elapsed_s))} start to finish)"
        )
    else:
        facts.append("no pauses")
    lines.append(f"From the {run_file.kind.upper()} file: " + " · ".join(facts))
    if run_file.efforts:
        best = " · ".join(
            f"{EFFORT_NAMES[m]} {format_duration(round(s))}"
            for m, s in sorted(run_file.efforts.items())
        )
        lines.append(f"Best efforts in this run: {best}")
    return lines
