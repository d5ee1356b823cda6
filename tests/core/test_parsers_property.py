"""Every text parser over arbitrary Unicode: it reads the input or refuses it with BadInput.

Nothing else may escape (no ValueError from ``int()``, no OverflowError, no
KeyError), and a chat over a sample of commands never answers "Sorry, something
went wrong" nor logs a fault, nor echoes control characters back.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import dates, daytimes, input_hygiene, parsing
from bot.core.commands import COMMANDS, SETTINGS_ITEMS, split_text
from bot.core.nudge_handlers import parse_kind
from bot.core.options import validate_options
from bot.errors import BadInput
from bot.services.habits import parse_hold, parse_sets
from bot.services.profile import parse_quiet_hours, read_setting
from tests.fakes import Harness

TODAY = date(2026, 11, 26)

# Arbitrary Unicode (surrogates included), plus the inputs that broke things once.
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None), max_size=40),
    st.from_regex(r"[0-9٠-٩²①５:.,hms kmi+-]{0,12}", fullmatch=True),
    st.integers(min_value=0).map(str),
    st.sampled_from(["²", "①", "٥k", "١", "9" * 25, "1" * 5000 + "m", "\x00", "\ud800"]),
)

PARSERS: dict[str, Callable[[str], Any]] = {
    "distance": parsing.parse_distance,
    "distance_mi": lambda t: parsing.parse_distance(t, "mi"),
    "duration": parsing.parse_duration,
    "when": lambda t: dates.parse_when(t, TODAY),
    "future_date": lambda t: dates.parse_future_date(t, TODAY),
    "hours": daytimes.parse_hours,
    "clock": daytimes.parse_clock,
    "bedtime": daytimes.parse_bedtime,
    "days": dates.parse_days,
    "timezone": parsing.parse_timezone,
    "int": lambda t: input_hygiene.parse_int(t, "It"),
    "number": lambda t: input_hygiene.parse_number(t, "It"),
    "digits": input_hygiene.check_digits,
    "hold": parse_hold,
    "sets": lambda t: parse_sets(t, "kg"),
    "quiet_hours": parse_quiet_hours,
    "kind": parse_kind,
    **{f"setting_{item}": functools.partial(read_setting, item) for item in SETTINGS_ITEMS},
}
NUMERIC = {"distance", "duration", "hours", "clock", "int", "number", "hold", "sets"}


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=150, deadline=None)
@given(text=TEXT)
@example(text="²")
@example(text="①")
@example(text="٥")
@example(text="9" * 5000)
def test_a_parser_reads_or_refuses(name: str, text: str) -> None:
    try:
        PARSERS[name](text)
    except BadInput as error:
        assert error.message and len(str(error)) < 400
    else:
        if name in NUMERIC:  # a number was read: it was typed with 0-9
            assert not any(c.isdigit() and c not in "0123456789" for c in text)


@settings(max_examples=200, deadline=None)
@given(text=TEXT, spec=st.sampled_from(COMMANDS))
def test_splitting_and_checking_options_reads_or_refuses(text: str, spec: Any) -> None:
    with contextlib.suppress(BadInput):
        validate_options(spec, split_text(spec, text))


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_cleaned_text_has_nothing_that_can_hide_or_break(text: str) -> None:
    clean = input_hygiene.clean_text(text)
    clean.encode("utf-8")  # no lone surrogates
    for ch in clean:
        assert unicodedata.category(ch) not in {"Cc", "Cs"}
        assert ch not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    quoted = input_hygiene.quote(text)
    assert len(quoted) <= input_hygiene.QUOTE_CHARS and "\n" not in quoted


@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=30))
def test_zone_suggestions_never_fail(text: str) -> None:
    assert len(parsing.suggest_zones(text, 5)) <= 5


class _Faults(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def faults_logged() -> Iterator[_Faults]:
    handler = _Faults()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


LINES = [
    "/log {}",
    "/log 5k {}",
    "/log {} 25:00",
    "/log 5k 25:00 {}",
    "/runs {}",
    "/delete {}",
    "/slept {}",
    "/mobility {}",
    "/strength plank {}",
    "/strength deadlift {}",
    "/fuel {}",
    "/settings {}",
    "/settings timezone {}",
    "/settings fuel_delay {}",
    "/settings quiet_hours {}",
    "/bedtime {}",
    "/race {}",
    "/pause {}",
    "/nudges {}",
    "/nudge done {}",
    "/nudge snooze {} 20m",
    "/link {}",
    "/help {}",
    "/start {}",
    "{}",
    "/{}",
]


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(line=st.sampled_from(LINES), text=TEXT)
async def test_no_typed_line_is_a_fault(harness: Harness, line: str, text: str) -> None:
    chat = harness.chat("prop")
    with faults_logged() as faults:
        reply = await chat.say(line.format(text))
    assert "something went wrong" not in reply.text, (line, text, reply.text)
    assert not faults.records, [r.getMessage() for r in faults.records]
    for ch in reply.text:
        assert ch == "\n" or unicodedata.category(ch) not in {"Cc", "Cs"}, (line, text)
    assert len(reply.text) < 2000
