"""The Messenger makes one attempt per call and maps Bot API errors to the ports."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.telegram import TelegramAdapter, TelegramMessenger
from bot.budget import SendBudget
from bot.clock import FakeClock
from bot.messages import Attachment, Reply
from bot.ports import (
    DeliveryError,
    Messenger,
    RateLimited,
    TransientDeliveryError,
    Unreachable,
)
from tests.fakes import FakeCore
from tests.telegram.fakes import RecordingRequest
from tests.telegram.updates import RUNNER_ID

# PTB 22's own RetryAfter constructor warns about its future timedelta type.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

NUDGE = Reply(text="Time for your 10-minute hip routine & a <short> walk")


async def test_the_adapters_messenger_sends_through_its_bot(
    adapter: TelegramAdapter, fake_request: RecordingRequest
) -> None:
    messenger: Messenger = adapter.messenger  # what App.messengers hands the core

    await messenger.send_direct(str(RUNNER_ID), Reply("Bedtime in 30 minutes"))

    assert messenger.platform == "telegram"
    assert fake_request.api_calls == ["sendMessage"]
    [sent] = fake_request.calls_to("sendMessage")
    assert (sent.chat_id, sent.text) == (RUNNER_ID, "Bedtime in 30 minutes")


async def test_empty_reply_is_a_delivery_error_not_a_success(
    adapter: TelegramAdapter, fake_request: RecordingRequest
) -> None:
    with pytest.raises(DeliveryError, match="empty reply"):
        await adapter.messenger.send_direct(str(RUNNER_ID), Reply(" \n "), dedupe_key="n:1")

    assert fake_request.api_calls == []


async def test_flood_control_is_one_quiet_log_line(
    adapter: TelegramAdapter, fake_request: RecordingRequest, caplog: pytest.LogCaptureFixture
) -> None:
    fake_request.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)

    with caplog.at_level(logging.DEBUG), pytest.raises(RateLimited):
        await adapter.messenger.send_direct(str(RUNNER_ID), NUDGE)

    limiter = [r for r in caplog.records if r.name == "adapters.telegram.rate_limiter"]
    assert [r.levelname for r in limiter] == ["INFO"]
    assert "429" in limiter[0].getMessage()
    assert limiter[0].exc_info is None
    assert "Traceback" not in caplog.text


async def test_send_direct_delivers_escaped_text(
    adapter: TelegramAdapter, fake_request: RecordingRequest
) -> None:
    await adapter.messenger.send_direct(str(RUNNER_ID), NUDGE, dedupe_key="nudge:1")

    [sent] = fake_request.calls_to("sendMessage")
    assert sent.chat_id == RUNNER_ID
    assert sent.params["text"] == "Time for your 10-minute hip routine &amp; a &lt;short&gt; walk"
    assert sent.params["parse_mode"] == "HTML"


@pytest.mark.parametrize(
    ("status", "description", "error"),
    [
        (403, "Forbidden: bot was blocked by the user", Unreachable),
        (403, "Forbidden: bot can't initiate conversation with a user", Unreachable),
        (400, "Bad Request: chat not found", Unreachable),
        (400, "Bad Request: message text is empty", DeliveryError),
        (500, "Internal Server Error", TransientDeliveryError),
        (502, "Bad Gateway", TransientDeliveryError),
    ],
)
async def test_errors_map_to_ports(
    adapter: TelegramAdapter,
    fake_request: RecordingRequest,
    status: int,
    description: str,
    error: type[Exception],
) -> None:
    fake_request.fail("sendMessage", status, description)

    with pytest.raises(error) as raised:
        await adapter.messenger.send_direct(str(RUNNER_ID), NUDGE)

    assert type(raised.value) is error
    assert len(fake_request.calls_to("sendMessage")) == 1


async def test_flood_control_is_raised_not_retried(
    adapter: TelegramAdapter, fake_request: RecordingRequest, fake_core: FakeCore
) -> None:
    fake_request.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)

    with pytest.raises(RateLimited) as raised:
        await adapter.messenger.send_direct(str(RUNNER_ID), NUDGE)

    assert raised.value.retry_after == 7.0
    assert len(fake_request.calls_to("sendMessage")) == 1  # PTB's limiter did not retry
    assert fake_core.unreachable == []  # the queue decides; the messenger calls nothing else


async def test_timeout_is_transient(
    adapter: TelegramAdapter, fake_request: RecordingRequest
) -> None:
    fake_request.timeout("sendMessage")

    with pytest.raises(TransientDeliveryError):
        await adapter.messenger.send_direct(str(RUNNER_ID), NUDGE)


async def test_retry_with_same_dedupe_key_resumes_after_sent_parts(
    adapter: TelegramAdapter, fake_request: RecordingRequest
) -> None:
    digest = Reply(
        text="Weekly digest",
        attachments=(Attachment("week.png", b"png", "image/png"),),
    )
    fake_request.fail("sendPhoto", 429, "Too Many Requests: retry after 3", retry_after=3)

    with pytest.raises(RateLimited):
        await adapter.messenger.send_direct(str(RUNNER_ID), digest, dedupe_key="digest:w48")
    await adapter.messenger.send_direct(str(RUNNER_ID), digest, dedupe_key="digest:w48")

    assert fake_request.api_calls == ["sendMessage", "sendPhoto", "sendPhoto"]


async def test_without_dedupe_key_a_retry_sends_everything(
    adapter: TelegramAdapter, fake_request: RecordingRequest
) -> None:
    digest = Reply(text="Weekly digest", attachments=(Attachment("w.png", b"png", "image/png"),))
    fake_request.fail("sendPhoto", 502, "Bad Gateway")

    with pytest.raises(TransientDeliveryError):
        await adapter.messenger.send_direct(str(RUNNER_ID), digest)
    await adapter.messenger.send_direct(str(RUNNER_ID), digest)

    assert fake_request.api_calls == ["sendMessage", "sendPhoto", "sendMessage", "sendPhoto"]


async def test_messenger_built_on_a_bot_delivers_escaped_text(
    adapter: TelegramAdapter, fake_request: RecordingRequest
) -> None:
    messenger = TelegramMessenger(adapter.application.bot)

    await messenger.send_direct(str(RUNNER_ID), Reply("5 < 10 & done"))

    assert fake_request.calls_to("sendMessage")[0].params["text"] == "5 &lt; 10 &amp; done"


GROUP = -1001234567890


async def test_send_group_posts_in_the_group_chat(
    adapter: TelegramAdapter, fake_request: RecordingRequest
) -> None:
    messenger: Messenger = adapter.messenger

    await messenger.send_group(str(GROUP), NUDGE, dedupe_key="club:1")

    [sent] = fake_request.calls_to("sendMessage")
    assert sent.chat_id == GROUP
    assert sent.params["text"] == "Time for your 10-minute hip routine &amp; a &lt;short&gt; walk"


async def test_send_group_maps_a_kicked_bot_to_unreachable(
    adapter: TelegramAdapter, fake_request: RecordingRequest
) -> None:
    fake_request.fail("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat")

    with pytest.raises(Unreachable):
        await adapter.messenger.send_group(str(GROUP), NUDGE)


async def test_the_messengers_sends_use_the_place_the_queue_holds(
    adapter: TelegramAdapter,
    fake_request: RecordingRequest,
    budget: SendBudget,
    budget_clock: FakeClock,
) -> None:
    chat = str(RUNNER_ID)
    async with budget.place(chat) as place:  # the outbound queue's place for this message
        before = budget_clock.now()
        await asyncio.wait_for(adapter.messenger.send_direct(chat, NUDGE, place=place), 1.0)
        assert budget_clock.now() == before  # straight through: no second place waited for

    assert len(fake_request.calls_to("sendMessage")) == 1
