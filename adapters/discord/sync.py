"""Command sync: on demand (``python -m adapters.discord.sync``) or when the schema changed.

Discord rate-limits command registration, so Pacer does not sync on every
start. The hash of the last synced schema is kept in the database (table
``synced_commands``), so every process on every machine knows it; the
elected Discord process syncs only when the current schema hashes
differently for the same scope (global, or one development guild).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

import discord
from discord import app_commands

from adapters.discord.client import PacerClient
from adapters.discord.commands import AppChoice, install_commands, schema, schema_hash
from adapters.discord.endpoints import apply_endpoints
from bot.clock import SystemClock
from bot.config import Settings
from bot.core.commands import CommandSpec, OptionSpec
from bot.ports import SyncedSchemas
from bot.services.command_sync import CommandHashes
from bot.storage.database import Database

log = logging.getLogger(__name__)


def scope_key(guild_id: int | None, application_id: int | None = None) -> str:
    """``<app id>/global`` or ``<app id>/guild:<id>``: a hash is only valid for one application.

    Commands belong to an application: after switching ``DISCORD_TOKEN`` to
    another bot next to the same database, the new one must still be synced.
    """
    scope = "global" if guild_id is None else f"guild:{guild_id}"
    return scope if application_id is None else f"{application_id}/{scope}"


def _application_id(tree: app_commands.CommandTree[Any]) -> int | None:
    """The application the tree's commands are registered for (known after login)."""
    application_id: int | None = tree.client.application_id
    return application_id


async def sync_tree(
    tree: app_commands.CommandTree[Any], guild_id: int | None, hashes: SyncedSchemas | None
) -> int:
    """Upload ``tree``'s commands for one scope and record the schema hash."""
    guild = discord.Object(id=guild_id) if guild_id is not None else None
    digest = schema_hash(schema(tree, guild))
    synced = await tree.sync(guild=guild)
    if hashes is not None:
        await hashes.record(scope_key(guild_id, _application_id(tree)), digest)
    log.info("synced %d discord commands (%s)", len(synced), scope_key(guild_id))
    return len(synced)


async def sync_if_changed(
    tree: app_commands.CommandTree[Any], guild_id: int | None, hashes: SyncedSchemas | None
) -> bool:
    """Sync only when the schema differs from the last one synced for this scope."""
    guild = discord.Object(id=guild_id) if guild_id is not None else None
    digest = schema_hash(schema(tree, guild))
    key = scope_key(guild_id, _application_id(tree))
    if hashes is not None and await hashes.synced(key) == digest:
        log.info("discord commands unchanged (%s); not syncing", key)
        return False
    await sync_tree(tree, guild_id, hashes)
    return True


class _NoRunner:
    """Commands built only to be uploaded are never run."""

    async def run_command(
        self, interaction: discord.Interaction, spec: CommandSpec, options: Any
    ) -> None:
        raise RuntimeError("sync-only client cannot run commands")

    async def suggest(
        self,
        interaction: discord.Interaction,
        spec: CommandSpec,
        option: OptionSpec,
        partial: str,
        options: Any,
    ) -> list[AppChoice]:
        return []


def parse_id(value: str) -> int | None:
    """A Discord id setting, or None when empty."""
    return int(value) if value.strip() else None


async def sync_commands(settings: Settings | None = None, *, guild_id: int | None = None) -> int:
    """Log in over REST only and sync the slash commands; returns how many were synced.

    ``guild_id`` (default: ``DISCORD_DEV_GUILD_ID`` if set) syncs to one server,
    where changes show instantly; otherwise the commands are synced globally.
    """
    settings = settings or Settings.from_env()
    if not settings.discord_token:
        raise SystemExit("DISCORD_TOKEN is not set")
    if guild_id is None:
        guild_id = parse_id(settings.discord_dev_guild_id)
    restore = apply_endpoints(settings.discord_api_base, settings.discord_gateway_url)
    app_id = parse_id(settings.discord_application_id)
    client = PacerClient(None, application_id=app_id)
    guild = discord.Object(id=guild_id) if guild_id is not None else None
    install_commands(client.tree, _NoRunner(), guild=guild)
    db = Database(settings.database_url)
    try:
        await db.open()
        await client.login(settings.discord_token)
        return await sync_tree(client.tree, guild_id, CommandHashes(db, SystemClock()))
    finally:
        await client.close()
        await db.close()
        restore()


def main(argv: list[str] | None = None) -> None:
    """``python -m adapters.discord.sync [--guild ID]``."""
    parser = argparse.ArgumentParser(
        prog="pacer discord-sync", description="Upload Pacer's slash commands to Discord."
    )
    parser.add_argument(
        "--guild", type=int, help="sync to this server only (instant; for development)"
    )
    parser.add_argument("--db", help="database URL (the schema hash is recorded there)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.db:
        from dataclasses import replace

        settings = replace(settings, database_url=args.db)
    if not settings.discord_token:
        print("pacer discord-sync: DISCORD_TOKEN is not set; nothing was uploaded", file=sys.stderr)
        sys.exit(2)
    logging.basicConfig(
        level=settings.log_level.upper() or "INFO", format="%(levelname)s %(name)s: %(message)s"
    )
    count = asyncio.run(sync_commands(settings, guild_id=args.guild))
    print(f"synced {count} commands")


if __name__ == "__main__":
    main()
