"""Pictures of progress as PNG: the weekly distance with good-sleep nights, the habit calendar.

Drawn with matplotlib's object API (a ``Figure`` on an Agg canvas, never ``pyplot``'s
global state), so charts can be drawn side by side. Drawing takes
a couple of hundred milliseconds of CPU: callers draw through
:class:`bot.chart_pool.ChartPainter` (a worker process), never on the event loop. The
functions take plain data (frozen dataclasses), so they can be sent to another process.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from bot.coaching import mobility_count
from bot.parsing import METERS_PER_MILE
from bot.progress import WeekPoint

WIDTH_IN, DPI = 10.0, 100  # 1000 px wide: sharp on a phone, small to send
FONT = 16
DISTANCE_COLOR = "#2b7bba"
SLEEP_COLOR = "#8e6fc1"
EMPTY_COLOR = "#e6e6e6"
HABIT_ROWS = ("Sleep 7h+", "Mobility", "Strength", "Fuel")
DEFAULT_STRENGTH_TARGET = 2  # sessions a week when no strength days are set


def _distance(meters: float, units: str) -> float:
    return meters / (METERS_PER_MILE if units == "mi" else 1000.0)


def _label(week: WeekPoint) -> str:
    return f"{week.start:%d %b}"


def distance_figure(weeks: Sequence[WeekPoint], units: str) -> Figure:
    """Weekly distance (bars, left axis) beside good-sleep nights (bars, right axis, 0-7)."""
    # Fixed margins: a layout engine would double the drawing time.
    fig = Figure(figsize=(WIDTH_IN, 6.0), dpi=DPI)
    fig.subplots_adjust(left=0.08, right=0.92, bottom=0.17, top=0.91)
    ax = fig.add_subplot()
    nights_ax = ax.twinx()
    xs = range(len(weeks))
    distances = [_distance(w.runs.distance_m, units) for w in weeks]
    ax.bar([x - 0.2 for x in xs], distances, width=0.4, color=DISTANCE_COLOR, label=units)
    nights_ax.bar(
        [x + 0.2 for x in xs],
        [w.habits.good_nights for w in weeks],
        width=0.4,
        color=SLEEP_COLOR,
        label="nights of 7 h+",
    )
    ax.set_title(f"Weekly distance ({units}) and nights of 7 h or more", fontsize=FONT + 2)
    ax.set_ylabel(f"distance ({units})", fontsize=FONT, color=DISTANCE_COLOR)
    nights_ax.set_ylabel("nights of 7 h+", fontsize=FONT, color=SLEEP_COLOR)
    nights_ax.set_ylim(0, 7.5)
    nights_ax.set_yticks(range(0, 8))
    ax.set_ylim(0, max([*distances, 1.0]) * 1.15)
    ax.set_xticks(list(xs), [_label(w) for w in weeks], rotation=45, ha="right")
    for axis in (ax, nights_ax):
        axis.tick_params(labelsize=FONT - 2)
        axis.spines["top"].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return fig


def _cells(
    week: WeekPoint, strength_target: int, nights: int = 7
) -> list[tuple[float | None, str]]:
    """(share of the habit done or None when it does not apply, the label) per habit row.

    ``nights``: the nights the week has had so far (7 once it is over).
    """
    r, h = week.runs, week.habits
    target = strength_target or DEFAULT_STRENGTH_TARGET
    cells: list[tuple[float | None, str]] = [(h.good_nights / nights, f"{h.good_nights}/{nights}")]
    mobility = mobility_count(h.mobility_sessions, h.mobility_on_run_days, r.run_days)
    if mobility.wanted:
        cells.append((mobility.done / mobility.wanted, f"{mobility.done}/{mobility.wanted}"))
    else:
        # No run: nothing was asked; sessions of other days are shown, not shaded.
        cells.append((None, str(mobility.other) if mobility.other else "–"))
    cells.append((min(h.strength_sessions / target, 1.0), f"{h.strength_sessions}/{target}"))
    if r.run_days:
        cells.append((h.snacks_after_runs / r.run_days, f"{h.snacks_after_runs}/{r.run_days}"))
    else:
        cells.append((None, "–"))
    return cells


def _shade(share: float | None) -> str:
    """From pale to deep green as more of the habit was done; grey when it does not apply."""
    if share is None:
        return EMPTY_COLOR
    light, deep = (0.93, 0.96, 0.91), (0.10, 0.55, 0.25)
    rgb = tuple(a + (b - a) * share for a, b in zip(light, deep, strict=True))
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def calendar_figure(
    weeks: Sequence[WeekPoint],
    strength_target: int = 0,
    first: date | None = date.min,
    today: date | None = None,
) -> Figure:
    """The four habits (rows) over the weeks (columns): one shaded cell each, with its count.

    Weeks before ``first`` (the runner's first run or check-in; None: there is none) are
    blank grey: Pacer did not know them, they are not weeks of nothing done. This week's
    sleep counts the nights up to ``today``.
    """
    fig = Figure(figsize=(WIDTH_IN, 5.5), dpi=DPI)
    fig.subplots_adjust(left=0.13, right=0.99, bottom=0.25, top=0.9)
    ax = fig.add_subplot()
    started = first
    if first is not None and first != date.min:
        started = first - timedelta(days=first.weekday())  # its Monday
    for col, week in enumerate(weeks):
        if started is None or week.start < started:
            cells: list[tuple[float | None, str]] = [(None, "")] * len(HABIT_ROWS)
        else:
            so_far = (today - week.start).days + 1 if today is not None else 7
            cells = _cells(week, strength_target, min(max(so_far, 1), 7))
        for row, (share, text) in enumerate(cells):
            ax.add_patch(
                Rectangle((col, row), 0.94, 0.9, facecolor=_shade(share), edgecolor="white")
            )
            dark = share is not None and share > 0.55
            ax.text(col + 0.47, row + 0.45, text, ha="center", va="center", fontsize=FONT,
                    color="white" if dark else "#333333")  # fmt: skip
    ax.set_xlim(0, len(weeks))
    ax.set_ylim(len(HABIT_ROWS), 0)
    ax.set_yticks([i + 0.45 for i in range(len(HABIT_ROWS))], HABIT_ROWS)
    ax.set_xticks([i + 0.47 for i in range(len(weeks))], [_label(w) for w in weeks],
                  rotation=45, ha="right")  # fmt: skip
    ax.tick_params(labelsize=FONT - 1, length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title("Habits week by week (weeks start on Monday)", fontsize=FONT + 2)
    fig.text(
        0.5,
        0.015,
        "sleep: nights of 7 h+ · mobility: sessions on run days, 2 a run day · strength: "
        "sessions, of the weekly target\nfuel: run days with a snack · grey: no run that week, "
        "or before you started",
        ha="center",
        fontsize=FONT - 4,
        color="#555555",
    )
    return fig


def render(fig: Figure) -> bytes:
    """A figure as PNG bytes (on its own Agg canvas)."""
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def distance_png(weeks: Sequence[WeekPoint], units: str) -> bytes:
    """The weekly distance chart as PNG (blocking: draw it through the chart pool)."""
    return render(distance_figure(weeks, units))


def calendar_png(
    weeks: Sequence[WeekPoint],
    strength_target: int = 0,
    first: date | None = date.min,
    today: date | None = None,
) -> bytes:
    """The habit calendar as PNG (blocking: draw it through the chart pool)."""
    return render(calendar_figure(weeks, strength_target, first, today))
