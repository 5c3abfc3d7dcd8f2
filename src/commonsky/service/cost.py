"""Bounded work per request: the judging cost of a body, estimated from the body alone, before anything is built.

Units are about a millisecond of one core; `ServiceSettings.max_request_cost` bounds the sum (413 beyond). Per
volume::

    0.5 + 0.13 per corridor point + 0.002 per polygon vertex        (building and buffering the shape)
        + 0.00004 per km2 x hour searched x (1 + vertices / 1,000)   (the stored intents met and intersected)

plus 2 per request. The area is taken generously (a polygon's lon/lat box, a corridor's length times its width
plus its round ends, a circle's disc) and the hours are the volume's window plus the 24 h the resolution search
looks later. The search term is calibrated on dense traffic, the broker benchmark's 100,000 intents over 25 x 15
degrees and 30 days: a 1 x 1 degree SFC-UNL box over those 30 days took 170 ms with resolutions (estimate 320),
2 x 2 degrees 1.3 s (1,270), 4 x 4 degrees 5.9 s (5,000). Shapes, measured over 3,000 intents: a 10 km circle
4 ms (estimate 3); a 10,000-vertex polygon of 20 km 24 ms (27); a 1,000-point corridor of 10 km 150 ms (200); a
10,000-point corridor of 5 km 1.4 s (1,800), of 500 km 2.6 s (63,000). The default bound, 600, refuses what
costs much over half a second: a probe may be wide or long, not both (a 4 x 4 degree SFC-UNL box of two hours
costs 180, a 12 x 12 degree one 1,600).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from commonsky.service.errors import TooLargeError
from commonsky.service.schemas import CircleIn, CorridorIn, PolygonIn, VolumeIn

REQUEST = 2.0
VOLUME = 0.5
PER_CORRIDOR_POINT = 0.13
PER_POLYGON_VERTEX = 0.002
PER_KM2_HOUR = 0.000_04
RESOLUTION_HOURS = 24.0  # the resolution search also looks this much later (`Policy.max_time_shift_s`)
_EARTH_KM = 6_371.0


def request_cost(volumes: Sequence[VolumeIn]) -> float:
    """Estimated judging cost of ``volumes`` in units (see the module docstring)."""
    return REQUEST + sum(volume_cost(v) for v in volumes)


def refuse_costly(volumes: Sequence[VolumeIn], limit: float) -> float:
    """The estimated cost of ``volumes``; `TooLargeError` (413, one line) when it is over ``limit``."""
    cost = request_cost(volumes)
    if cost > limit:
        raise TooLargeError(
            f"estimated judging cost {cost:.0f} over the limit of {limit:.0f}: split it into smaller intents "
            "(fewer corridor points, a narrower or shorter area)"
        )
    return cost


def volume_cost(volume: VolumeIn) -> float:
    shape = volume.shape
    if isinstance(shape, CircleIn):
        vertices, area_km2 = 1, math.pi * (shape.radius_m / 1_000.0) ** 2
        build = 0.0
    elif isinstance(shape, CorridorIn):
        width_km = shape.half_width_m / 1_000.0
        vertices = len(shape.points)
        area_km2 = _length_km(shape.points) * 2.0 * width_km + math.pi * width_km**2
        build = PER_CORRIDOR_POINT * vertices
    else:
        vertices, area_km2 = _polygon_size(shape)
        build = PER_POLYGON_VERTEX * vertices
    hours = max(0.0, (volume.end - volume.start).total_seconds()) / 3_600.0 + RESOLUTION_HOURS
    return VOLUME + build + PER_KM2_HOUR * area_km2 * hours * (1.0 + vertices / 1_000.0)


def _length_km(points: Sequence[tuple[float, float]]) -> float:
    """Great-circle length of a (lat, lon) polyline (haversine: a few tenths of a percent is plenty here)."""
    total = 0.0
    for (lat0, lon0), (lat1, lon1) in itertools.pairwise(points):
        p0, p1 = math.radians(lat0), math.radians(lat1)
        h = math.sin((p1 - p0) / 2) ** 2 + math.cos(p0) * math.cos(p1) * math.sin(math.radians(lon1 - lon0) / 2) ** 2
        total += 2.0 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))
    return total


def _polygon_size(shape: PolygonIn) -> tuple[int, float]:
    """Vertices and lon/lat-box area (km2) of a GeoJSON Polygon/MultiPolygon; malformed parts count nothing here
    (the engine refuses them with one line)."""
    lons: list[float] = []
    lats: list[float] = []
    _collect(shape.geometry.coordinates, lons, lats, 0)
    if not lons:
        return 0, 0.0
    lat_mid = math.radians((min(lats) + max(lats)) / 2.0)
    km_per_deg = math.pi * _EARTH_KM / 180.0
    width_km = (max(lons) - min(lons)) * km_per_deg * max(math.cos(lat_mid), 0.01)
    height_km = (max(lats) - min(lats)) * km_per_deg
    return len(lons), width_km * height_km


def _collect(value: Any, lons: list[float], lats: list[float], depth: int) -> None:
    if not isinstance(value, list) or depth > 4:
        return
    if len(value) >= 2 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value[:2]):
        lon, lat = float(value[0]), float(value[1])
        if math.isfinite(lon) and math.isfinite(lat):
            lons.append(lon)
            lats.append(lat)
        return
    for item in value:
        _collect(item, lons, lats, depth + 1)
