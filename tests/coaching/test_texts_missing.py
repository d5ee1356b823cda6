"""Every nudge text reads right with any setting missing (no "Run at soon?")."""

from __future__ import annotations

import itertools
from datetime import time

import pytest

from bot.clock import FakeClock
from bot.coaching import StrengthSession
from bot.nudges.kinds import Kind
from bot.nudges.texts import NudgeContext, nudge_reply
from tests.fakes import Harness, fire
from tests.nudges.conftest import RecordingMessenger

# Words that betray a missing value dropped into a sentence.
BROKEN = ("soon?", "None", "{", "}", "your bedtime", "at  ", " .", "  ")

OPTIONAL = {
    "bedtime": time(22, 30),
    "target_bedtime": time(22, 0),
    "run_time": time(7, 0),
    "race_days_left": 9,
    "race_name": "Valencia",
    "session": StrengthSession("side-plank", 35),
}


def contexts() -> list[NudgeContext]:
    """Every combination of optional fields set or missing, over every rotation."""
    found = []
    names = list(OPTIONAL)
    for chosen in itertools.product((False, True), repeat=len(names)):
        values = {n: OPTIONAL[n] for n, on in zip(names, chosen, strict=True) if on}
        for seq in range(12):
            found.append(NudgeContext(delivery_id=1, seq=seq, **values))  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize("kind", list(Kind))
def test_every_text_reads_right_with_any_setting_missing(kind: Kind) -> None:
    for ctx in contexts():
        reply = nudge_reply(kind, ctx)
        for bad in BROKEN:
            assert bad not in reply.text, (kind, ctx, reply.text)
        assert reply.text[0].isupper() or reply.text[0] in "-", reply.text
        for button in reply.all_buttons:
            assert "None" not in button.label and "None" not in button.action


async def test_nudges_test_with_nothing_set_reads_right(harness: Harness, clock: FakeClock) -> None:
    messenger = RecordingMessenger("console", clock)
    harness.core.messengers["console"] = messenger
    chat = harness.chat()
    reply = await chat.say("/nudges test")
    assert "Sending one of each kind (5)" in reply.text
    await fire(harness)
    texts = messenger.texts()
    assert len(texts) == 5
    for text in texts:
        for bad in BROKEN:
            assert bad not in text, text
    assert not any("Run at" in t for t in texts)
