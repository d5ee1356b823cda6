"""Keep the bot token out of logs.

The token is part of every Bot API URL, so it can appear in httpx's request
log lines and in network error messages. A filter on the root handlers
replaces it (and its secret half) in every record, tracebacks included.
"""

from __future__ import annotations

import logging

REDACTED = "<telegram-token>"


class TokenRedactor(logging.Filter):
    """Replaces secrets in log records; never drops a record."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        # Longest first, so the full token is replaced before its secret half.
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message, and pre-render and rewrite the traceback."""
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def token_secrets(token: str) -> tuple[str, ...]:
    """The strings to hide for a ``<id>:<secret>`` token: all of it, and the secret part."""
    _, _, secret = token.partition(":")
    return (token, secret) if secret else (token,)


def install(redactor: TokenRedactor) -> None:
    """Attach ``redactor`` to the root handlers; quiet httpx's per-request INFO lines."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger("httpx").level))


def uninstall(redactor: TokenRedactor) -> None:
    """Detach ``redactor`` from the root handlers."""
    for handler in logging.getLogger().handlers:
        handler.removeFilter(redactor)
