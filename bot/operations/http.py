"""``/healthz``, ``/readyz`` and ``/metrics`` on ``PACER_HTTP_PORT`` (role ``http``).

- ``/healthz``: 200 while the event loop answers (a liveness probe).
- ``/readyz``: 200 when the database answers, every adapter asked for is up,
  and, in Telegram webhook mode, this process is the one receiving (so a load
  balancer sends Telegram's calls there); else 503 with the reasons, one a line.
- ``/metrics``: Prometheus' text format (see :mod:`bot.operations.metrics`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.operations.metrics import Metrics

log = logging.getLogger(__name__)

Readiness = Callable[[], Awaitable[list[str]]]  # what keeps the process from being ready
Refresh = Callable[[], Awaitable[None]]  # brings the gauges read from the database up to date


class OpsServer:
    """The small HTTP server of health, readiness and metrics."""

    def __init__(
        self, metrics: Metrics, readiness: Readiness, refresh: Refresh, host: str, port: int
    ) -> None:
        self._metrics = metrics
        self._readiness = readiness
        self._refresh = refresh
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen (port 0: any free port, then :attr:`port` says which)."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics_page)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        addresses = self._runner.addresses
        if addresses:
            self.port = int(addresses[0][1])
        log.info("health and metrics on http://%s:%d/", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        problems = await self._readiness()
        if problems:
            return web.Response(status=503, text="".join(f"{p}\n" for p in problems))
        return web.Response(text="ready\n")

    async def _metrics_page(self, request: web.Request) -> web.Response:
        try:
            await self._refresh()
        except Exception as exc:  # the counters are still worth serving
            log.warning("metrics: could not read the backlog: %s", exc)
        body = self._metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
