"""The habit calendar does not paint the weeks before the runner started as weeks of failure."""

from __future__ import annotations

from matplotlib.text import Text

from bot.charts import calendar_figure
from tests.fakes import Harness

# Today is Thursday 26 Nov 2026; the calendar's 8 weeks start on Monday 5 Oct.


def cell_texts(fig: object) -> list[str]:
    """The labels inside the calendar's cells, column by column, top to bottom."""
    [ax] = fig.axes  # type: ignore[attr-defined]
    return [t.get_text() for t in ax.texts if isinstance(t, Text)]


async def test_weeks_before_the_first_run_are_blank_and_this_week_counts_nights_so_far(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00 2026-11-17")
    await chat.say("/slept 7.5")
    user = await harness.user(chat)

    weeks = await harness.core.stats.weeks(user, 8)
    first = await harness.core.stats.first_day(user)
    texts = cell_texts(
        calendar_figure(weeks, 2, first=first, today=user.today(harness.clock.now()))
    )

    before, last_week, this_week = texts[:24], texts[24:28], texts[28:]
    assert set(before) == {""}  # 6 weeks x 4 habits before Pacer knew the runner
    assert last_week == ["0/7", "0/2", "0/2", "0/1"]
    assert this_week[0] == "1/4"  # Mon to Thu: four nights so far, not 1/7


async def test_the_chart_reply_still_carries_one_png(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")

    reply = await chat.say("/chart habits")

    [png] = reply.attachments
    assert png.mime_type == "image/png"
