"""What was typed, checked before any handler reads it: clean text, then options against
the command list (required, choices, numbers, lengths)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import replace

from bot.core import texts
from bot.core.commands import CommandSpec, OptionType
from bot.input_hygiene import MAX_ID, clean_text, parse_int, parse_number, quote
from bot.messages import Incoming

# Far more than any platform sends (Telegram: 4,096 characters): a longer message (the
# console, a forged request) is refused before it is read. Shorter ones get the specific
# answer of what they overflow (a note over 500 characters...).
MAX_INPUT_CHARS = 65_536


def clean_incoming(incoming: Incoming) -> Incoming:
    """What was typed, as every handler may read, store and echo it (the input rules).

    A message longer than any platform sends is refused whole; control characters,
    terminal escapes, bidi overrides and lone surrogates are removed from the text,
    the option values and the display name before anything reads them.
    """
    size = len(incoming.text) + sum(len(str(v)) for v in (incoming.options or {}).values())
    if size > MAX_INPUT_CHARS:
        raise texts.message_too_long(size, MAX_INPUT_CHARS)
    options = incoming.options
    if options is not None:
        options = {clean_text(str(k)): clean_text(str(v)) for k, v in options.items()}
    command = clean_text(incoming.command[:64])
    text = clean_text(incoming.text)
    name = clean_text(incoming.display_name[:100]).strip()
    if (command, text, options, name) == (
        incoming.command,
        incoming.text,
        incoming.options,
        incoming.display_name,
    ):
        return incoming  # already clean: most messages
    return replace(incoming, command=command, text=text, options=options, display_name=name)


def validate_options(spec: CommandSpec, args: Mapping[str, str]) -> dict[str, str]:
    """Check options against the command list: required, choices, numbers, lengths."""
    values = dict(args)
    extra = values.pop("_extra", None)
    if extra:
        raise texts.unexpected(quote(extra), spec)
    known = {o.name for o in spec.options}
    for name in values:
        if name not in known:
            raise texts.no_such_option(spec, quote(name))
    for opt in spec.options:
        value = values.get(opt.name, "").strip()
        if not value:
            if opt.required and not (opt.unless and values.get(opt.unless, "").strip()):
                raise texts.option_needed(spec, opt)
            values.pop(opt.name, None)
            continue
        if opt.choices:
            normal = value.lower().replace(" ", "-").replace("_", "-")
            match = next((c for c in opt.choices if c.replace("_", "-") == normal), None)
            if match is None:
                close = difflib.get_close_matches(normal, opt.choices, n=1, cutoff=0.5)
                explained = dict(opt.not_choices).get(normal)
                raise texts.not_a_choice(
                    spec, opt.choices, quote(value), explained, close[0] if close else None
                )
            value = match
        if opt.type in (OptionType.INTEGER, OptionType.NUMBER):
            what = opt.name.replace("_", " ").capitalize()
            number: float = (
                parse_number(value, what)
                if opt.type is OptionType.NUMBER
                else parse_int(value, what, high=None if opt.max_value is not None else MAX_ID)
            )
            if opt.min_value is not None and number < opt.min_value:
                raise texts.too_small(opt.name, opt.min_value, opt.unit)
            if opt.max_value is not None and number > opt.max_value:
                raise texts.too_big(opt.name, opt.max_value, opt.unit)
        if opt.max_length is not None and len(value) > opt.max_length:
            raise texts.too_long(spec, opt.max_length, len(value))
        values[opt.name] = value
    return values
