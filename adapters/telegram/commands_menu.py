"""The core's command list -> Telegram ``setMyCommands`` lists, one per chat scope."""

from __future__ import annotations

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
