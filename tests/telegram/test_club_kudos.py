"""Kudos and the club feed through the Telegram adapter and the real core (both backends)."""

from __future__ import annotations

from adapters.telegram import TelegramAdapter
from tests.fakes import Harness
from tests.telegram.club import BOB_ID, buttons, press, say
from tests.telegram.fakes import RecordingRequest
from tests.telegram.updates import GROUP_ID, RUNNER_ID


async def test_a_cheer_is_an_alert_to_the_presser_once_and_never_for_yourself(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    await say(tg, "/log 10k 50:00 knee felt odd")
    logged, week = request.calls_to("sendMessage")[-2:]
    assert logged.chat_id == GROUP_ID and "knee" not in logged.text
    assert week.chat_id == RUNNER_ID and week.text.startswith("This week: 10.00 km over 1 run")
    cheer = buttons(logged)["👏 Cheer"]
    assert cheer == "/kudos 1"  # no owner mark: anyone in the group may press it
    sent_before = len(request.calls_to("sendMessage"))
    await press(tg, cheer, user=BOB_ID)
    await press(tg, cheer, user=BOB_ID)
    await press(tg, cheer, user=RUNNER_ID)
    alerts = [c.params for c in request.calls_to("answerCallbackQuery")]
    assert [(a.get("text"), a.get("show_alert")) for a in alerts[-3:]] == [
        ("👏 You cheered Ada's 10.00 km.", True),
        ("You cheered this run already.", True),
        ("That's your own run: cheers are for club-mates. 🙂", True),
    ]
    assert len(request.calls_to("sendMessage")) == sent_before  # nothing said in the group


async def test_the_feed_posts_an_opted_in_members_private_run_to_the_group(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest], harness: Harness
) -> None:
    tg, request = telegram_on_core
    messenger = tg.messenger
    assert messenger is not None
    harness.core.messengers["telegram"] = messenger
    request.member_status[(GROUP_ID, RUNNER_ID)] = "administrator"
    await say(tg, "/club feed on")
    assert "The run feed is on" in request.calls_to("sendMessage")[-1].text
    await say(tg, "/challenge list", user=BOB_ID)  # Bob takes part in the club
    await say(tg, "/settings feed on", user=BOB_ID, group=False)
    await say(tg, "/log 7k 35:00 private thoughts", user=BOB_ID, group=False)
    await harness.core.sweeper.sweep()
    await harness.core.sweeper.drain()
    post = request.calls_to("sendMessage")[-1]
    assert post.chat_id == GROUP_ID
    assert post.text == "🏃 Bob ran 7.00 km in 35:00 (5:00 /km) · today"
    await press(tg, buttons(post)["👏 Cheer"], user=RUNNER_ID)
    alert = request.calls_to("answerCallbackQuery")[-1].params
    assert alert["text"] == "👏 You cheered Bob's 7.00 km."


async def test_help_for_the_club_commands_in_a_group(
    telegram_on_core: tuple[TelegramAdapter, RecordingRequest],
) -> None:
    tg, request = telegram_on_core
    await say(tg, "/help challenge create")
    shown = request.calls_to("sendMessage")[-1]
    assert shown.chat_id == GROUP_ID
    assert shown.text.startswith("/challenge create: Start a club challenge")
    await say(tg, "/help club")
    club = request.calls_to("sendMessage")[-1].text
    assert "/club feed on" in club and "/help &lt;command&gt; explains one" in club  # HTML
