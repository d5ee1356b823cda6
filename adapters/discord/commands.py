"""Slash commands built from the core's command list (``bot.core.commands.COMMANDS``).

Each ``OptionSpec`` becomes a discord.py ``Transformer`` (its public extension
point) that declares the option's type, choices, bounds and autocomplete and
hands the core the value as a string. The callback's signature is generated
from the spec, so discord.py builds and validates the parameters itself.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any, Protocol

import discord
from discord import app_commands
from discord.app_commands import AppCommandContext, AppInstallationType

from bot.core.commands import CommandSpec, OptionSpec, OptionType, Scope, public_commands

MAX_DESCRIPTION = 100
MAX_CHOICES = 25
MAX_STRING_LENGTH = 6000

_OPTION_TYPES = {
    OptionType.STRING: discord.AppCommandOptionType.string,
    OptionType.INTEGER: discord.AppCommandOptionType.integer,
    OptionType.NUMBER: discord.AppCommandOptionType.number,
    OptionType.ATTACHMENT: discord.AppCommandOptionType.attachment,
    OptionType.CHANNEL: discord.AppCommandOptionType.channel,
}

AppChoice = app_commands.Choice[int | float | str]
Callback = Callable[..., Coroutine[Any, Any, None]]


class CommandRunner(Protocol):
    """What the generated commands call: the adapter's interaction handler."""

    async def run_command(
        self,
        interaction: discord.Interaction,
        spec: CommandSpec,
        options: Mapping[str, str | discord.Attachment],
    ) -> None:
        """Run ``spec`` with the given option values (files as Discord attachments)."""
        ...

    async def suggest(
        self,
        interaction: discord.Interaction,
        spec: CommandSpec,
        option: OptionSpec,
        partial: str,
        options: Mapping[str, str],
    ) -> list[AppChoice]:
        """Autocomplete suggestions for ``option``."""
        ...


def short(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """Fit a description into Discord's limit."""
    text = text.strip() or "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def option_value_text(value: object) -> str:
    """An option value as the core expects it: a string, ``7`` rather than ``7.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def namespace_options(interaction: discord.Interaction) -> dict[str, str]:
    """The options typed so far (during autocomplete), as strings."""
    return {
        name: option_value_text(value)
        for name, value in interaction.namespace
        if value is not None and value != ""
    }


class OptionTransformer(app_commands.Transformer):
    """One core option as a Discord option: its type, bounds and fixed choices."""

    def __init__(self, option: OptionSpec) -> None:
        self.option = option

    @property
    def type(self) -> discord.AppCommandOptionType:
        return _OPTION_TYPES[self.option.type]

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        if self.option.type is OptionType.CHANNEL:
            return [discord.ChannelType.text, discord.ChannelType.news]
        return []

    @property
    def min_value(self) -> int | float | None:
        if self.option.type in (OptionType.STRING, OptionType.CHANNEL):
            return None  # for strings discord.py sends this as min_length
        return self._number(self.option.min_value)

    @property
    def max_value(self) -> int | float | None:
        if self.option.type is OptionType.STRING:
            length = self.option.max_length
            return min(length, MAX_STRING_LENGTH) if length is not None else None
        return self._number(self.option.max_value)

    @property
    def choices(self) -> list[AppChoice] | None:
        if not self.option.choices or len(self.option.choices) > MAX_CHOICES:
            return None
        values: list[AppChoice] = []
        for value in self.option.choices:
            if self.option.type is OptionType.INTEGER:
                values.append(app_commands.Choice(name=value, value=int(value)))
            elif self.option.type is OptionType.NUMBER:
                values.append(app_commands.Choice(name=value, value=float(value)))
            else:
                values.append(app_commands.Choice(name=value, value=value))
        return values

    @property
    def _error_display_name(self) -> str:
        return self.option.name

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Any:
        """Hand the core a string, whatever Discord typed it as.

        A file stays a file (the handler downloads it), a channel becomes ``<#id>``.
        """
        if isinstance(value, discord.Attachment):
            return value  # the handler downloads it
        if self.option.type is OptionType.CHANNEL and hasattr(value, "id"):
            return f"<#{value.id}>"
        return option_value_text(value)

    def _number(self, value: float | None) -> int | float | None:
        if value is None:
            return None
        return int(value) if self.option.type is OptionType.INTEGER else value


class SuggestingTransformer(OptionTransformer):
    """An option whose values are suggested while typing."""

    def __init__(self, spec: CommandSpec, option: OptionSpec, runner: CommandRunner) -> None:
        super().__init__(option)
        self.spec = spec
        self.runner = runner

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: int | float | str, /
    ) -> list[AppChoice]:
        """Suggestions from the core (or, for long fixed lists, the matching choices)."""
        partial = option_value_text(value)
        if self.option.choices and not self.option.autocomplete:
            return local_suggestions(self.option.choices, partial)
        options = namespace_options(interaction)
        return await self.runner.suggest(interaction, self.spec, self.option, partial, options)


def local_suggestions(choices: Sequence[str], partial: str) -> list[AppChoice]:
    """Fixed choices matching what was typed, for lists longer than Discord's 25."""
    typed = partial.strip().lower()
    found: list[AppChoice] = [
        app_commands.Choice(name=c, value=c) for c in choices if typed in c.lower()
    ]
    return found[:MAX_CHOICES]


def transformer_for(
    spec: CommandSpec, option: OptionSpec, runner: CommandRunner
) -> OptionTransformer:
    """Fixed choices when they fit (Discord forbids choices plus autocomplete), else suggestions."""
    fits = 0 < len(option.choices) <= MAX_CHOICES
    if fits or (not option.autocomplete and not option.choices):
        return OptionTransformer(option)
    return SuggestingTransformer(spec, option, runner)


def make_callback(spec: CommandSpec, runner: CommandRunner) -> Callback:
    """A callback whose signature lists the spec's options, for discord.py to read."""

    async def callback(
        interaction: discord.Interaction, **values: str | discord.Attachment | None
    ) -> None:
        options = {name: value for name, value in values.items() if value is not None}
        await runner.run_command(interaction, spec, options)

    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for option in spec.options:
        parameters.append(
            inspect.Parameter(
                option.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=transformer_for(spec, option, runner),
                # "Required unless" options are optional to Discord; the core checks them.
                default=inspect.Parameter.empty if option.required and not option.unless else None,
            )
        )
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__name__ = callback.__qualname__ = f"pacer_{spec.name.replace(' ', '_')}"
    descriptions = {option.name: short(option.description) for option in spec.options}
    if descriptions:
        callback = app_commands.describe(**descriptions)(callback)
    return callback


def contexts_for(spec: CommandSpec) -> AppCommandContext:
    """Where Discord offers the command: servers, the bot DM, other private chats."""
    if spec.admin_only:
        return AppCommandContext(guild=True)
    if spec.scope is Scope.PRIVATE:
        return AppCommandContext(dm_channel=True)
    if spec.scope is Scope.GROUP:
        return AppCommandContext(guild=True, private_channel=True)
    return AppCommandContext(guild=True, dm_channel=True, private_channel=True)


def installs() -> AppInstallationType:
    """Installable to a server and to a user's account (Pacer in DMs without a shared server)."""
    return AppInstallationType(guild=True, user=True)


def split_group(name: str, names: Iterable[str]) -> tuple[str, str] | None:
    """``("challenge", "create")`` for ``challenge create`` or a shared ``challenge_`` prefix."""
    if " " in name:
        group, _, sub = name.partition(" ")
        return group, sub.replace(" ", "_")
    if "_" in name:
        prefix, _, sub = name.partition("_")
        siblings = [n for n in names if n != name and n.startswith(prefix + "_")]
        if siblings:
            return prefix, sub
    return None


def build_commands(
    runner: CommandRunner, specs: Sequence[CommandSpec] | None = None
) -> list[app_commands.Command[Any, ..., None] | app_commands.Group]:
    """Top-level slash commands for ``specs`` (default: the core's public commands)."""
    specs = public_commands() if specs is None else specs
    names = [s.name for s in specs]
    top: list[app_commands.Command[Any, ..., None] | app_commands.Group] = []
    groups: dict[str, app_commands.Group] = {}
    members: dict[str, list[CommandSpec]] = {}
    for spec in specs:
        parts = split_group(spec.name, names)
        if parts is None:
            top.append(_command(spec, runner, spec.name, parent=None))
            continue
        group_name, sub_name = parts
        if group_name not in groups:
            groups[group_name] = app_commands.Group(
                name=group_name,
                description=short(f"{group_name.capitalize()} commands"),
                allowed_contexts=contexts_for(spec),
                allowed_installs=installs(),
            )
            top.append(groups[group_name])
            members[group_name] = []
        members[group_name].append(spec)
        _command(spec, runner, sub_name, parent=groups[group_name])
    for group_name, group in groups.items():
        # A group is one command to Discord: admin-only only if every member is.
        if all(s.admin_only for s in members[group_name]):
            group.default_permissions = discord.Permissions(manage_guild=True)
            group.allowed_contexts = AppCommandContext(guild=True)
    return top


def _command(
    spec: CommandSpec, runner: CommandRunner, name: str, *, parent: app_commands.Group | None
) -> app_commands.Command[Any, ..., None]:
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=name,
        description=short(spec.description),
        callback=make_callback(spec, runner),
        parent=parent,
        allowed_contexts=contexts_for(spec) if parent is None else None,
        allowed_installs=installs() if parent is None else None,
        extras={"pacer_command": spec.name},
    )
    if spec.admin_only and parent is None:
        command.default_permissions = discord.Permissions(manage_guild=True)
    if parent is not None:
        parent.add_command(command)
    return command


def install_commands(
    tree: app_commands.CommandTree[Any],
    runner: CommandRunner,
    specs: Sequence[CommandSpec] | None = None,
    *,
    guild: discord.abc.Snowflake | None = None,
) -> None:
    """Add the Pacer commands to ``tree`` (globally, or to one guild for development)."""
    for command in build_commands(runner, specs):
        tree.add_command(command, guild=guild)


def schema(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None = None
) -> list[dict[str, Any]]:
    """The JSON discord.py sends when syncing ``tree`` (without translations)."""
    payload = [command.to_dict(tree) for command in tree.get_commands(guild=guild)]
    return sorted(payload, key=lambda c: (str(c.get("name")), int(c.get("type", 1))))


def schema_hash(payload: list[dict[str, Any]]) -> str:
    """A stable fingerprint of a command schema."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
