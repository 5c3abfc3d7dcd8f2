"""Geodesic circles and arcs (OpenAir DA/DB/DC, ED-269 circles): every vertex on the geodesic circle, chords within
the tolerance, arcs turning the right way. The oracle is pyproj's Geod (Karney) called here directly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Polygon

from commonsky.errors import GeometryError
from commonsky.geo.arcs import arc_between, arc_vertices, circle_ring, sweep_deg

GEOD = Geod(ellps="WGS84")


def _from_centre(lat: float, lon: float, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(points)
    az, _, dist = GEOD.inv(np.full(n, lon), np.full(n, lat), points[:, 0], points[:, 1])
    return np.mod(np.asarray(az), 360.0), np.asarray(dist)


@pytest.mark.parametrize(
    ("lat", "lon", "radius_m"), [(47.0, 8.0, 1852.0), (-33.9, 151.2, 37_040.0), (69.5, 20.0, 500.0)]
)
def test_circle_vertices_lie_on_the_geodesic_circle(lat: float, lon: float, radius_m: float) -> None:
    ring = circle_ring(lat, lon, radius_m, tol_m=1.0)
    assert np.array_equal(ring[0], ring[-1])
    _, dist = _from_centre(lat, lon, ring)
    assert np.abs(dist - radius_m).max() < 1e-6
    # chord midpoints (straight in a local sense) stray at most the tolerance inside the circle
    mids = (ring[1:] + ring[:-1]) / 2.0
    _, mid_dist = _from_centre(lat, lon, mids)
    assert radius_m - mid_dist.min() <= 1.0 * 1.05
    # the area is the geodesic circle's: pi r^2 on this small scale (the chord loss is about 2/3 tol * perimeter)
    area, _ = GEOD.geometry_area_perimeter(Polygon(ring))
    expected = math.pi * radius_m**2
    assert abs(abs(area) - expected) < 2.0 * 1.0 * 2 * math.pi * radius_m / 3 + expected * 1e-4


def test_tolerance_sets_the_vertex_count() -> None:
    coarse = circle_ring(47.0, 8.0, 9260.0, tol_m=10.0)
    fine = circle_ring(47.0, 8.0, 9260.0, tol_m=0.1)
    step = math.degrees(2 * math.acos(1 - 0.1 / 9260.0))
    assert len(fine) - 1 == math.ceil(360.0 / step)
    assert len(coarse) < len(fine)


def test_clockwise_arc_sweeps_between_its_azimuths() -> None:
    arc = arc_vertices(39.495, -119.775, 10 * 1852.0, 270.0, 290.0, clockwise=True)
    az, dist = _from_centre(39.495, -119.775, arc)
    assert np.abs(dist - 18_520.0).max() < 1e-6
    assert az[0] == pytest.approx(270.0, abs=1e-9) and az[-1] == pytest.approx(290.0, abs=1e-9)
    assert np.all(np.diff(az) > 0)  # clockwise: azimuth grows


def test_counter_clockwise_arc_goes_the_long_way_when_asked() -> None:
    arc = arc_vertices(50.0, 10.0, 5000.0, 10.0, 350.0, clockwise=False)
    az, _ = _from_centre(50.0, 10.0, arc)
    assert sweep_deg(10.0, 350.0, clockwise=False) == pytest.approx(20.0)
    unwrapped = np.unwrap(np.radians(az))
    assert np.degrees(unwrapped[-1] - unwrapped[0]) == pytest.approx(-20.0, abs=1e-6)
    assert len(arc) >= 3


def test_arc_between_keeps_its_end_points_and_interpolates_the_radius() -> None:
    centre = (52.41, 7.2)
    start = (52.4919, 7.2967)
    end = (52.4333, 7.0639)
    arc = arc_between(*centre, start, end, clockwise=False)
    assert tuple(arc[0]) == (start[1], start[0]) and tuple(arc[-1]) == (end[1], end[0])
    _, dist = _from_centre(*centre, arc)
    r1, r2 = dist[0], dist[-1]
    assert dist.min() >= min(r1, r2) - 1e-6 and dist.max() <= max(r1, r2) + 1e-6


def test_bad_radius_is_refused() -> None:
    with pytest.raises(GeometryError, match="radius"):
        circle_ring(47.0, 8.0, 0.0)
    with pytest.raises(GeometryError, match="radius"):
        circle_ring(47.0, 8.0, 3_000_000.0)  # would wrap a pole
    with pytest.raises(GeometryError, match="centre"):
        arc_between(47.0, 8.0, (47.0, 8.0), (47.1, 8.0))
