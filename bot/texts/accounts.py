"""Every word of /link: the code, joining two accounts, and a code that does not work."""

from __future__ import annotations

from bot.errors import BadInput


def link_code(code: str) -> str:
    """``/link`` alone: the one-time code and where to send it."""
    return (
        f"Your link code: {code}\n"
        f"Within 15 minutes, send /link {code} to me from your other account "
        "(Telegram, Discord or the console), in a private chat. That account's runs "
        "and check-ins join this one; the settings here stay."
    )


SAME_ACCOUNT = (
    "That's this account's own code: send it from your other account (it still works there)."
)


def linked(platforms: tuple[str, ...]) -> str:
    """The accounts are one runner now."""
    return (
        f"Linked: your {' and '.join(platforms)} accounts are one runner now, with one "
        "history and one set of settings. /settings nudges <platform> picks where "
        "nudges go."
    )


def unknown_code(code: str) -> BadInput:
    """A code nobody made, or one past its 15 minutes (``code`` quoted already)."""
    return BadInput(
        f"The code {code} is unknown or has expired.",
        hint="Send /link on your other account for a new one.",
    )
