"""Ports: what the core needs from a chat platform, and what an adapter provides.

Each adapter package (``adapters.console``, ``adapters.telegram``,
``adapters.discord``) exposes ``create_adapter(ctx: AdapterContext) -> Adapter``.
The app imports an adapter package only when it is configured, so ``bot/``
never imports a platform library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.budget import Place, SendBudget
from bot.config import Settings
from bot.messages import Choice, Incoming, Reply


class DeliveryError(Exception):
    """Sending a message failed."""


class Unreachable(DeliveryError):
    """Permanent refusal: the user blocked the bot, closed DMs, or left. Do not retry."""


class RateLimited(DeliveryError):
    """The platform asked us to slow down (HTTP 429)."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientDeliveryError(DeliveryError):
    """A network error or a 5xx: worth retrying with backoff."""


class TokenRefused(RuntimeError):
    """The platform refused the bot's token at start-up: a setting to fix, not an outage.

    Adapters raise it (with secrets already removed from the message); the app
    stops and ``pacer`` exits non-zero with :attr:`line`, never a traceback.
    """

    def __init__(self, platform: str, setting: str, detail: str = "") -> None:
        super().__init__(detail or f"{platform} refused the token in {setting}")
        self.platform = platform
        self.setting = setting

    @property
    def line(self) -> str:
        """One line for the terminal: which platform, which setting."""
        return (
            f"pacer: {self.platform} refused the bot token ({self.setting}); "
            "check the token and start again."
        )


@runtime_checkable
class Messenger(Protocol):
    """Sends a message to one user's private chat on one platform.

    Implementations raise :class:`Unreachable`, :class:`RateLimited` or
    :class:`TransientDeliveryError`; the core's outbound queue decides about
    retries, so a messenger makes exactly one attempt per call.
    ``dedupe_key`` is stable across retries of the same message (Discord uses
    it as the message nonce). ``place``: the send budget's place the queue holds
    for this message; each platform request goes inside ``place.request()``.
    """

    platform: str

    async def send_direct(
        self,
        platform_user_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Deliver ``reply`` to the user's direct-message chat."""
        ...

    async def send_group(
        self,
        chat_id: str,
        reply: Reply,
        *,
        dedupe_key: str | None = None,
        place: Place | None = None,
    ) -> None:
        """Post ``reply`` in a group chat or server channel."""
        ...


@runtime_checkable
class ProgressNote(Protocol):
    """One message that shows a long command's progress, edited in place as it goes.

    The first ``show`` posts it, the next ones edit it; an adapter that can't edit
    (or a failed edit) drops the update: progress is a courtesy, the answer still comes.
    """

    async def show(self, text: str) -> None:
        """Post or update the note."""
        ...


@runtime_checkable
class ForgetsAccounts(Protocol):
    """A messenger that keeps something per account in memory (a DM channel id)."""

    def forget_account(self, platform_user_id: str) -> None:
        """Drop what is kept about this account (the runner used /forget)."""
        ...


class Inbound(Protocol):
    """What every adapter calls: the core's one entry point."""

    async def handle(self, incoming: Incoming, progress: ProgressNote | None = None) -> Reply:
        """Answer one command, plain message or button press."""
        ...

    async def autocomplete(self, incoming: Incoming, option: str, partial: str) -> Sequence[Choice]:
        """Suggestions for a typed option's value."""
        ...

    async def mark_unreachable(self, platform: str, platform_user_id: str, reason: str) -> None:
        """The platform says this account blocked the bot: stop sending it DMs."""
        ...


class Adapter(Protocol):
    """A running chat platform connection."""

    platform: str

    @property
    def messenger(self) -> Messenger | None:
        """The messenger for direct messages, if the platform supports them."""
        ...

    async def start(self) -> None:
        """Connect and start receiving; returns once running."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly."""
        ...


class SyncedSchemas(Protocol):
    """Where the hash of the last command upload is kept (the database, for every process)."""

    async def synced(self, scope: str) -> str | None:
        """The hash last synced for ``scope`` (``<application id>/global`` or ``/guild:ID``)."""
        ...

    async def record(self, scope: str, digest: str) -> None:
        """Remember that ``digest`` was synced for ``scope``."""
        ...


@runtime_checkable
class Elected(Protocol):
    """An adapter where one process per bot token is active and the others stand by.

    Started with ``AdapterContext.elected``, it connects but receives nothing
    until :meth:`activate`; :meth:`stand_by` hands the token back.
    """

    platform: str

    @property
    def lock_name(self) -> str:
        """The lock whose holder is active: one per bot token, never the token itself."""
        ...

    async def activate(self) -> None:
        """This process won the lock: start receiving (and any once-only set-up)."""
        ...

    async def stand_by(self) -> None:
        """The lock was lost: stop receiving, keep the connection for a quick take-over."""
        ...


@dataclass(frozen=True)
class AdapterContext:
    """What an adapter factory gets from the app."""

    settings: Settings
    core: Inbound
    request_shutdown: Callable[[], None]
    budget: Callable[[str], SendBudget]  # a platform's, shared with scheduled messages
    # Several processes may share the token: start standing by, receive once activated.
    elected: bool = False
    command_hashes: SyncedSchemas | None = None  # Discord: what was last uploaded
