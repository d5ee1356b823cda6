"""Distance along recorded positions (for files that carry no distance of their own)."""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

# The haversine formula on gpxpy's sphere (its ``haversine_distance``, written out here
# because it runs once per recorded point: a Strava import calls it a million times).
EARTH_RADIUS = 6378.137 * 1000


def along(points: list[tuple[float | None, float | None]]) -> list[float]:
    """Metres so far at each point, along (lat, lon); a point without a position keeps
    the figure before it."""
    out: list[float] = []
    total = 0.0
    prev_lat = prev_lon = prev_cos = None
    for lat, lon in points:
        if lat is not None and lon is not None:
            lat_r = radians(lat)
            cos_lat = cos(lat_r)
            if prev_lat is not None and prev_lon is not None and prev_cos is not None:
                half_lat = sin((lat_r - prev_lat) / 2)
                half_lon = sin(radians(lon - prev_lon) / 2)
                a = half_lat * half_lat + half_lon * half_lon * cos_lat * prev_cos
                total += 2 * EARTH_RADIUS * asin(sqrt(a))
            prev_lat, prev_lon, prev_cos = lat_r, lon, cos_lat
        out.append(total)
    return out
