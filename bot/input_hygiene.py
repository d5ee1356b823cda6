"""Input hygiene every parser applies: which digits, how many, what free text may hold.

Numbers are typed with the digits 0-9: other scripts' digits (Arabic-Indic,
Devanagari, fullwidth, superscripts, circled numbers) are refused with a message
that says so, never read (``\\d`` and ``str.isdigit`` accept them, ``int("٥")`` reads
5 and ``int("²")`` fails). Free text is stored and echoed without anything that
can hide, reorder or break it. A refusal quotes at most a short excerpt.
"""

from __future__ import annotations

import re
import unicodedata

from bot.errors import BadInput

ASCII_DIGITS = frozenset("0123456789")
# Nothing a runner types (an id, minutes, metres) needs more digits, and int() of a
# longer one is slow or fails (over 4,300 digits).
MAX_NUMBER_DIGITS = 18
# Ids are INTEGER columns: 32-bit on PostgreSQL. A larger one is refused, never queried.
MAX_ID = 2**31 - 1
QUOTE_CHARS = 40  # how much of the input a refusal quotes back
# Terminal escape sequences (CSI ... final byte, OSC ... BEL/ST) and single ESC codes.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
# Bidirectional overrides and isolates: they make stored text display out of order.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LONG_NUMBER = re.compile(rf"[0-9]{{{MAX_NUMBER_DIGITS + 1},}}")


def clean_text(text: str) -> str:
    """Free text as it may be stored and echoed: no control characters, escapes or overrides.

    Terminal escape sequences, NUL and other control characters, bidi overrides
    and lone surrogates (invalid UTF-8 smuggled in) are removed; line breaks and
    tabs become spaces. Letters, emoji and joiners are kept as typed.
    """
    if text.isprintable() and text.isascii():
        return text  # the common case, cheaply
    text = _ESCAPES.sub("", text)
    kept = []
    for ch in text:
        if ch in "\t\n\r\x0b\x0c\x85\u2028\u2029":
            kept.append(" ")
            continue
        category = unicodedata.category(ch)
        if category in {"Cc", "Cs"} or ch in _BIDI:
            continue
        kept.append(ch)
    return "".join(kept)


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """What the runner typed, for a refusal: cleaned, on one line, at most ``limit`` characters."""
    short = text[: limit * 4]  # a 5 MB input is never cleaned whole just to quote it
    line = " ".join(clean_text(short).split())
    if len(line) > limit or len(short) < len(text):
        return line[: limit - 1].rstrip() + "…"
    return line


def check_digits(text: str) -> None:
    """Refuse digits other than 0-9, and numbers too long to be meant.

    Called by every parser that reads a number, before any regex or ``int()``:
    ``\\d`` and ``str.isdigit`` accept other scripts' digits, and ``int()`` of
    ``²`` fails while ``int("٥")`` quietly reads 5.
    """
    for ch in text:
        if ch not in ASCII_DIGITS and (ch.isdigit() or ch.isnumeric()):
            raise BadInput(
                f"I read numbers typed with the digits 0-9 only; '{quote(ch)}' in "
                f"'{quote(text)}' isn't one of them.",
                hint="Type the number again with 0-9.",
            )
    if _LONG_NUMBER.search(text):
        raise BadInput(
            f"'{quote(text)}' has a number too large for me (over {MAX_NUMBER_DIGITS} digits).",
            hint="Check the number and try again.",
        )


def parse_int(text: str, what: str, *, low: int | None = None, high: int | None = MAX_ID) -> int:
    """A whole number typed with 0-9, within ``low``..``high`` (an id fits the database)."""
    raw = text.strip()
    check_digits(raw)
    if not re.fullmatch(r"[+-]?[0-9]+", raw):
        raise BadInput(f"{what} must be a number (a whole one); not '{quote(text)}'.")
    number = int(raw)
    if low is not None and number < low:
        raise BadInput(f"{what} must be at least {low}.")
    if high is not None and number > high:
        raise BadInput(f"{what} can be at most {high}.")
    return number


def parse_number(text: str, what: str) -> float:
    """A decimal number typed with 0-9 (``7.5`` or ``7,5``)."""
    raw = text.strip()
    check_digits(raw)
    if not re.fullmatch(r"[+-]?[0-9]+(?:[.,][0-9]+)?", raw):
        raise BadInput(f"{what} must be a number; not '{quote(text)}'.")
    return float(raw.replace(",", "."))
