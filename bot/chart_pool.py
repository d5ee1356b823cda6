"""Where charts are drawn: in the worker processes of :mod:`bot.workers`.

Agg draws in C++ holding the GIL, so a chart drawn in a thread still stalls the
event loop for a couple of hundred milliseconds; a worker process draws it and the
loop only waits for the PNG bytes (a thread where no process can be started).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.charts import calendar_png, distance_png
from bot.progress import WeekPoint
from bot.workers import Workers


class ChartPainter(Workers):
    """Draws the charts as PNG off the event loop: in worker processes, else in a thread."""

    async def distance(self, weeks: Sequence[WeekPoint], units: str) -> bytes:
        """The weekly distance chart."""
        return await self.run(distance_png, tuple(weeks), units)

    async def calendar(
        self,
        weeks: Sequence[WeekPoint],
        strength_target: int = 0,
        first: date | None = date.min,
        today: date | None = None,
    ) -> bytes:
        """The habit calendar."""
        return await self.run(calendar_png, tuple(weeks), strength_target, first, today)
