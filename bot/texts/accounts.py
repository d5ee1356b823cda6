"""Every word of a runner's accounts: /link, and the notice of direct messages refused.

/link's code, joining two accounts, a code that does not work; and the notice, on the
runner's next message, that a platform refused Pacer's direct messages (or works again).
"""

from __future__ import annotations

from datetime import datetime

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


def welcome_back(platform: str, since: datetime) -> str:
    """A runner writing privately again on a platform whose DMs were refused."""
    return (
        f"Welcome back: I couldn't send you direct messages on {platform} "
        f"since {since:%Y-%m-%d}, so your nudges had stopped. "
        "They're back on now (/nudges shows them)."
    )


def dms_refused(platform: str, since: datetime) -> str:
    """Told once, elsewhere: a platform refuses Pacer's direct messages."""
    return (
        f"Heads-up: I couldn't send you direct messages on {platform} since "
        f"{since:%Y-%m-%d}, so your nudges are paused there. "
        f"Open a private chat with me on {platform} (or allow DMs) to get "
        "them again."
    )
