"""``/healthz``, ``/readyz`` and ``/metrics`` over HTTP, from a running app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.app import App
from bot.bootstrap import build_app
from bot.clock import FakeClock
from bot.config import Settings
from bot.storage.deliveries import NewDelivery, user_target
from tests.databases import BACKENDS, empty_postgres, postgres_url
from tests.service.processes import free_port


@pytest.fixture(params=BACKENDS)
async def app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[App]:
    """An app with no platform (nothing sends), serving health and metrics."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ops.db'}"
    else:
        url = await postgres_url()
        await (await empty_postgres(url)).close()
    settings = Settings(
        database_url=url, http_port=free_port(), http_listen="127.0.0.1", process_name="ops-1"
    )
    app = build_app(settings, FakeClock())
    await app.start(platforms=[])
    try:
        yield app
    finally:
        await app.stop()


async def _get(app: App, path: str) -> tuple[int, str]:
    assert app.ops is not None
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{app.ops.port}{path}") as response,
    ):
        return response.status, await response.text()


async def test_health_and_readiness_answer(app: App) -> None:
    assert await _get(app, "/healthz") == (200, "ok\n")
    assert await _get(app, "/readyz") == (200, "ready\n")


async def test_readiness_says_what_is_missing(app: App) -> None:
    app.wanted.append("telegram")  # asked for, never started
    status, body = await _get(app, "/readyz")
    assert (status, body) == (503, "telegram adapter not running\n")


async def test_metrics_show_the_backlog_and_the_roles_held(app: App) -> None:
    now = app.clock.now()
    async with app.db.uow() as uow:
        await uow.runners.create("telegram", "777", "Ada", now)
        found = await uow.runners.find("telegram", "777")
        assert found is not None
        await uow.deliveries.add_many(
            [
                NewDelivery(
                    target=user_target(found.user.id),
                    kind=kind,
                    occurrence=now.date().isoformat(),
                    due_at=now - timedelta(seconds=90),
                    user_id=found.user.id,
                    platform="telegram",
                    chat_id="777",
                )
                for kind in ("sleep_checkin", "strength")
            ]
        )
        await uow.commit()
    status, body = await _get(app, "/metrics")
    assert status == 200
    lines = body.splitlines()
    assert 'pacer_due_backlog{platform="telegram"} 2.0' in lines
    assert 'pacer_oldest_due_age_seconds{platform="telegram"} 90.0' in lines
    assert 'pacer_role_active{process="ops-1",role="scheduler"} 1.0' in lines
    assert 'pacer_role_active{process="ops-1",role="telegram"} 0.0' in lines
    for name in (
        "pacer_messages_sent_total",
        "pacer_messages_failed_total",
        "pacer_rate_limited_total",
        "pacer_delivery_lateness_seconds",
        "pacer_claims_recovered_total",
        "pacer_updates_handled_total",
    ):
        assert f"# TYPE {name.removesuffix('_total')}" in body
