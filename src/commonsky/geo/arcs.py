"""Geodesic circles and arcs as lon/lat vertices: the curved edges of airspace files (OpenAir DA/DB/DC, ED-269
circles, ED-318 circle extents).

Every vertex lies exactly on the geodesic circle (distance from the centre along the WGS84 geodesic), never on a
circle drawn in degrees. Vertices are spaced so that the chord between two of them strays at most ``tol_m`` from
the true arc (the sagitta ``r (1 - cos(step / 2))``), with at least 8 vertices per full turn. Azimuths are
degrees clockwise from true north; results are ``(n, 2)`` arrays of (lon, lat) in degrees, longitudes wrapped to
[-180, 180).

>>> ring = circle_ring(47.0, 8.0, 1852.0)
>>> bool(abs(distance_m(47.0, 8.0, ring[0, 1], ring[0, 0]) - 1852.0) < 1e-6)
True
"""

from __future__ import annotations

import math

import numpy as np

from commonsky._typing import FloatArray
from commonsky.errors import GeometryError
from commonsky.geo.geodesy import azimuth_deg, destination, distance_m

#: Default greatest distance between a chord and the true arc, in metres.
ARC_TOL_M = 1.0
#: Largest radius drawn: an airspace circle is tens of kilometres; beyond this a ring could wrap a pole.
MAX_RADIUS_M = 2_000_000.0
_MIN_STEP_DEG = 0.05
_MAX_STEP_DEG = 45.0


def _step_deg(radius_m: float, tol_m: float) -> float:
    """The largest angular step whose chord strays at most ``tol_m`` from a circle of ``radius_m``."""
    if tol_m >= radius_m:
        return _MAX_STEP_DEG
    step = math.degrees(2.0 * math.acos(1.0 - tol_m / radius_m))
    return min(max(step, _MIN_STEP_DEG), _MAX_STEP_DEG)


def _check(radius_m: float, tol_m: float) -> None:
    if not (math.isfinite(radius_m) and 0 < radius_m <= MAX_RADIUS_M):
        raise GeometryError(f"arc radius must be between 0 and {MAX_RADIUS_M / 1000:.0f} km, got {radius_m} m")
    if not (math.isfinite(tol_m) and tol_m > 0):
        raise GeometryError(f"arc tolerance must be positive, got {tol_m} m")


def sweep_deg(start_az_deg: float, end_az_deg: float, clockwise: bool) -> float:
    """The angle swept from ``start`` to ``end`` turning clockwise (or not), in (0, 360]."""
    turn = (end_az_deg - start_az_deg) if clockwise else (start_az_deg - end_az_deg)
    return turn % 360.0 or 360.0


def arc_vertices(
    lat: float,
    lon: float,
    radius_m: float,
    start_az_deg: float,
    end_az_deg: float,
    *,
    clockwise: bool = True,
    end_radius_m: float | None = None,
    tol_m: float = ARC_TOL_M,
) -> FloatArray:
    """Vertices of the arc around (lat, lon) from ``start_az_deg`` to ``end_az_deg``, both ends included.

    ``end_radius_m`` (default: ``radius_m``) lets the radius change linearly along the arc, for an arc drawn
    between two given points that are not quite at the same distance from the centre (OpenAir ``DB``).
    """
    end_radius = radius_m if end_radius_m is None else end_radius_m
    _check(radius_m, tol_m)
    _check(end_radius, tol_m)
    sweep = sweep_deg(start_az_deg, end_az_deg, clockwise)
    count = max(2, math.ceil(sweep / _step_deg(min(radius_m, end_radius), tol_m)) + 1)
    fraction = np.linspace(0.0, 1.0, count)
    azimuths = start_az_deg + (1.0 if clockwise else -1.0) * sweep * fraction
    radii = radius_m + (end_radius - radius_m) * fraction
    lats, lons = destination(np.full(count, lat), np.full(count, lon), azimuths, radii)
    return np.column_stack([lons, lats])


def arc_between(
    lat: float,
    lon: float,
    start_latlon: tuple[float, float],
    end_latlon: tuple[float, float],
    *,
    clockwise: bool = True,
    tol_m: float = ARC_TOL_M,
) -> FloatArray:
    """Vertices of the arc around (lat, lon) from one given point to another; the two points are kept exactly."""
    (lat1, lon1), (lat2, lon2) = start_latlon, end_latlon
    r1, r2 = float(distance_m(lat, lon, lat1, lon1)), float(distance_m(lat, lon, lat2, lon2))
    if r1 <= 0 or r2 <= 0:
        raise GeometryError(f"arc end point lies on the centre ({lat:.6f}, {lon:.6f})")
    a1, a2 = float(azimuth_deg(lat, lon, lat1, lon1)), float(azimuth_deg(lat, lon, lat2, lon2))
    out = arc_vertices(lat, lon, r1, a1, a2, clockwise=clockwise, end_radius_m=r2, tol_m=tol_m)
    out[0] = (lon1, lat1)
    out[-1] = (lon2, lat2)
    return out


def circle_ring(lat: float, lon: float, radius_m: float, *, tol_m: float = ARC_TOL_M) -> FloatArray:
    """A closed ring (first vertex repeated last) on the geodesic circle, starting due north, clockwise."""
    _check(radius_m, tol_m)
    count = max(8, math.ceil(360.0 / _step_deg(radius_m, tol_m)))
    azimuths = np.arange(count + 1) * (360.0 / count)
    azimuths[-1] = 0.0
    lats, lons = destination(np.full(count + 1, lat), np.full(count + 1, lon), azimuths, np.full(count + 1, radius_m))
    return np.column_stack([lons, lats])
