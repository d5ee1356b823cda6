"""``pacer import-strava PATH --user NAME``: a Strava bulk export into a runner's log."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from bot.bootstrap import build_core
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.errors import PacerError
from bot.runfiles.strava import ExportError, ImportSummary, StravaExport
from bot.services.strava_import import StravaImporter
from bot.storage.database import Database
from bot.texts.runfiles import summary_text

CONSOLE = "console"


def main(argv: list[str], clock: Clock | None = None, out: TextIO | None = None) -> int:
    """Parse the arguments, import, print the summary; the exit code."""
    parser = argparse.ArgumentParser(
        prog="pacer import-strava",
        description="Import the runs of a Strava bulk export (Settings > My Account > "
        "Download or Delete Your Account > Request Your Archive) into a runner's log.",
    )
    parser.add_argument("path", type=Path, help="the export ZIP, or the folder it unpacks to")
    parser.add_argument(
        "--user",
        required=True,
        help="the runner: the console runner of this name (as `pacer --user NAME`); "
        "/link joins it to your Telegram or Discord account",
    )
    parser.add_argument("--db", help="database URL (default: DATABASE_URL or sqlite:///pacer.db)")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    logging.basicConfig(level="WARNING", format="%(levelname)s %(name)s: %(message)s")
    url = args.db or Settings.from_env().database_url
    try:
        with StravaExport(args.path) as export:
            summary = asyncio.run(_import(url, args.user, export, clock or SystemClock()))
    except (ExportError, PacerError) as error:
        print(f"pacer import-strava: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"pacer import-strava: {args.path}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(summary_text(summary, args.user), file=out)
    return 0


async def _import(url: str, name: str, export: StravaExport, clock: Clock) -> ImportSummary:
    core = build_core(Database(url), clock)
    db = core.db
    await db.open()
    try:
        account = await core.accounts.identify(CONSOLE, name, name)
        with tqdm(
            desc="Importing",
            unit=" activities",
            file=sys.stderr,
            disable=not sys.stderr.isatty(),
        ) as bar:

            async def show(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            return await StravaImporter(db, clock).run(account.user, export, show)
    finally:
        await db.close()
