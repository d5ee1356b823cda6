"""One formatting rule per unit: a distance reads the same in /log, /week, /stats and the club."""

from __future__ import annotations

from tests.clubs.conftest import club_chat
from tests.fakes import Harness


async def test_a_distance_reads_the_same_in_every_reply(harness: Harness) -> None:
    ann = club_chat(harness, "ann", admin=True)
    created = await ann.say("/challenge create Winter Miles distance today 4w target 100km")
    assert "target 100.00 km each" in created.text
    await ann.say("/challenge join Winter Miles")
    dm = harness.chat("ann", "telegram")

    logged = (await dm.say("/log 10k 50:00")).text
    board = (await ann.say("/challenge board")).text
    week = (await dm.say("/week")).text
    stats = (await dm.say("/stats week")).text

    assert "10.00 km in 50:00 (5:00 /km)" in logged
    assert "This week: 10.00 km over 1 run" in logged
    assert "Winter Miles: 10.00/100.00 km, 1st of 1" in logged
    assert "1. Ann (you) 10.00 km" in board
    assert "🏃 Runs: 1 · 10.00 km" in week
    assert "10.00 km · 50:00" in stats
    for text in (logged, board, week, stats):
        # "10 km:" names the best effort; no distance is written short.
        assert "10.0 km" not in text and "10/100" not in text
        assert "10 km" not in text.replace("10 km:", "")
