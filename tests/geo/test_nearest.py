"""Geodesic distance to a geometry against brute force: pyproj's geodesic distance to points sampled every few
metres along the lon/lat edges; ECEF coordinates against pyproj's own transformation (EPSG:4326 -> EPSG:4978)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from commonsky.geo.nearest import distances_to_geometry, ecef_m

GEOD = Geod(ellps="WGS84")


def _brute_force_m(lat: np.ndarray, lon: np.ndarray, ring: np.ndarray, step_deg: float) -> np.ndarray:
    samples = []
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        n = int(np.ceil(max(abs(x1 - x0), abs(y1 - y0)) / step_deg)) + 1
        f = np.linspace(0.0, 1.0, n)
        samples.append(np.column_stack([x0 + f * (x1 - x0), y0 + f * (y1 - y0)]))
    pts = np.concatenate(samples)
    out = np.empty(len(lat))
    for k in range(len(lat)):
        _, _, d = GEOD.inv(np.full(len(pts), lon[k]), np.full(len(pts), lat[k]), pts[:, 0], pts[:, 1])
        out[k] = d.min()
    return out


@pytest.mark.parametrize("centre", [(44.6, 33.7), (-70.0, 60.0)])
def test_distance_to_a_boundary_matches_brute_force(centre: tuple[float, float]) -> None:
    cx, cy = centre
    ring = np.array([(cx - 1.0, cy - 0.6), (cx + 1.2, cy - 0.5), (cx + 0.2, cy + 0.9), (cx - 1.0, cy - 0.6)])
    rng = np.random.default_rng(5)
    lat, lon = cy + rng.uniform(-2.0, 2.0, 25), cx + rng.uniform(-3.0, 3.0, 25)
    # samples about 20 m apart: the nearest sample is at most 10 m along the edge from the nearest point, which
    # overestimates a distance d by at most 10**2 / (2 d), under a millimetre beyond 50 m
    want = _brute_force_m(lat, lon, ring, step_deg=2e-4)
    got = distances_to_geometry(lat, lon, shapely.LineString(ring), boundary_only=True)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)  # the module's stated accuracy: about 1e-5


def test_inside_an_area_is_zero_unless_boundary_only() -> None:
    polygon = shapely.box(44.0, 33.0, 45.0, 34.0)
    lat, lon = np.array([33.5, 35.0]), np.array([44.5, 44.5])
    inside, outside = distances_to_geometry(lat, lon, polygon, boundary_only=False)
    assert inside == 0.0 and outside == pytest.approx(GEOD.inv(44.5, 35.0, 44.5, 34.0)[2], rel=1e-6)
    edge = distances_to_geometry(lat, lon, polygon, boundary_only=True)
    assert edge[0] == pytest.approx(GEOD.inv(44.5, 33.5, 44.0, 33.5)[2], rel=1e-3)  # the west edge, about 46 km
    assert np.isinf(distances_to_geometry(33.0, 44.0, shapely.Polygon(), boundary_only=True)).all()


def test_ecef_matches_pyproj() -> None:
    rng = np.random.default_rng(6)
    lat, lon = rng.uniform(-90.0, 90.0, 100), rng.uniform(-180.0, 180.0, 100)
    x, y, z = Transformer.from_crs("EPSG:4326", "EPSG:4978", always_xy=True).transform(lon, lat, np.zeros(100))
    np.testing.assert_allclose(ecef_m(lat, lon), np.column_stack([x, y, z]), atol=1e-6)
