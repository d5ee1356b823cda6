"""Where discord.py sends REST calls and opens the gateway.

discord.py keeps both addresses as class attributes, so they are process-wide:
``Route.BASE`` (used by the HTTP client *and* the webhook adapter that carries
interaction responses) and ``DiscordWebSocket.DEFAULT_GATEWAY``. Overriding
them lets REST go through a rate-limit proxy or a local fake Discord.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

log = logging.getLogger(__name__)


def api_base() -> str:
    """The REST base URL currently in use, e.g. ``https://discord.com/api/v10``."""
    return Route.BASE


def apply_endpoints(api_base_url: str = "", gateway_url: str = "") -> Callable[[], None]:
    """Point discord.py at other REST/gateway addresses; returns a function that undoes it."""
    old_base = Route.BASE
    old_gateway = DiscordWebSocket.DEFAULT_GATEWAY
    if api_base_url:
        Route.BASE = api_base_url.rstrip("/")
        log.info("discord REST base: %s", Route.BASE)
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
        log.info("discord gateway: %s", gateway_url)

    def restore() -> None:
        Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return restore
