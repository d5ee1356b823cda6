"""Domain errors. Services raise them; the core turns them into friendly replies."""

from __future__ import annotations


class PacerError(Exception):
    """An error whose message is written for the runner."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class BadInput(PacerError):
    """The runner typed something we cannot use. Nothing was stored."""


class NotAllowed(PacerError):
    """The runner may not do this here."""


class NotFound(PacerError):
    """The thing asked for does not exist (or is not the runner's)."""
