"""/help for one command names every value a runner can pick."""

from __future__ import annotations

from tests.fakes import Harness


async def test_help_settings_names_every_item_including_the_digest(harness: Harness) -> None:
    chat = harness.chat()

    text = (await chat.say("/help settings")).text

    item_line = next(line for line in text.splitlines() if line.strip().startswith("item"))
    assert "digest" in item_line and "wake_time" in item_line and "fuel_delay" in item_line


async def test_help_does_not_repeat_choices_already_shown(harness: Harness) -> None:
    chat = harness.chat()

    text = (await chat.say("/help chart")).text

    assert "one of distance, habits" not in text  # usage already says [distance|habits]


async def test_a_wrong_choice_is_named_by_its_command_not_the_option(harness: Harness) -> None:
    chat = harness.chat()
    text = (await chat.say("/chart pie")).text
    assert "/chart knows distance or habits there; not 'pie'." in text
    assert "Which" not in text
