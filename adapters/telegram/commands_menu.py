"""The core's command list -> Telegram ``setMyCommands`` lists, one per chat scope."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
)
from telegram.constants import BotCommandLimit

from bot.core.commands import CommandSpec, Scope

log = logging.getLogger(__name__)

_VALID_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


def telegram_name_ok(spec: CommandSpec) -> bool:
    """Whether Telegram accepts the command name (lowercase letters, digits, ``_``)."""
    if _VALID_NAME.match(spec.name):
        return True
    log.warning("command %r cannot be a Telegram command; skipped", spec.name)
    return False


def _bot_commands(specs: Iterable[CommandSpec]) -> list[BotCommand]:
    out = []
    for spec in specs:
        desc = spec.description.strip() or spec.name
        desc = desc.ljust(BotCommandLimit.MIN_DESCRIPTION)[: BotCommandLimit.MAX_DESCRIPTION]
        out.append(BotCommand(spec.name, desc))
    return out[: BotCommandLimit.MAX_COMMAND_NUMBER]


def command_menus(specs: Iterable[CommandSpec]) -> list[tuple[BotCommandScope, list[BotCommand]]]:
    """Menus for private chats, for group members, and for group admins.

    Private chats list ANY and PRIVATE commands; groups list ANY and GROUP
    commands, the admin-only ones only for administrators.
    """
    usable = [s for s in specs if not s.hidden and telegram_name_ok(s)]
    private = [s for s in usable if s.scope in (Scope.ANY, Scope.PRIVATE)]
    group_all = [s for s in usable if s.scope in (Scope.ANY, Scope.GROUP)]
    group = [s for s in group_all if not s.admin_only]
    return [
        (BotCommandScopeAllPrivateChats(), _bot_commands(private)),
        (BotCommandScopeAllGroupChats(), _bot_commands(group)),
        (BotCommandScopeAllChatAdministrators(), _bot_commands(group_all)),
    ]


def telegram_commands(specs: Iterable[CommandSpec]) -> dict[str, CommandSpec]:
    """Commands by their Telegram name; grouped ones (``challenge create``) as one ``/challenge``.

    The core splits ``/challenge create ...`` itself; a group is admin-only on the
    menu only when every command in it is.
    """
    out: dict[str, CommandSpec] = {}
    groups: dict[str, list[CommandSpec]] = {}
    for spec in specs:
        if " " in spec.name:
            groups.setdefault(spec.name.split()[0], []).append(spec)
        elif telegram_name_ok(spec):
            out[spec.name] = spec
    for name, members in groups.items():
        if name in out:
            continue  # a command of that name of its own wins
        subs = ", ".join(m.name.split(" ", 1)[1] for m in members)
        out[name] = dataclasses.replace(
            members[0],
            name=name,
            description=f"{name.capitalize()}: {subs}",
            options=(),
            admin_only=all(m.admin_only for m in members),
            text_parser=None,
        )
    return out
