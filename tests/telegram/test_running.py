"""The adapter started for real: polling against the fake Bot API server (a 409 Conflict
heard while polling too), webhook mode, per-chat ordering, and the factory the app calls."""

from __future__ import annotations

import asyncio
import logging
import socket
import traceback
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Update
from telegram.error import Conflict, NetworkError

import adapters.telegram
from adapters.telegram import TelegramAdapter
from adapters.telegram.processing import PerChatUpdateProcessor
from adapters.telegram.rate_limiter import BudgetLimiter
from adapters.telegram.receiving import PollErrors
from adapters.telegram.redact import REDACTED
from bot.budget import SendBudget, limits_for
from bot.clock import SystemClock
from bot.config import Settings
from bot.messages import Incoming, Reply
from bot.ports import Adapter, AdapterContext, ProgressNote
from tests.fakes import FakeCore
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.fakes import TOKEN, RecordingRequest
from tests.telegram.updates import RUNNER_ID, payload

WAIT = 10.0  # seconds; generous upper bound, tests finish far sooner


class SignallingCore(FakeCore):
    """A FakeCore whose tests can wait for the n-th incoming."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Condition()

    async def handle(self, incoming: Incoming, progress: ProgressNote | None = None) -> Reply:
        """Record, wake waiters, answer."""
        reply = await super().handle(incoming)
        async with self.changed:
            self.changed.notify_all()
        return reply

    async def wait_for_count(self, n: int) -> list[Incoming]:
        """Wait (bounded) until ``n`` incomings arrived."""
        async with asyncio.timeout(WAIT), self.changed:
            await self.changed.wait_for(lambda: len(self.received) >= n)
        return self.received


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API server on 127.0.0.1."""
    async with FakeBotApi(TOKEN, max_poll_wait=0.5) as api:
        yield api


async def polled_log(bot_api: FakeBotApi, core: SignallingCore) -> Any:
    """Start a polling adapter, send it one ``/log``, stop it: the answer the API received."""
    settings = Settings(telegram_token=TOKEN, telegram_api_base_url=bot_api.base_url)
    tg = TelegramAdapter(settings, core)
    await tg.start()
    try:
        bot_api.push_update(payload("private_command", text="/log 5k 25:00"))
        return await bot_api.wait_for(lambda c: c.method == "sendMessage", within=WAIT)
    finally:
        await asyncio.wait_for(tg.stop(), WAIT)


@pytest.mark.slow  # wall-clock time: polling a fake Bot API server
async def test_polling_adapter_answers_and_stops_cleanly(bot_api: FakeBotApi) -> None:
    core = SignallingCore()
    sent = await polled_log(bot_api, core)

    assert sent.chat_id == RUNNER_ID
    assert sent.text == "ok log 5k 25:00"
    assert [(i.command, i.text) for i in core.received] == [("log", "5k 25:00")]
    assert {"deleteWebhook", "setMyCommands"} <= set(bot_api.api_calls)
    polls = bot_api.calls_to("getUpdates")
    assert set(polls[0].params["allowed_updates"]) == {
        "message",
        "callback_query",
        "my_chat_member",
        "chat_member",  # admins demoted lose admin commands at once
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_webhook_mode_checks_the_secret(fake_request: RecordingRequest) -> None:
    core = SignallingCore()
    port = _free_port()
    settings = Settings(
        telegram_token=TOKEN,
        telegram_webhook_url="https://pacer.example/tg/hook",
        telegram_webhook_listen="127.0.0.1",
        telegram_webhook_port=port,
        telegram_webhook_secret="s3cret-token",
    )
    tg = TelegramAdapter(settings, core, request=fake_request)
    await tg.start()
    url = f"http://127.0.0.1:{port}/tg/hook"
    update = payload("private_command", text="/week")
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT)) as http:
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
            async with http.post(url, json=update, headers=wrong) as response:
                assert response.status == 403
            right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            async with http.post(url, json=update, headers=right) as response:
                assert response.status == 200
            received = await core.wait_for_count(1)
    finally:
        await asyncio.wait_for(tg.stop(), WAIT)

    assert [(i.command, i.idempotency_key) for i in received] == [("week", "900001")]
    [hook] = fake_request.calls_to("setWebhook")
    assert hook.params["url"] == "https://pacer.example/tg/hook"
    assert hook.params["secret_token"] == "s3cret-token"


async def test_webhook_without_a_configured_secret_still_requires_one(
    fake_request: RecordingRequest,
) -> None:
    core = SignallingCore()
    port = _free_port()
    settings = Settings(
        telegram_token=TOKEN,
        telegram_webhook_url="https://pacer.example/tg/hook",
        telegram_webhook_listen="127.0.0.1",
        telegram_webhook_port=port,
    )
    tg = TelegramAdapter(settings, core, request=fake_request)
    await tg.start()
    url = f"http://127.0.0.1:{port}/tg/hook"
    try:
        [hook] = fake_request.calls_to("setWebhook")
        secret = hook.params["secret_token"]
        assert isinstance(secret, str) and len(secret) >= 32
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT)) as http:
            update = payload("private_command", text="/week")
            async with http.post(url, json=update) as response:
                assert response.status == 403  # no secret header: refused
    finally:
        await asyncio.wait_for(tg.stop(), WAIT)


async def test_same_chat_in_order_other_chats_alongside() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=8)
    first_started = asyncio.Event()
    release_first = asyncio.Event()
    order: list[str] = []

    async def job(name: str, *, block: bool = False) -> None:
        order.append(f"{name} start")
        if block:
            first_started.set()
            await release_first.wait()
        order.append(f"{name} end")

    def update(update_id: int, chat_id: int) -> Update:
        data: dict[str, Any] = payload("private_text", update_id=update_id)
        data["message"]["chat"]["id"] = chat_id
        return Update.de_json(data, None)

    async with processor:
        a1 = asyncio.create_task(processor.process_update(update(1, 1), job("a1", block=True)))
        await asyncio.wait_for(first_started.wait(), WAIT)
        a2 = asyncio.create_task(processor.process_update(update(2, 1), job("a2")))
        b1 = asyncio.create_task(processor.process_update(update(3, 2), job("b1")))
        await asyncio.wait_for(b1, WAIT)
        assert order == ["a1 start", "b1 start", "b1 end"]  # a2 waits behind a1
        release_first.set()
        await asyncio.wait_for(asyncio.gather(a1, a2), WAIT)

    assert order[3:] == ["a1 end", "a2 start", "a2 end"]


async def test_queued_updates_of_a_busy_chat_do_not_take_every_slot() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=2)
    release_a = asyncio.Event()
    a_started = asyncio.Event()
    done: list[str] = []

    async def job(name: str, *, block: bool = False) -> None:
        if block:
            a_started.set()
            await release_a.wait()
        done.append(name)

    def update(update_id: int, chat_id: int) -> Update:
        data: dict[str, Any] = payload("private_text", update_id=update_id)
        data["message"]["chat"]["id"] = chat_id
        return Update.de_json(data, None)

    async with processor:
        a1 = asyncio.create_task(processor.process_update(update(1, 1), job("a1", block=True)))
        await asyncio.wait_for(a_started.wait(), WAIT)
        queued = [
            asyncio.create_task(processor.process_update(update(n, 1), job(f"a{n}")))
            for n in (2, 3, 4)
        ]
        await asyncio.sleep(0.05)  # chat A's queued updates are now all waiting
        b1 = asyncio.create_task(processor.process_update(update(9, 2), job("b1")))
        await asyncio.wait_for(b1, 1.0)  # before the fix: stuck behind chat A's waiters
        assert done == ["b1"]
        release_a.set()
        await asyncio.wait_for(asyncio.gather(a1, *queued), WAIT)

    assert done == ["b1", "a1", "a2", "a3", "a4"]


async def test_create_adapter_serves_the_apps_core_with_its_settings(
    fake_request: RecordingRequest,
) -> None:
    core = FakeCore()
    budgets = {"telegram": SendBudget(limits_for("telegram"), SystemClock())}
    ctx = AdapterContext(Settings(telegram_token=TOKEN), core, lambda: None, budgets.__getitem__)

    tg = adapters.telegram.create_adapter(ctx)
    as_port: Adapter = tg  # mypy checks that the adapter satisfies the port

    assert as_port.platform == "telegram"
    assert tg.application.bot.token == TOKEN
    # Replies go through the app's shared send budget, the one the outbound queue uses.
    limiter = tg.application.bot.rate_limiter
    assert isinstance(limiter, BudgetLimiter) and limiter.budget is budgets["telegram"]
    # Behaviour, not types: an update reaches ctx.core and its messenger can deliver.
    app = tg.application
    app.bot._request = (fake_request, fake_request)  # the factory takes no transport
    await app.initialize()
    try:
        await app.process_update(Update.de_json(payload("private_command"), app.bot))
        await tg.messenger.send_direct(str(RUNNER_ID), Reply("Bedtime in 30 minutes"))
    finally:
        await app.shutdown()
    assert [(i.command, i.text) for i in core.received] == [("log", "5k 25:00 yesterday")]
    assert [(c.chat_id, c.text) for c in fake_request.calls_to("sendMessage")] == [
        (RUNNER_ID, "ok log 5k 25:00 yesterday"),
        (RUNNER_ID, "Bedtime in 30 minutes"),
    ]


@pytest.mark.slow  # wall-clock time: polling a fake Bot API server
async def test_rejected_token_is_never_shown(
    bot_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    rejected = "987654:AAH-rejected-secret-part"
    caplog.set_level(logging.DEBUG)  # before the Bot exists: it logs its URL at DEBUG
    settings = Settings(
        telegram_token=rejected,
        telegram_api_base_url=bot_api.base_url,
        telegram_webhook_secret="hook-secret-value",
    )
    tg = TelegramAdapter(settings, FakeCore())
    logging.getLogger("tests").debug("webhook secret is %s", "hook-secret-value")

    with pytest.raises(RuntimeError) as raised:
        await tg.start()

    shown = str(raised.value) + "".join(traceback.format_exception(raised.value))
    assert "rejected by the server" in str(raised.value)
    assert REDACTED in str(raised.value)
    assert "Set Bot API URL" in caplog.text  # the DEBUG line was captured, redacted
    for secret in (rejected, "AAH-rejected-secret-part", "hook-secret-value"):
        assert secret not in shown
        assert secret not in caplog.text
    assert not tg.application.running


# What Telegram answers a long poll that a second getUpdates with the same token ended.
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


def _conflict_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "409 Conflict" in r.getMessage()]


@pytest.mark.slow  # wall-clock time: polling a fake Bot API server
async def test_a_409_conflict_while_polling_is_one_warning_and_polling_goes_on(
    bot_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot_api.fail("getUpdates", 409, CONFLICT)  # a resumed standby polled meanwhile
    core = SignallingCore()
    sent = await polled_log(bot_api, core)

    assert sent.text == "ok log 5k 25:00"  # polled again after the 409, and answered
    assert len(bot_api.calls_to("getUpdates")) >= 2
    [line] = _conflict_lines(caplog)
    assert line.levelno == logging.WARNING
    message = line.getMessage()
    assert "another process polls with this bot token" in message
    assert "only one process per TELEGRAM_TOKEN" in message and "Still polling" in message
    assert "\n" not in message
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


def test_conflicts_repeating_are_one_warning_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    errors = PollErrors(clock=lambda: now[0])
    for second in (0.0, 5.0, 30.0, 59.0, 61.0):
        now[0] = second
        errors(Conflict(CONFLICT))

    lines = [r.getMessage() for r in _conflict_lines(caplog)]
    assert len(lines) == 2
    assert "409 Conflict:" in lines[0]
    assert "409 Conflict (4 times since the last warning):" in lines[1]
    assert "Traceback" not in caplog.text


def test_other_polling_errors_keep_their_traceback(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise NetworkError("Bad Gateway")
    except NetworkError as exc:
        PollErrors()(exc)

    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "polling Telegram for updates failed"
    assert "Bad Gateway" in caplog.text and "Traceback" in caplog.text
