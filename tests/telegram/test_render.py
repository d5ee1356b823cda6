"""Pure pieces: text splitting, escaping, command parsing, URLs, log redaction."""

from __future__ import annotations

import logging

from hypothesis import given
from hypothesis import strategies as st

from adapters.telegram.adapter import file_base_url
from adapters.telegram.redact import REDACTED, TokenRedactor, token_secrets
from adapters.telegram.render import escape, render, split_text
from adapters.telegram.translate import split_command
from bot.messages import Attachment, Button, Reply


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@given(st.text(min_size=0, max_size=3000), st.integers(min_value=1, max_value=300))
def test_split_text_keeps_every_visible_character(text: str, limit: int) -> None:
    chunks = split_text(text, limit)

    assert all(chunk and chunk == chunk.strip() for chunk in chunks)
    assert all(_units(chunk) <= max(limit, 2) for chunk in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


def test_split_text_prefers_line_breaks() -> None:
    text = "\n".join(["a" * 30] * 5)

    assert split_text(text, 70) == ["a" * 30 + "\n" + "a" * 30] * 2 + ["a" * 30]


def test_split_text_terminates_on_characters_wider_than_the_limit() -> None:
    assert split_text("🏃🏃", 1) == ["🏃", "🏃"]
    assert split_text("🏃🏃🏃", 4) == ["🏃🏃", "🏃"]


def test_short_text_is_one_chunk() -> None:
    assert split_text("  5.00 km in 25:00  ") == ["5.00 km in 25:00"]
    assert split_text("   ") == []


def test_escape_shows_markup_literally() -> None:
    assert escape('<b>fast</b> & "easy"') == '&lt;b&gt;fast&lt;/b&gt; &amp; "easy"'


def test_render_puts_keyboard_on_last_chunk_only() -> None:
    reply = Reply(text="x " * 5000, buttons=((Button("OK", "ok"),),))

    parts = render(reply)

    assert len(parts) == 3
    assert [p.keyboard is not None for p in parts] == [False, False, True]


def test_buttons_without_text_ride_on_the_last_file() -> None:
    chart = Attachment("week.png", b"png", "image/png")
    reply = Reply(text="", attachments=(chart, chart), buttons=((Button("OK", "ok"),),))

    parts = render(reply)

    assert [p.attachment is not None for p in parts] == [True, True]
    assert [p.keyboard is not None for p in parts] == [False, True]
    assert render(Reply(text=" ", buttons=((Button("OK", "ok"),),))) == []


def test_split_command() -> None:
    assert split_command("/log@PacerBot 5k 25:00") == ("log", "PacerBot", "5k 25:00")
    assert split_command("/LOG") == ("log", "", "")
    assert split_command("/log\n5k  25:00 ") == ("log", "", "5k  25:00")


def test_file_base_url_for_local_bot_api_server() -> None:
    assert file_base_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert file_base_url("http://127.0.0.1:8081/bot/") == "http://127.0.0.1:8081/file/bot"


def test_redactor_hides_token_in_message_args_and_traceback() -> None:
    token = "123456:AAE-very-secret"
    redactor = TokenRedactor(*token_secrets(token))
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{token}/getUpdates failed")
    except RuntimeError as exc:
        record = logging.LogRecord(
            "httpx", logging.ERROR, __file__, 1, "request to %s", (f"/bot{token}/x",), None
        )
        record.exc_info = (type(exc), exc, exc.__traceback__)

    assert redactor.filter(record)

    text = record.getMessage() + (record.exc_text or "")
    assert "AAE-very-secret" not in text
    assert REDACTED in record.getMessage()
    assert REDACTED in (record.exc_text or "")
