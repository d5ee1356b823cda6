"""Charts are PNGs a phone shows well, drawn off the event loop, in the runner's units."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta

import matplotlib.image

from bot.charts import calendar_figure, calendar_png, distance_figure, distance_png
from bot.progress import WeekPoint
from bot.storage.progress import HabitCounts, RunTotals
from tests.fakes import Harness
from tests.stats.helpers import PNG_SIGNATURE, bar_heights, png_size


def weeks(count: int) -> list[WeekPoint]:
    """Weeks with 3 runs of growing distance and a few good nights."""
    first = date(2026, 9, 7)
    return [
        WeekPoint(
            first + timedelta(weeks=i),
            RunTotals(3, 3, 20000.0 + 1000 * i, 7200),
            HabitCounts(7, i % 8, 3, i % 3, 2, mobility_on_run_days=3),
        )
        for i in range(count)
    ]


def test_distance_chart_is_a_png_about_1000_px_wide() -> None:
    data = distance_png(weeks(12), "km")

    width, height = png_size(data)
    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")

    assert data.startswith(PNG_SIGNATURE)
    assert width == 1000 and 400 <= height <= 800
    assert pixels.shape[:2] == (height, width)


def test_distance_chart_pairs_distance_and_good_nights_per_week_in_miles() -> None:
    fig = distance_figure(weeks(12), "mi")
    distance_ax, nights_ax = fig.axes

    assert len(distance_ax.patches) == 12
    assert len(nights_ax.patches) == 12
    assert round(bar_heights(distance_ax)[0], 3) == round(20000 / 1609.344, 3)
    assert bar_heights(nights_ax)[:8] == list(range(8))
    assert "mi" in distance_ax.get_ylabel()
    assert min(float(t.get_fontsize()) for t in distance_ax.get_xticklabels()) >= 12


def test_habit_calendar_has_four_rows_of_eight_weeks() -> None:
    fig = calendar_figure(weeks(8), strength_target=2)
    [ax] = fig.axes
    labels = [t.get_text() for t in ax.texts]

    assert len(ax.patches) == 32
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Sleep 7h+",
        "Mobility",
        "Strength",
        "Fuel",
    ]
    assert labels[:4] == ["0/7", "3/6", "0/2", "2/3"]  # mobility: 2 a run day; fuel: run days
    assert png_size(calendar_png(weeks(8)))[0] == 1000


def test_a_week_without_runs_shows_no_mobility_or_fuel_target() -> None:
    empty = [WeekPoint(date(2026, 11, 2), RunTotals(), HabitCounts())]

    labels = [t.get_text() for t in calendar_figure(empty).axes[0].texts]

    assert labels == ["0/7", "–", "0/2", "–"]


async def test_charts_are_drawn_off_the_event_loop(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    reply = await chat.say("/chart habits")
    task.cancel()

    assert png_size(reply.attachments[0].data)[0] == 1000
    assert ticks > 5  # the loop kept running while the chart was drawn
    assert "8 weeks" in reply.text
    distance = await chat.say("/chart distance")
    assert distance.attachments[0].filename.startswith("pacer-distance-")
