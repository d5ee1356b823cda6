"""Settings from the environment and an optional ``.env`` file."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(name: str, value: str | None, default: float, kind: type[float] | type[int]) -> Any:
    if value in (None, ""):
        return default
    try:
        return kind(value)  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None


# What a process may do (``PACER_ROLES``); every role by default, as one process always did.
ROLES = ("telegram", "discord", "scheduler", "http")


def parse_roles(value: str | None) -> frozenset[str]:
    """``PACER_ROLES``: comma-separated roles; empty means every role."""
    names = [n.strip().lower() for n in (value or "").split(",") if n.strip()]
    if not names:
        return frozenset(ROLES)
    unknown = sorted(set(names) - set(ROLES))
    if unknown:
        raise ValueError(f"PACER_ROLES: unknown role {unknown[0]!r} (roles: {', '.join(ROLES)})")
    return frozenset(names)


def parse_shard_ids(value: str | None) -> tuple[int, ...]:
    """``DISCORD_SHARD_IDS``: ``0-3``, ``0,2`` or both mixed; empty means every shard."""
    ids: set[int] = set()
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        low, dash, high = part.partition("-")
        try:
            first, last = int(low), int(high if dash else low)
        except ValueError:
            raise ValueError(
                f"DISCORD_SHARD_IDS must look like 0-3 or 0,2, not {value!r}"
            ) from None
        if first < 0 or last < first:
            raise ValueError(f"DISCORD_SHARD_IDS: {part!r} is not a range of shard numbers")
        ids.update(range(first, last + 1))
    return tuple(sorted(ids))


def default_process_name() -> str:
    """The host and process id: tells processes apart in logs and metrics."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class Settings:
    """Every setting Pacer reads; each is listed with a comment in ``.env.example``."""

    database_url: str = "sqlite:///pacer.db"
    log_level: str = ""  # empty: INFO, or WARNING while the console chat runs
    console: str = "auto"  # auto: on when no platform token is set
    console_user: str = ""
    console_club: str = ""  # chat in this club (a group) instead of the runner's private chat
    console_member: bool = False  # in the club: a plain member, not an admin
    telegram_token: str = field(default="", repr=False)
    telegram_api_base_url: str = ""
    telegram_webhook_url: str = ""
    telegram_webhook_listen: str = "0.0.0.0"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: str = field(default="", repr=False)
    discord_token: str = field(default="", repr=False)
    discord_application_id: str = ""
    discord_shard_count: str = "auto"
    discord_shard_ids: tuple[int, ...] = ()  # empty: every shard
    discord_api_base: str = ""
    discord_gateway_url: str = ""
    discord_dev_guild_id: str = ""
    sweep_seconds: float = 5.0
    nudge_grace_minutes: int = 120
    roles: frozenset[str] = frozenset(ROLES)
    process_name: str = ""  # empty: host-pid
    http_port: int = 0  # 0: no health and metrics server
    http_listen: str = "0.0.0.0"
    lease_seconds: float = 30.0
    delivery_retention_days: int = 90

    @property
    def sqlite_path(self) -> str | None:
        """The file of a ``sqlite:///`` URL; None for PostgreSQL (``:memory:`` allowed)."""
        url = self.database_url
        if not url.startswith("sqlite"):
            return None
        return url.split(":///", 1)[-1] or "pacer.db"

    @property
    def name(self) -> str:
        """This process's name in logs, locks and metrics."""
        return self.process_name or default_process_name()

    @property
    def deployment_platforms(self) -> tuple[str, ...]:
        """The platforms the whole deployment runs, whichever process this is: routes go there.

        Not this process's adapters: a scheduler-only process must still route a runner's
        nudges to Telegram, and a Discord-only one must not call Telegram runners unreachable.
        """
        names = []
        if self.telegram_token:
            names.append("telegram")
        if self.discord_token:
            names.append("discord")
        if self.console_enabled:
            names.append("console")
        return tuple(names)

    def has_role(self, role: str) -> bool:
        """Whether ``PACER_ROLES`` lets this process do ``role``."""
        return role in self.roles

    @property
    def console_enabled(self) -> bool:
        """Whether the terminal chat should run."""
        if self.console == "auto":
            return not (self.telegram_token or self.discord_token)
        return _flag(self.console)

    def __post_init__(self) -> None:
        if not self.discord_shard_ids:
            return
        count = self.discord_shard_count.strip().lower()
        if not count.isdigit():
            raise ValueError("DISCORD_SHARD_IDS needs a number in DISCORD_SHARD_COUNT, not auto")
        if max(self.discord_shard_ids) >= int(count):
            raise ValueError(
                f"DISCORD_SHARD_IDS: shard {max(self.discord_shard_ids)} is not one of the "
                f"{count} shards (numbered from 0)"
            )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
    ) -> Settings:
        """Read settings; real environment variables win over ``.env``."""
        values: dict[str, str] = {}
        if env_file is not None and Path(env_file).is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        g = values.get
        return cls(
            database_url=g("DATABASE_URL") or cls.database_url,
            log_level=g("LOG_LEVEL") or cls.log_level,
            console=g("PACER_CONSOLE") or cls.console,
            console_user=g("PACER_CONSOLE_USER") or "",
            telegram_token=g("TELEGRAM_TOKEN") or "",
            telegram_api_base_url=g("TELEGRAM_API_BASE_URL") or "",
            telegram_webhook_url=g("TELEGRAM_WEBHOOK_URL") or "",
            telegram_webhook_listen=g("TELEGRAM_WEBHOOK_LISTEN") or cls.telegram_webhook_listen,
            telegram_webhook_port=_number(
                "TELEGRAM_WEBHOOK_PORT", g("TELEGRAM_WEBHOOK_PORT"), cls.telegram_webhook_port, int
            ),
            telegram_webhook_secret=g("TELEGRAM_WEBHOOK_SECRET") or "",
            discord_token=g("DISCORD_TOKEN") or "",
            discord_application_id=g("DISCORD_APPLICATION_ID") or "",
            discord_shard_count=g("DISCORD_SHARD_COUNT") or cls.discord_shard_count,
            discord_shard_ids=parse_shard_ids(g("DISCORD_SHARD_IDS")),
            discord_api_base=g("DISCORD_API_BASE") or "",
            discord_gateway_url=g("DISCORD_GATEWAY_URL") or "",
            discord_dev_guild_id=g("DISCORD_DEV_GUILD_ID") or "",
            sweep_seconds=_number(
                "PACER_SWEEP_SECONDS", g("PACER_SWEEP_SECONDS"), cls.sweep_seconds, float
            ),
            nudge_grace_minutes=_number(
                "PACER_NUDGE_GRACE_MINUTES",
                g("PACER_NUDGE_GRACE_MINUTES"),
                cls.nudge_grace_minutes,
                int,
            ),
            roles=parse_roles(g("PACER_ROLES")),
            process_name=g("PACER_PROCESS_NAME") or "",
            http_port=_number("PACER_HTTP_PORT", g("PACER_HTTP_PORT"), cls.http_port, int),
            http_listen=g("PACER_HTTP_LISTEN") or cls.http_listen,
            lease_seconds=_number(
                "PACER_LEASE_SECONDS", g("PACER_LEASE_SECONDS"), cls.lease_seconds, float
            ),
            delivery_retention_days=_number(
                "PACER_DELIVERY_RETENTION_DAYS",
                g("PACER_DELIVERY_RETENTION_DAYS"),
                cls.delivery_retention_days,
                int,
            ),
        )
