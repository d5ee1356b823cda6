"""``python -m bot`` / ``pacer``: run Pacer."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import signal
import sys
from dataclasses import replace

from bot.app import StartRefused
from bot.bootstrap import build_app
from bot.config import Settings
from bot.operations import heap, logs
from bot.ports import TokenRefused
from bot.storage.database import Database, UnsupportedUrl, async_url, safe_url
from bot.storage.migrate import MigrationError, upgrade
from bot.storage.problems import DatabaseUnavailable, explain

DESCRIPTION = (
    "Run Pacer: the Telegram and Discord bots when their tokens are set, else the console chat."
)
# Plain text for ``pacer --help``: every subcommand main() dispatches below.
SUBCOMMANDS = """\
other commands:
  pacer db upgrade [--db URL]
      apply the database migrations and exit
  pacer import-strava PATH --user NAME [--db URL]
      import the runs of a Strava bulk export (the ZIP or its folder)
  pacer discord-sync [--guild ID] [--db URL]
      upload the slash commands to Discord (one server only with --guild)

Each has its own --help. Settings come from the environment or .env (see .env.example)."""


def build_parser() -> argparse.ArgumentParser:
    """The options of ``pacer`` itself (the bot); ``--help`` also lists the subcommands."""
    parser = argparse.ArgumentParser(
        prog="pacer",
        description=DESCRIPTION,
        epilog=SUBCOMMANDS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--user", help="console: the local runner's name (default: OS user)")
    parser.add_argument("--db", help="database URL (default: DATABASE_URL or sqlite:///pacer.db)")
    parser.add_argument("--club", help="console: chat in this club's group (as an admin)")
    parser.add_argument("--member", action="store_true", help="console: in --club, not an admin")
    return parser


def main(argv: list[str] | None = None) -> None:
    """Run the bot: Telegram and Discord when tokens are set, else the console chat.

    ``pacer discord-sync [--guild ID]`` uploads the slash commands to Discord instead;
    ``pacer db upgrade`` applies the database migrations and exits;
    ``pacer import-strava PATH --user NAME`` imports a Strava bulk export.
    """
    argv = sys.argv[1:] if argv is None else argv
    named = (sub for sub in _PROGS if argv[: len(sub.split())] == sub.split())
    prog = " ".join(("pacer", next(named, ""))).strip()
    try:
        _main(argv)
    except UnsupportedUrl as error:  # --db or DATABASE_URL: one line, as a failed open says
        print(f"{prog}: {error}", file=sys.stderr)
        sys.exit(2)


# Each command's name as its one-line failures start ("pacer db upgrade: ..."), longest first.
_PROGS = ("db upgrade", "db", "import-strava", "discord-sync")


def _main(argv: list[str]) -> None:
    if argv[:2] == ["db", "upgrade"]:
        sys.exit(db_upgrade(argv[2:]))
    if argv and argv[0] == "db":  # "pacer db" alone or with --help: what it holds
        sys.exit(db_usage(argv[1:]))
    if argv[:1] == ["import-strava"]:
        command = importlib.import_module("bot.import_strava")
        heap.settle()  # the libraries are loaded: full collections walk only the import's
        sys.exit(command.main(argv[1:]))
    if argv[:1] == ["discord-sync"]:
        # Imported by name so that bot/ never imports discord itself.
        importlib.import_module("adapters.discord.sync").main(argv[1:])
        return
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.member and not args.club:
        parser.error("--member goes with --club")
    try:
        settings = Settings.from_env()
    except ValueError as error:
        parser.error(str(error))  # exits with a one-line message, not a traceback
    if args.user:
        settings = replace(settings, console_user=args.user)
    if args.db:
        settings = replace(settings, database_url=args.db)
    if args.club:
        settings = replace(settings, console_club=args.club, console_member=args.member)
    if not settings.console_user:
        settings = replace(settings, console_user=os.environ.get("USER") or "runner")
    # Keep the terminal chat readable unless a level is asked for.
    level = settings.log_level.upper() or ("WARNING" if settings.console_enabled else "INFO")
    logging.basicConfig(level=level, format=logs.FORMAT)
    app = build_app(settings)
    logs.install(logs.ProcessContext(settings.name, app.describe_roles))
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(app.run())
    except TokenRefused as refused:
        print(refused.line, file=sys.stderr)
        sys.exit(2)
    except DatabaseUnavailable as problem:
        print(problem.line, file=sys.stderr)
        sys.exit(2)
    except StartRefused as refused:
        print(f"pacer: {refused}", file=sys.stderr)
        sys.exit(2)


# Every migration of one run is in one transaction (PostgreSQL and SQLite both roll back DDL),
# so a stop part-way keeps nothing of it; a stop as the commit goes may keep all of it.
STOPPED = (
    "stopped by {signal} before it finished; the migrations run in one transaction, so "
    "nothing half-done is kept: run pacer db upgrade again to finish"
)


class UpgradeStop:
    """SIGTERM (``docker stop``: as PID 1 nothing else would end it) or SIGINT during
    ``pacer db upgrade``: the running statement is cancelled on the server, the transaction
    rolled back and the connections closed, within seconds (a wait for SQLite's write lock:
    up to its busy timeout). Once the migrations are committed a signal cancels nothing."""

    def __init__(self) -> None:
        self.by: signal.Signals | None = None
        self.committed = False

    def install(self) -> None:
        """Handle both signals on the running loop by cancelling the running task."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def stop(sig: signal.Signals) -> None:
            self.by = self.by or sig
            if not self.committed:
                task.cancel()

        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop, sig)


DB_COMMANDS = """\
commands:
  pacer db upgrade [--db URL]
      apply the database migrations and exit"""


def db_usage(argv: list[str]) -> int:
    """``pacer db`` without ``upgrade``: its usage, listing ``upgrade`` (``--help``: in full)."""
    parser = argparse.ArgumentParser(
        prog="pacer db",
        description="The database's commands.",
        epilog=DB_COMMANDS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=("upgrade",), help="upgrade: apply the migrations")
    parser.parse_args(argv)  # anything but upgrade (handled in main): usage, one error, exit 2
    return 2


def db_upgrade(argv: list[str]) -> int:
    """``pacer db upgrade [--db URL]``: bring the database to this release's schema."""
    parser = argparse.ArgumentParser(
        prog="pacer db upgrade",
        description="Bring the database to this release's schema (the migrations) and exit.",
    )
    parser.add_argument("--db", help="database URL (default: DATABASE_URL or sqlite:///pacer.db)")
    args = parser.parse_args(argv)
    url = args.db or Settings.from_env().database_url
    logging.basicConfig(level="WARNING", format="%(levelname)s %(name)s: %(message)s")

    stop = UpgradeStop()

    async def run() -> tuple[str | None, str | None]:
        stop.install()
        db = Database(url)
        await db.open(migrate=False)
        try:
            revisions = await upgrade(db.engine)
            stop.committed = True
            return revisions
        finally:
            await db.close()

    async_url(url)  # an unusable URL is one line (main), before any signal is taken
    try:
        before, after = asyncio.run(run())
    except asyncio.CancelledError:
        if stop.by is None:
            raise
        print(f"pacer db upgrade: {STOPPED.format(signal=stop.by.name)}", file=sys.stderr)
        return 128 + stop.by.value
    except Exception as error:
        line = explain(error, url)
        if line is not None:
            print(f"pacer db upgrade: {line}", file=sys.stderr)
            return 2
        if not isinstance(error, (ValueError, MigrationError, OSError)):
            raise
        print(f"pacer db upgrade: {error}", file=sys.stderr)
        return 1
    where = safe_url(url)
    if before == after:
        print(f"{where}: already at {after}, nothing to do")
    else:
        print(f"{where}: upgraded from {before or 'an empty database'} to {after}")
    return 0


if __name__ == "__main__":
    main()
