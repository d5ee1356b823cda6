"""Distance along recorded positions (for files that carry no distance of their own)."""

from __future__ import annotations

from gpxpy.geo import haversine_distance


def along(points: list[tuple[float | None, float | None]]) -> list[float]:
    """Metres so far at each point, along (lat, lon); a point without a position keeps
    the figure before it."""
    out: list[float] = []
    total = 0.0
    prev: tuple[float, float] | None = None
    for lat, lon in points:
        if lat is not None and lon is not None:
            if prev is not None:
                total += haversine_distance(prev[0], prev[1], lat, lon)
            prev = (lat, lon)
        out.append(total)
    return out
