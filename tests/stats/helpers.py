"""Reading PNGs as a phone would get them, and a known history to count on."""

from __future__ import annotations

import struct

from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from tests.fakes import FakeChat

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def bar_heights(ax: Axes) -> list[float]:
    """The heights of an axes' bars, left to right (every patch must be a bar)."""
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == len(ax.patches)
    return [float(b.get_height()) for b in sorted(bars, key=lambda b: b.get_x())]


# The fake clock's today is Thursday 26 Nov 2026 (UTC). Weeks start on Monday 23 Nov,
# 16 Nov, 9 Nov, 2 Nov; the month on 1 Nov (a Sunday, in the week of 26 Oct).
HISTORY = (
    "/log 5k 25:00",  # today, Thu 26 Nov
    "/log 10k 50:00 2026-11-24",  # Tue
    "/log 5.05km 24:00 2026-11-17",  # within 2% of 5 km: 23:46 for exactly 5 km
    "/log half 1:50:00 2026-11-15",  # Sun 15 Nov, the longest
    "/log 1k 4:10 2026-11-01",  # Sun 1 Nov: in the month, in the week of 26 Oct
    "/log 8k 40:00 2026-10-20",  # October: this year, not this month
    "/log 12k 1:00:00 2026-01-05",  # this year
    "/log 10km 45:00 2025-12-01",  # last year: only in "all"
)
CHECKINS = (
    "/slept 7.5",  # Thu 26 Nov
    "/mobility post",  # Thu 26 Nov, a run day
    "/mobility pre",
    "/fuel",  # Thu 26 Nov, with the run
    "/strength plank 60",
)


async def log_history(chat: FakeChat) -> None:
    """Log :data:`HISTORY` and today's check-ins through the chat."""
    for line in HISTORY + CHECKINS:
        reply = await chat.say(line)
        assert "Logged" in reply.text or "Checked in" in reply.text, reply.text
