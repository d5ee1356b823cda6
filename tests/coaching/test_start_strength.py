"""/start asks for strength days and time, skippable like every other question."""

from __future__ import annotations

from tests.fakes import Harness

FIRST_ANSWERS = ("Europe/Berlin", "km", "mon,wed,sat", "07:00", "23:00", "22:30", "06:30")


async def test_start_asks_strength_days_and_time_and_the_nudge_follows(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/start")
    for answer in FIRST_ANSWERS:
        reply = await chat.say(answer)
    assert "(8/9) Which days suit a short strength session" in reply.text
    days = await chat.press("Tue Fri")
    assert "Strength days set to Tue, Fri." in days.text and "(9/9)" in days.text
    done = await chat.say("18:30")
    assert "Strength time set to 18:30." in done.text and "You're set up" in done.text
    assert "strength_days: Tue, Fri" in done.text and "strength_time: 18:30" in done.text
    user = await harness.user(chat)
    assert (user.prefs.strength_days, user.prefs.strength_time) == ((1, 4), "18:30")
    status = await chat.say("/nudges")
    assert "Strength: next tomorrow 18:30" in status.text


async def test_strength_questions_can_be_skipped_or_answered_wrong(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/start")
    for answer in FIRST_ANSWERS:
        await chat.say(answer)
    wrong = await chat.say("someday")
    assert "I don't know the day 'someday'" in wrong.text and "(8/9)" in wrong.text
    await chat.say("skip")
    done = await chat.say("skip")
    assert "You're set up" in done.text
    user = await harness.user(chat)
    assert (user.prefs.strength_days, user.prefs.strength_time) == ((), None)


async def test_start_with_strength_options_is_all_or_nothing(harness: Harness) -> None:
    chat = harness.chat()
    bad = await chat.say(
        "", command="start", options={"bedtime": "23:00", "strength_time": "25:99"}
    )
    assert "All set" not in bad.text
    user = await harness.user(chat)
    assert (user.bedtime, user.prefs.strength_time) == (None, None)
    good = await chat.say(
        "", command="start", options={"strength_days": "tue,fri", "strength_time": "18:30"}
    )
    assert "Strength days set to Tue, Fri." in good.text and "All set" in good.text
    user = await harness.user(chat)
    assert (user.prefs.strength_days, user.prefs.strength_time) == ((1, 4), "18:30")
