"""Lon/lat footprints of circles and corridors, built from geodesics on WGS84 (never buffered in degrees).

Private helper of the volume layer; fast enough to build hundreds of thousands of footprints (vectorised
``Geod.fwd``, no projection objects per shape).

- A circle is 32 points at the geodesic radius, scaled by 1/cos(pi/32) so the polygon contains the true circle.
- A corridor segment (a "stadium") is the points at the half-width either side of the geodesic A->B, every
  ``DENSIFY_M`` along it, closed by half-circles at both ends (also circumscribed). A polyline corridor is the union
  of its segments. The footprint contains the true geodesic buffer and is at most ~0.5 % of the half-width wider
  (the circumscription), for half-widths below ~100 km (tests check 99.9 % inside, 101 % outside).
- Shapes that cross the antimeridian come back as a MultiPolygon split at ±180°, each part inside [-180, 180].
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from commonsky.errors import GeometryError
from commonsky.geo.geodesy import geodesic_area_m2, wgs84

CIRCLE_SEGMENTS = 32  # polygon vertices per full circle (circumscribed: at most 0.5 % of the radius too wide)
DENSIFY_M = 10_000.0  # spacing of offset points along a corridor side
_SCALE = 1.0 / math.cos(math.pi / CIRCLE_SEGMENTS)


def split_antimeridian(geom: BaseGeometry) -> BaseGeometry:
    """Fold a polygon whose longitudes run past ±180 back into [-180, 180] as a MultiPolygon of parts."""
    minx, _, maxx, _ = geom.bounds
    if minx >= -180.0 and maxx <= 180.0:
        return geom
    parts: list[Polygon] = []
    for shift in (-360.0, 0.0, 360.0):
        piece = shapely.intersection(geom, box(-180.0 - shift, -90.0, 180.0 - shift, 90.0))
        if piece.is_empty:
            continue
        piece = shapely.transform(piece, lambda xy, s=shift: xy + np.array([s, 0.0]))
        parts.extend(p for p in shapely.get_parts(piece) if isinstance(p, Polygon) and p.area > 0)
    return MultiPolygon(parts) if len(parts) > 1 else parts[0]


def _ring(lon: np.ndarray, lat: np.ndarray, lon_ref: float) -> BaseGeometry:
    """Polygon from a ring, longitudes made continuous around ``lon_ref`` before the antimeridian split."""
    lon = lon_ref + ((lon - lon_ref + 180.0) % 360.0 - 180.0)
    poly = shapely.make_valid(Polygon(np.column_stack([lon, lat])))
    if not isinstance(poly, Polygon):  # a degenerate ring (pole, zero width): keep the polygonal parts
        poly = shapely.union_all([p for p in shapely.get_parts(poly) if isinstance(p, Polygon)])
    return split_antimeridian(poly)


def circle_footprint(lat: float, lon: float, radius_m: float, geod: Geod | None = None) -> BaseGeometry:
    """Lon/lat polygon containing the geodesic circle of ``radius_m`` around (lat, lon)."""
    if not radius_m > 0:
        raise GeometryError(f"circle radius must be positive, got {radius_m} m")
    geod = geod or wgs84()
    az = np.linspace(0.0, 360.0, CIRCLE_SEGMENTS, endpoint=False)
    n = az.size
    plon, plat, _ = geod.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_m * _SCALE))
    return _ring(np.asarray(plon), np.asarray(plat), lon)


def segment_footprint(
    a_latlon: tuple[float, float], b_latlon: tuple[float, float], half_width_m: float, geod: Geod | None = None
) -> BaseGeometry:
    """Lon/lat polygon containing every point within ``half_width_m`` of the geodesic from A to B."""
    if not half_width_m > 0:
        raise GeometryError(f"corridor half-width must be positive, got {half_width_m} m")
    geod = geod or wgs84()
    (lat1, lon1), (lat2, lon2) = a_latlon, b_latlon
    az12, _, length_m = geod.inv(lon1, lat1, lon2, lat2)
    if length_m < 1.0:
        return circle_footprint(lat1, lon1, half_width_m, geod)
    steps = max(1, math.ceil(length_m / DENSIFY_M))
    along = np.linspace(0.0, length_m, steps + 1)
    clon, clat, back = geod.fwd(np.full(along.size, lon1), np.full(along.size, lat1), np.full(along.size, az12), along)
    forward_az = (np.asarray(back) + 180.0) % 360.0  # azimuth of travel at each centre point
    width = half_width_m * _SCALE
    cap = np.linspace(0.0, 180.0, CIRCLE_SEGMENTS // 2 + 1)
    # right side forward, cap at B (sweeping right -> ahead -> left), left side backward, cap at A
    lon_pts = [clon, np.full(cap.size, clon[-1]), clon[::-1], np.full(cap.size, clon[0])]
    lat_pts = [clat, np.full(cap.size, clat[-1]), clat[::-1], np.full(cap.size, clat[0])]
    az_pts = [forward_az + 90.0, forward_az[-1] + 90.0 - cap, forward_az[::-1] - 90.0, forward_az[0] - 90.0 - cap]
    lons, lats = np.concatenate(lon_pts), np.concatenate(lat_pts)
    olon, olat, _ = geod.fwd(lons, lats, np.concatenate(az_pts) % 360.0, np.full(lons.size, width))
    return _ring(np.asarray(olon), np.asarray(olat), lon1)


def corridor_footprint(line_latlon: list[tuple[float, float]], half_width_m: float) -> BaseGeometry:
    """Union of the segment footprints of a polyline given as (lat, lon) points."""
    if len(line_latlon) < 2:
        raise GeometryError("a corridor needs at least two points")
    geod = wgs84()
    parts = [segment_footprint(a, b, half_width_m, geod) for a, b in itertools.pairwise(line_latlon)]
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


__all__ = [
    "circle_footprint",
    "corridor_footprint",
    "geodesic_area_m2",
    "segment_footprint",
    "split_antimeridian",
    "wgs84",
]
