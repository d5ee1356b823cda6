"""Nudge texts and their one-tap buttons."""

from __future__ import annotations

from datetime import time

import pytest

from bot.coaching import StrengthSession
from bot.messages import MAX_ACTION_BYTES
from bot.nudges.kinds import Kind
from bot.nudges.texts import NudgeContext, nudge_reply, nudge_text


@pytest.mark.parametrize("kind", list(Kind))
def test_every_nudge_answers_in_one_tap(kind: Kind) -> None:
    reply = nudge_reply(kind, NudgeContext(delivery_id=2_147_483_647, seq=3, bedtime=time(22, 45)))
    actions = [b.action for b in reply.all_buttons]
    assert all(len(a.encode()) <= MAX_ACTION_BYTES for a in actions)
    assert "/nudge snooze 2147483647 20m" in actions
    assert "/nudge snooze 2147483647 1h" in actions
    # Post-run fuel cannot wait until tomorrow, so it has no such button.
    assert ("/nudge snooze 2147483647 tomorrow" in actions) is (kind is not Kind.POST_RUN_FUEL)
    assert "/nudge skip 2147483647" in actions
    assert f"/nudge stop {kind.value}" in actions
    assert reply.private


def test_check_in_buttons_are_the_check_in_commands() -> None:
    sleep = nudge_reply(Kind.SLEEP_CHECKIN, NudgeContext(1, 0))
    assert [(b.label, b.action) for b in sleep.buttons[0]] == [
        ("under 6 h", "/slept 5.5"),
        ("6-7", "/slept 6.5"),
        ("7-8", "/slept 7.5"),
        ("8+", "/slept 8.5"),
    ]
    assert (
        nudge_reply(Kind.PRE_RUN_MOBILITY, NudgeContext(1, 0)).buttons[0][0].action
        == "/mobility pre"
    )
    assert nudge_reply(Kind.POST_RUN_FUEL, NudgeContext(1, 0)).buttons[0][0].action == "/fuel"
    strength = nudge_reply(
        Kind.STRENGTH, NudgeContext(1, 0, session=StrengthSession("side-plank", 35))
    )
    assert strength.buttons[0][0].action == "/strength side-plank 35"
    assert "side plank 35 s each side" in strength.text and "3 x 6" in strength.text
    assert nudge_reply(Kind.WIND_DOWN, NudgeContext(9, 0)).buttons[0][0].action == "/nudge done 9"


@pytest.mark.parametrize("kind", list(Kind))
def test_variants_rotate_day_by_day(kind: Kind) -> None:
    texts = {nudge_text(kind, NudgeContext(1, seq, bedtime=time(22, 0))) for seq in range(10)}
    assert len(texts) >= 4


def test_race_weeks_change_the_sleep_nudges_only() -> None:
    race = NudgeContext(1, 0, bedtime=time(22, 0), race_days_left=9, race_name="Berlin Marathon")
    assert "Berlin Marathon" in nudge_text(Kind.WIND_DOWN, race)
    assert "9 days" in nudge_text(Kind.WIND_DOWN, race)
    assert "Berlin Marathon" in nudge_text(Kind.SLEEP_CHECKIN, race)
    assert "Berlin" not in nudge_text(Kind.STRENGTH, race)
    tomorrow = NudgeContext(1, 1, race_days_left=1)
    assert "tomorrow" in nudge_text(Kind.SLEEP_CHECKIN, tomorrow)


def test_mobility_carries_the_routine() -> None:
    text = nudge_text(Kind.PRE_RUN_MOBILITY, NudgeContext(1, 0, run_time=time(7, 0)))
    for move in ("Leg swings", "Clam shells", "Lunges", "butt kicks"):
        assert move in text


def test_kind_aliases() -> None:
    assert Kind.parse("bedtime") is Kind.WIND_DOWN
    assert Kind.parse("pre-run-mobility") is Kind.PRE_RUN_MOBILITY
    with pytest.raises(ValueError):
        Kind.parse("yoga")


def test_no_tomorrow_button_on_post_run_fuel_and_next_run_day_on_mobility() -> None:
    fuel = nudge_reply(Kind.POST_RUN_FUEL, NudgeContext(5, 0))
    assert [b.label for b in fuel.all_buttons if "snooze" in b.action] == [
        "Snooze 20 min",
        "Snooze 1 h",
    ]
    mobility = nudge_reply(Kind.PRE_RUN_MOBILITY, NudgeContext(5, 0))
    [later] = [b for b in mobility.all_buttons if b.action == "/nudge snooze 5 tomorrow"]
    assert later.label == "Next run day"


@pytest.mark.parametrize("days_left", range(15))
@pytest.mark.parametrize("name", ["Valencia", "Berlin Half", ""])
def test_race_variants_read_naturally_for_every_day(days_left: int, name: str) -> None:
    shown = name or "Your race"
    expected = {0: f"{shown} is today", 1: f"{shown} is tomorrow"}.get(
        days_left, f"{shown} is {days_left} days away"
    )
    for seq in range(6):
        ctx = NudgeContext(1, seq, bedtime=time(22, 0), race_days_left=days_left, race_name=name)
        sleep = nudge_text(Kind.SLEEP_CHECKIN, ctx)
        wind = nudge_text(Kind.WIND_DOWN, ctx)
        assert expected.lower() in sleep.lower()
        for text in (sleep, wind):
            for wrong in (
                "away to",
                "today to",
                "tomorrow to",
                " 0 days",
                " 1 days",
                "Race countdown",
            ):
                assert wrong not in text
        if days_left == 0:  # the evening of race day: the race is behind them
            assert shown not in wind and "Nothing you do tonight" not in wind
        else:
            assert expected in wind


@pytest.mark.parametrize("seq", range(10))
def test_wind_down_texts_never_name_a_lead_they_do_not_know(seq: int) -> None:
    text = nudge_text(Kind.WIND_DOWN, NudgeContext(1, seq, bedtime=time(22, 45))).lower()
    for duration in ("half an hour", "30 min", "thirty", "an hour", "minutes"):
        assert duration not in text
