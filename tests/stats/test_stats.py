"""/stats against a known history: totals, averages, longest, trend, best efforts, habits."""

from __future__ import annotations

from datetime import date

from bot.charts import calendar_figure, distance_figure
from bot.services.stats import best_efforts
from tests.fakes import Harness
from tests.stats.helpers import bar_heights, log_history, png_size


async def test_stats_month_counts_the_months_runs_and_habits(harness: Harness) -> None:
    chat = harness.chat()
    await log_history(chat)

    reply = await chat.say("/stats")

    text = reply.text
    assert text.startswith("This month (01 Nov 2026 - 26 Nov 2026):")
    # 5 + 10 + 5.05 + 21.0975 + 1 km; 25:00 + 50:00 + 24:00 + 1:50:00 + 4:10
    assert "🏃 5 runs · 42.15 km · 3:33:10" in text
    assert "Average: 8.43 km a run at 5:03 /km" in text
    assert "Longest: #4 · Sun 15 Nov 2026 · 21.10 km in 1:50:00" in text
    assert "1 km: 4:10 (4:10 /km) · #5, 01 Nov 2026" in text
    assert "5 km: 23:46 (4:45 /km) · #3, 17 Nov 2026" in text  # scaled from 5.05 km
    assert "10 km: 50:00 (5:00 /km) · #2, 24 Nov 2026" in text
    assert "half: 1:50:00" in text
    assert "😴 1 of 1 logged night at 7 h or more" in text
    assert "🦵 Mobility: 2 of 10 sessions on run days" in text
    assert "🍌 a snack on 1 of 5 run days" in text
    [chart] = reply.attachments
    assert chart.mime_type == "image/png"
    assert png_size(chart.data)[0] == 1000


async def test_each_period_has_its_own_runs(harness: Harness) -> None:
    chat = harness.chat()
    await log_history(chat)

    week = (await chat.say("/stats week")).text
    year = (await chat.say("/stats year")).text
    everything = (await chat.say("/stats all")).text

    assert "This week (23 Nov 2026 - 26 Nov 2026):" in week
    assert "🏃 2 runs · 15.00 km · 1:15:00" in week
    assert "Best efforts" in week and "half" not in week
    assert "🏃 7 runs · 62.15 km" in year
    assert "All time (01 Dec 2025 - 26 Nov 2026):" in everything
    assert "🏃 8 runs · 72.15 km" in everything
    # The 10 km of last year (45:00) beats this year's 50:00.
    assert "10 km: 45:00 (4:30 /km) · #8, 01 Dec 2025" in everything
    assert "💪 1 strength session in 52 weeks" in everything


async def test_weekly_trend_compares_the_last_four_weeks_with_the_four_before(
    harness: Harness,
) -> None:
    chat = harness.chat()
    # Four full weeks before this one with 20 km each, four before them with 10 km each.
    for monday in ("2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"):
        await chat.say(f"/log 20k 1:40:00 {monday}")
    for monday in ("2026-09-28", "2026-10-05", "2026-10-12", "2026-10-19"):
        await chat.say(f"/log 10k 50:00 {monday}")

    text = (await chat.say("/stats")).text

    assert "Weekly trend: 20.00 km a week over the last 4 weeks (+100% on the 4 before)" in text


async def test_stats_in_miles_for_a_runner_in_miles(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/settings units mi")
    await chat.say("/log 3.1mi 25:00")

    text = (await chat.say("/stats week")).text

    assert "🏃 1 run · 3.10 mi · 25:00" in text
    assert "/mi" in text


async def test_no_runs_yet_and_an_unknown_period(harness: Harness) -> None:
    chat = harness.chat()

    empty = await chat.say("/stats")
    wrong = await chat.say("/stats decade")

    assert "no runs yet" in empty.text
    assert empty.attachments == ()  # nothing to draw: no empty chart
    assert "/stats knows week, month, year or all there; not 'decade'" in wrong.text
    assert wrong.attachments == ()


async def test_best_efforts_count_runs_within_two_percent_only(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5.2km 24:00 2026-11-20")  # 4% over: no 5 km effort
    await chat.say("/log 9.85km 50:00 2026-11-21")  # 1.5% under: a 10 km effort
    user = await harness.user(chat)

    async with harness.db.reader() as uow:
        best = await best_efforts(uow, user.id, date(2026, 1, 1), date(2026, 11, 26))

    assert [(b.name, b.duration_s) for b in best] == [("10 km", round(3000 * 10000 / 9850))]


async def test_the_stats_chart_has_a_bar_per_week_and_the_calendar_a_cell_per_habit_and_week(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await log_history(chat)
    user = await harness.user(chat)

    weeks = await harness.core.stats.weeks(user, 12)
    fig = distance_figure(weeks, user.units)
    distance_ax, nights_ax = fig.axes
    heights = [round(h, 2) for h in bar_heights(distance_ax)]
    calendar = calendar_figure(weeks[-8:])

    assert len(distance_ax.patches) == 12 and len(nights_ax.patches) == 12
    assert heights[-1] == 15.0 and heights[-2] == 5.05  # this week, last week (km)
    assert bar_heights(nights_ax)[-1] == 1  # one night of 7 h+
    assert len(calendar.axes[0].patches) == 8 * 4


async def test_no_trend_without_earlier_weeks(harness: Harness) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")

    text = (await chat.say("/stats week")).text

    assert "Weekly trend: no runs in the 4 weeks before this one yet." in text


async def test_best_efforts_from_a_long_run_are_not_called_runs_within_two_percent(
    harness: Harness,
) -> None:
    chat = harness.chat()
    await chat.say("/log 5k 25:00")

    text = (await chat.say("/stats")).text

    assert "Best efforts:" in text and "within 2%" not in text
