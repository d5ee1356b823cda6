"""``python -m bot`` / ``pacer``: run Pacer."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import sys
from dataclasses import replace

from bot.app import build_app
from bot.config import Settings


def main(argv: list[str] | None = None) -> None:
    """Run the bot: Telegram and Discord when tokens are set, else the console chat.

    ``pacer discord-sync [--guild ID]`` uploads the slash commands to Discord instead.
    """
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["discord-sync"]:
        # Imported by name so that bot/ never imports discord itself.
        importlib.import_module("adapters.discord.sync").main(argv[1:])
        return
    parser = argparse.ArgumentParser(
        prog="pacer", description=__doc__, epilog="pacer discord-sync --help: command sync"
    )
    parser.add_argument("--user", help="console: the local runner's name (default: OS user)")
    parser.add_argument("--db", help="database URL (default: DATABASE_URL or sqlite:///pacer.db)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        parser.error(str(error))  # exits with a one-line message, not a traceback
    if args.user:
        settings = replace(settings, console_user=args.user)
    if args.db:
        settings = replace(settings, database_url=args.db)
    if not settings.console_user:
        settings = replace(settings, console_user=os.environ.get("USER") or "runner")
    # Keep the terminal chat readable unless a level is asked for.
    level = settings.log_level.upper() or ("WARNING" if settings.console_enabled else "INFO")
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app = build_app(settings)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(app.run())


if __name__ == "__main__":
    main()
