"""Every word of the command layer: /help, and what any command may be told before it runs.

/help (the list, a group, one command) laid out from the one command list (each
command's description, usage and examples are declared in ``commands.py``); an unknown
command, a command in the wrong place or not an admin's, options that do not fit the
command list (``options.py`` checks them), a message too long, a button pressed by
someone else, and the apology for a fault.
The words of each capability are in ``bot/texts/`` (clubs: ``bot/clubs/texts/``,
what a nudge says: ``bot/nudges/texts.py``).
"""

from __future__ import annotations

import difflib

from bot.core.commands import CommandSpec, OptionSpec, public_commands
from bot.errors import BadInput, NotAllowed
from bot.input_hygiene import quote

APOLOGY = (
    "Sorry, something went wrong on my side. Please try again in a moment "
    "(/runs and /week show what was saved)."
)


def command_help(spec: CommandSpec) -> str:
    """``/help log``: one command in detail."""
    lines = [f"/{spec.name}: {spec.description}", f"Usage: {spec.usage}"]
    for opt in spec.options:
        need = "required" if opt.required else "optional"
        shown = spec.usage + opt.description
        choices = [c for c in opt.choices or () if c not in shown]
        listed = f" (one of: {', '.join(opt.choices or ())})" if choices else ""
        lines.append(f"  {opt.name} ({need}): {opt.description}{listed}")
    if spec.help:
        lines.append(spec.help)
    if spec.examples:
        lines.append("Examples: " + " · ".join(spec.examples))
    return "\n".join(lines)


def command_list() -> str:
    """``/help``: every command, a group as one line."""
    lines = ["Pacer commands:"]
    groups: set[str] = set()
    for c in public_commands():
        group, _, sub = c.name.partition(" ")
        if not sub:
            lines.append(f"/{c.name}: {c.description}")
        elif group not in groups:  # a group is one line: /help <group> lists it
            groups.add(group)
            subs = "|".join(s.name.split(" ", 1)[1] for s in public_commands()
                            if s.name.startswith(group + " "))  # fmt: skip
            lines.append(f"/{group} {subs}: {GROUP_TITLES[group].split(': ', 1)[1]} "
                         f"(/help {group})")  # fmt: skip
    lines.append("/help <command> explains one.")
    return "\n".join(lines)


# Typed in the console chat, these end it (adapters/console); there they are no command.
CONSOLE_ENDINGS = ("quit", "exit")
CONSOLE_QUIT = "/quit or /exit (or Ctrl-D) ends the console chat."


def no_such_command(name: str) -> BadInput:
    """``/help`` of a command that does not exist (``name`` quoted already)."""
    return BadInput(f"There's no /{name}.", hint="/help lists every command.")


GROUP_TITLES = {
    "club": "/club: this club's settings (the admins') and what it shows",
    "challenge": "/challenge: the club's challenges: race on distance, time or the habits",
}


def group_help(group: str) -> str:
    """``/help challenge``: every subcommand of a group, with its usage and examples."""
    subs = [c for c in public_commands() if c.name.startswith(group + " ")]
    lines = [GROUP_TITLES.get(group, f"/{group}:")]
    for spec in subs:
        admins = " (admins)" if spec.admin_only and "(admins" not in spec.description else ""
        lines.append(f"{spec.usage}: {spec.description}{admins}")
    examples = [e for spec in subs for e in spec.examples[:1]]
    if examples:
        lines.append("Examples: " + " · ".join(examples))
    richest = max(subs, key=lambda spec: len(spec.options))
    lines.append(f"/help <command> explains one, e.g. /help {richest.name}")
    return "\n".join(lines)


def unknown_command(name: str) -> BadInput:
    """A command Pacer does not have, with the closest one suggested."""
    names = [c.name for c in public_commands()]
    close = difflib.get_close_matches(name[:64].lower(), names, n=1, cutoff=0.5)
    hint = f" Did you mean /{close[0]}?" if close else ""
    return BadInput(f"I don't know /{quote(name)}.{hint} /help lists everything I can do.")


def private_only(name: str) -> NotAllowed:
    """A private command typed in a group."""
    return NotAllowed(f"/{name} works in a private chat with me.")


def group_only(name: str) -> NotAllowed:
    """A club command typed in private."""
    return NotAllowed(
        f"/{name} works in a group or server channel.",
        hint="Clubs live in their Discord server or Telegram group; runs you log "
        "here count there too.",
    )


ADMIN_HINTS = {
    "telegram": "On Telegram that's the group's administrators.",
    "discord": "On Discord that's members with the Manage Server permission.",
}


def admins_only(name: str, platform: str) -> NotAllowed:
    """An admin's command typed by a member."""
    return NotAllowed(f"Only admins can use /{name} here.", hint=ADMIN_HINTS.get(platform, ""))


def not_yours(whose: str, under_a_run: bool) -> str:
    """A press on someone else's button (``whose``: their name, or "another runner");
    ``under_a_run``: a button of a logged run's reply, which a run of one's own brings."""
    tail = " Log your own run with /log 5k 25:00 to get yours." if under_a_run else ""
    return f"That button is for {whose}: it answers only them, so I did nothing.{tail}"


# --- options that do not fit the command list (checked by options.py) --------------------------


def message_too_long(size: int, most: int) -> BadInput:
    """A message longer than any platform sends: refused whole."""
    return BadInput(
        f"That message is {size:,} characters long; I read up to {most:,}. Nothing was saved."
    )


def unexpected(extra: str, spec: CommandSpec) -> BadInput:
    """Words past a command's last option (``extra`` quoted already)."""
    return BadInput(f"I didn't expect '{extra}' there.", hint=f"Usage: {spec.usage}")


def no_such_option(spec: CommandSpec, name: str) -> BadInput:
    """A typed option the command does not have (``name`` quoted already)."""
    return BadInput(f"/{spec.name} has no option '{name}'.", hint=f"Usage: {spec.usage}")


def option_needed(spec: CommandSpec, option: OptionSpec) -> BadInput:
    """A required option left out, said as its ``needed``: an example and the usage."""
    example = next((e for e in spec.examples if " " in e), "")
    return BadInput(
        f"/{spec.name} needs {option.needed}.",
        hint=(f"For example: {example}\n" if example else "") + f"Usage: {spec.usage}",
    )


def not_a_choice(
    spec: CommandSpec,
    choices: tuple[str, ...],
    value: str,
    explained: str | None,
    close: str | None,
) -> BadInput:
    """A value that is none of the option's choices (``value`` quoted already)."""
    guess = f"Did you mean {close}? " if close else ""
    if explained:  # a known mix-up says what it is instead
        guess = f"{explained} "
    # Named by the command, not the option (a runner never sees "which").
    known_choices = ", ".join(choices[:-1]) + f" or {choices[-1]}"
    if len(choices) == 1:
        known_choices = choices[0]
    return BadInput(
        f"/{spec.name} knows {known_choices} there; not '{value}'.",
        hint=f"{guess}Usage: {spec.usage}",
    )


def too_small(option: str, least: float, unit: str = "") -> BadInput:
    """A number under the option's bound (``unit``: what it counts, e.g. minutes)."""
    said = f"{least:g} {unit}".strip()
    return BadInput(f"{option.replace('_', ' ').capitalize()} must be at least {said}.")


def too_big(option: str, most: float, unit: str = "") -> BadInput:
    """A number over the option's bound (``unit``: what it counts, e.g. minutes)."""
    said = f"{most:g} {unit}".strip()
    return BadInput(f"{option.replace('_', ' ').capitalize()} can be at most {said}.")


def too_long(spec: CommandSpec, most: int, length: int) -> BadInput:
    """Text past the option's length."""
    return BadInput(
        f"/{spec.name}: that can be up to {most} characters; yours has "
        f"{length:,}. Nothing was saved.",
        hint="Shorten it and try again.",
    )
