"""PTB's rate limiter on the shared send budget: replies take urgent places, the rest passes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter
from telegram.ext import Application, ExtBot

from adapters.telegram.rate_limiter import BudgetLimiter, chat_key, is_message_call
from bot.budget import Place, SendBudget, limits_for
from bot.clock import FakeClock
from tests.delivery import VirtualTime
from tests.telegram.fakes import RecordingRequest

Result = bool | dict[str, Any] | list[dict[str, Any]]
TOKEN = "123456:TEST-budget-token"


@dataclass
class Api:
    """A fake Bot API callback: records each call's start and end, takes ``latency``."""

    clock: FakeClock
    vt: VirtualTime
    latency: float = 0.0
    calls: list[tuple[str, object, datetime, datetime]] = field(default_factory=list)
    raise_next: Exception | None = None

    def callback(self, endpoint: str) -> Callable[..., Coroutine[Any, Any, Result]]:
        async def call(*args: Any, **kwargs: Any) -> Result:
            start = self.clock.now()
            if self.raise_next is not None:
                error, self.raise_next = self.raise_next, None
                raise error
            if self.latency:
                await self.vt.sleep(self.latency)
            self.calls.append((endpoint, args[1].get("chat_id"), start, self.clock.now()))
            return True

        return call


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at Thursday 2026-11-26 12:00 UTC."""
    return FakeClock()


@pytest.fixture
def vt(clock: FakeClock) -> VirtualTime:
    """Simulated sleeping on the fake clock."""
    return VirtualTime(clock)


@pytest.fixture
def budget(clock: FakeClock, vt: VirtualTime) -> SendBudget:
    """Telegram's send budget."""
    return SendBudget(limits_for("telegram"), clock, sleep=vt.sleep)


async def call(
    limiter: BudgetLimiter,
    api: Api,
    endpoint: str,
    chat_id: object = None,
    rate_limit_args: Place | None = None,
) -> Result:
    """What ``ExtBot._do_post`` does: hand the request to the limiter."""
    data: dict[str, Any] = {} if chat_id is None else {"chat_id": chat_id, "text": "hi"}
    return await limiter.process_request(
        callback=api.callback(endpoint),
        args=(endpoint, data),
        kwargs={},
        endpoint=endpoint,
        data=data,
        rate_limit_args=rate_limit_args,
    )


def test_which_calls_are_messages() -> None:
    for endpoint in ("sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"):
        assert is_message_call(endpoint)
    for endpoint in ("copyMessage", "forwardMessage", "editMessageText", "stopPoll"):
        assert is_message_call(endpoint)
    for endpoint in ("getUpdates", "answerCallbackQuery", "getChatMember", "setMyCommands"):
        assert not is_message_call(endpoint)
    assert not is_message_call("sendChatAction")
    assert chat_key(42) == ("42", False)
    assert chat_key(-1001234) == ("-1001234", True)
    assert chat_key("@pacer_club") == ("@pacer_club", True)


async def test_replies_to_one_chat_are_a_second_apart_from_the_end(
    budget: SendBudget, clock: FakeClock, vt: VirtualTime
) -> None:
    limiter = BudgetLimiter(budget)
    api = Api(clock, vt, latency=0.3)

    async def scenario() -> None:
        for endpoint in ("sendMessage", "sendPhoto", "editMessageText"):
            await call(limiter, api, endpoint, 42)

    await vt.run(scenario())
    assert [c[0] for c in api.calls] == ["sendMessage", "sendPhoto", "editMessageText"]
    for (*_, end), (_, _, start, _) in zip(api.calls, api.calls[1:], strict=False):
        assert (start - end).total_seconds() >= 1.0


async def test_other_calls_pass_straight_even_when_blocked(
    budget: SendBudget, clock: FakeClock, vt: VirtualTime
) -> None:
    limiter = BudgetLimiter(budget)
    api = Api(clock, vt)
    start = clock.now()

    async def scenario() -> None:
        async with budget.place("42") as place:  # the queue's place, granted before the 429
            budget.block_for(30)
            await call(limiter, api, "getUpdates")
            await call(limiter, api, "answerCallbackQuery")
            await call(limiter, api, "getChatMember", 42)
            await call(limiter, api, "setMyCommands")
            await call(limiter, api, "sendChatAction", 42)
            await call(limiter, api, "sendMessage", 42, place)  # counted at its grant

    await vt.run(scenario())
    assert len(api.calls) == 6 and clock.now() == start


async def test_a_queued_message_in_parts_waits_between_parts(
    budget: SendBudget, clock: FakeClock, vt: VirtualTime
) -> None:
    limiter = BudgetLimiter(budget)
    api = Api(clock, vt, latency=0.2)

    async def queued_send() -> None:
        async with budget.place("42") as place:  # the outbound queue's place
            await call(limiter, api, "sendMessage", 42, place)
            await call(limiter, api, "sendDocument", 42, place)

    start = clock.now()
    await vt.run(queued_send())
    first, second = api.calls
    assert first[2] == start  # straight through
    assert (second[2] - first[3]).total_seconds() >= 1.0


async def test_group_chats_get_20_a_minute(
    budget: SendBudget, clock: FakeClock, vt: VirtualTime
) -> None:
    limiter = BudgetLimiter(budget)
    api = Api(clock, vt, latency=0.1)

    async def scenario() -> None:
        for _ in range(21):
            await call(limiter, api, "sendMessage", -1001234)

    await vt.run(scenario())
    assert (api.calls[20][2] - api.calls[0][3]).total_seconds() >= 60


async def test_a_reply_goes_before_queued_bulk(
    budget: SendBudget, clock: FakeClock, vt: VirtualTime
) -> None:
    limiter = BudgetLimiter(budget)
    api = Api(clock, vt)
    order: list[str] = []

    async def bulk(n: int) -> None:
        async with budget.place(f"{n}"):
            order.append("bulk")

    async def scenario() -> None:
        tasks = [asyncio.create_task(bulk(n)) for n in range(1000, 1060)]
        await vt.sleep(0.2)
        done = len(order)
        await call(limiter, api, "sendMessage", 42)
        order.append("reply")
        assert order.index("reply") <= done + 1
        await asyncio.gather(*tasks)

    await vt.run(scenario())


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_retry_after_blocks_the_budget_and_is_raised(
    budget: SendBudget, clock: FakeClock, vt: VirtualTime
) -> None:
    limiter = BudgetLimiter(budget)
    api = Api(clock, vt)
    api.raise_next = RetryAfter(5)
    start = clock.now()

    async def scenario() -> None:
        with pytest.raises(RetryAfter):
            await call(limiter, api, "sendMessage", 42)
        await call(limiter, api, "sendMessage", 43)  # no retry by the limiter itself

    await vt.run(scenario())
    assert len(api.calls) == 1
    assert api.calls[0][2] >= start + timedelta(seconds=5)


class TimedRequest(RecordingRequest):
    """The recording Bot API, noting on the fake clock when each call arrived."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.times: list[tuple[str, datetime]] = []

    def recorded(self) -> None:
        """Note the method and the time of the call just recorded."""
        self.times.append((self.calls[-1].method, self.clock.now()))


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_through_a_real_bot(budget: SendBudget, clock: FakeClock, vt: VirtualTime) -> None:
    api = TimedRequest(clock)
    limiter = BudgetLimiter(budget)
    app = (
        Application.builder()
        .token(TOKEN)
        .request(api)
        .get_updates_request(api)
        .rate_limiter(limiter)
        .job_queue(None)
        .build()
    )
    bot: ExtBot[Place] = app.bot
    assert bot.rate_limiter is limiter

    async def scenario() -> None:
        await bot.initialize()
        await bot.send_message(42, "one")
        await bot.send_message(42, "two")  # a reply: waits for the chat
        async with budget.place("7") as place:
            await bot.send_message(7, "queued", rate_limit_args=place)
        api.fail("sendMessage", 429, "Too Many Requests", retry_after=3)
        with pytest.raises(RetryAfter):
            await bot.send_message(8, "flood")
        await bot.send_message(9, "after")
        await bot.shutdown()

    start = clock.now()
    await vt.run(scenario())
    sends = [(e, (at - start).total_seconds()) for e, at in api.times if e != "getMe"]
    assert [e for e, _ in sends] == ["sendMessage"] * 5
    assert sends[0][1] == 0 and sends[1][1] >= 1.0
    assert sends[4][1] >= sends[3][1] + 3
