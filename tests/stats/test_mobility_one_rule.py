"""Mobility reads the same in /week, /stats and /chart habits: 2 a run day, other days apart."""

from __future__ import annotations

from datetime import timedelta

from bot.charts import calendar_figure
from tests.fakes import Harness

# The fake clock's today is Thursday 26 Nov 2026; this week starts Monday 23 Nov.


async def test_week_stats_and_the_habit_chart_count_mobility_alike(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 mon")
    await chat.say("/log 8k 40:00")
    harness.clock.advance(timedelta(days=-1))  # Wednesday: no run, a session all the same
    await chat.say("/mobility pre")
    harness.clock.advance(timedelta(days=1))
    await chat.say("/mobility pre")
    await chat.say("/mobility post")

    week = (await chat.say("/week")).text
    stats = (await chat.say("/stats week")).text
    user = await harness.user(chat)
    [point] = await harness.core.stats.weeks(user, 1)
    [ax] = calendar_figure([point], strength_target=2).axes

    assert "🦵 Mobility: 2 of 4 sessions on run days (pre 1, post 1) (+1 on other days)" in week
    assert "🦵 Mobility: 2 of 4 sessions on run days (+1 on other days)" in stats
    assert [t.get_text() for t in ax.texts][1] == "2/4"
