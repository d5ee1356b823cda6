"""Keep the bot token (and the webhook secret) out of logs.

The token is part of every Bot API URL, so it can appear in httpx's request
log lines, in PTB's DEBUG lines ("Set Bot API URL: .../bot<token>") and in
error messages (``InvalidToken("The token `<token>` was rejected...")``). A
filter on the root handlers replaces the secrets in every record, tracebacks
included. It is installed when the adapter is built, before PTB's ``Bot``
exists, and stays installed for the life of the process: a start-up failure
is logged after the adapter has cleaned up.
"""

from __future__ import annotations

import logging

REDACTED = "<telegram-token>"
# PTB logs a flood-control answer that it does not retry as ERROR with a
# traceback; the core's outbound queue handles 429s for nudges itself.
RATE_LIMITER_LOGGER = "telegram.ext.AIORateLimiter"


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


class QuietFloodControl(logging.Filter):
    """Turn PTB's "Rate limit hit after maximum of N retries" ERROR into one INFO line.

    The ``RetryAfter`` is raised to the caller anyway: the messenger reports it
    as ``RateLimited`` to the core's queue, an interactive answer goes to the
    error handler. A traceback per 429 would only be noise.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Downgrade the one record; pass everything else untouched."""
        if record.levelno >= logging.ERROR and "Rate limit hit" in str(record.msg):
            retry = getattr(record.exc_info[1], "message", "") if record.exc_info else ""
            record.msg = "Telegram flood control (429) passed to the caller: %s"
            record.args = (retry or "no details",)
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
            record.exc_info, record.exc_text = None, None
        return True


_redactors: dict[tuple[str, ...], TokenRedactor] = {}
_QUIET_FLOOD = QuietFloodControl()


def token_secrets(token: str, *others: str) -> tuple[str, ...]:
    """The strings to hide: all of a ``<id>:<secret>`` token, its secret part, and ``others``."""
    _, _, secret = token.partition(":")
    found = (token, secret) if secret else (token,)
    return (*found, *(o for o in others if o))


def redactor_for(*secrets: str) -> TokenRedactor:
    """The one redactor for these secrets (building adapters again adds no more filters)."""
    key = tuple(sorted(set(secrets)))
    if key not in _redactors:
        _redactors[key] = TokenRedactor(*key)
    return _redactors[key]


def install(redactor: TokenRedactor) -> None:
    """Attach ``redactor`` to the root handlers (idempotent); quiet httpx and 429 tracebacks.

    Call it again after adding root handlers: a filter sits on the handlers
    that existed when it was attached.
    """
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)  # no-op when already there
    httpx = logging.getLogger("httpx")
    httpx.setLevel(max(logging.WARNING, httpx.level))
    limiter = logging.getLogger(RATE_LIMITER_LOGGER)
    if _QUIET_FLOOD not in limiter.filters:
        limiter.addFilter(_QUIET_FLOOD)


def uninstall(redactor: TokenRedactor) -> None:
    """Detach ``redactor`` from the root handlers (tests; the adapter never does)."""
    for handler in logging.getLogger().handlers:
        handler.removeFilter(redactor)
