"""Lon/lat footprints of circles and corridors: they contain the geodesic shape and little more (pyproj's
geodesics as the oracle), and are split, not smeared, at the antimeridian."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from pyproj import Geod

from commonsky.airspace._footprint import circle_footprint, geodesic_area_m2, segment_footprint
from commonsky.units import NM_M

GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize("lat", [0.0, 34.27, 65.0])
def test_circle_contains_the_geodesic_circle_and_little_more(lat: float) -> None:
    radius = 20_000.0
    footprint = circle_footprint(lat, 45.0, radius)
    az = np.linspace(0, 360, 720, endpoint=False)
    lon, lat_pts, _ = GEOD.fwd(np.full(az.size, 45.0), np.full(az.size, lat), az, np.full(az.size, radius * 0.9995))
    assert shapely.contains_xy(footprint, lon, lat_pts).all()
    assert geodesic_area_m2(footprint) == pytest.approx(math.pi * radius**2, rel=0.005)


def test_corridor_keeps_its_half_width_along_a_long_leg() -> None:
    # Baqubah to Jalawla: every point 1 NM off the geodesic (minus a hair) lies inside, 1.01 NM beyond does not
    a, b = (33.754, 44.605), (34.272, 45.168)
    footprint = segment_footprint(a, b, NM_M)
    az12, _, dist = GEOD.inv(a[1], a[0], b[1], b[0])
    along = np.linspace(0.05, 0.95, 25) * dist
    clon, clat, back = GEOD.fwd(np.full(25, a[1]), np.full(25, a[0]), np.full(25, az12), along)
    heading = (np.asarray(back) + 180.0) % 360.0
    for side in (90.0, -90.0):
        ilon, ilat, _ = GEOD.fwd(clon, clat, heading + side, np.full(25, NM_M * 0.999))
        olon, olat, _ = GEOD.fwd(clon, clat, heading + side, np.full(25, NM_M * 1.01))
        assert shapely.contains_xy(footprint, ilon, ilat).all()
        assert not shapely.contains_xy(footprint, olon, olat).any()


def test_footprint_across_the_antimeridian_is_split_not_smeared() -> None:
    footprint = circle_footprint(-17.0, 179.9, 50_000.0)  # Fiji
    assert footprint.geom_type == "MultiPolygon"
    parts = list(footprint.geoms)
    assert all(p.bounds[2] - p.bounds[0] < 1.0 for p in parts)  # no part spans the globe
    assert geodesic_area_m2(footprint) == pytest.approx(math.pi * 50_000.0**2, rel=0.005)
