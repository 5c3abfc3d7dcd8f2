"""Geodesy on WGS84: distances, azimuths, the direct problem, local frames, lengths, areas, distance to shapes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import LinearRing, LineString, MultiPoint, Point, Polygon

from commonsky.geo.geodesy import (
    LocalFrame,
    azimuth_deg,
    destination,
    distance_m,
    distance_to_boundary_m,
    distance_to_geometry_m,
    geodesic_area_m2,
    geodesic_length_m,
)
from commonsky.geo.paths import geometry_paths

GEOD = Geod(ellps="WGS84")
LATS = [-89.0, -60.0, -30.0, 0.0, 30.0, 45.0, 70.0, 89.0]


def dms(deg: float, minutes: float, seconds: float) -> float:
    return math.copysign(abs(deg) + minutes / 60 + seconds / 3600, deg)


# -- known values ----------------------------------------------------------------------------------------------
def test_equator_degree_is_a_over_radian() -> None:
    assert distance_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(6_378_137.0 * math.pi / 180, abs=1e-6)


def test_meridian_quadrant() -> None:
    # WGS84 meridian quadrant, equator to pole: 10 001 965.729 m
    assert distance_m(0.0, 17.0, 90.0, 17.0) == pytest.approx(10_001_965.729, abs=1e-3)
    assert geodesic_length_m(LineString([(17.0, 0.0), (17.0, 90.0)])) == pytest.approx(10_001_965.729, abs=1e-3)


def test_vincenty_flinders_peak_to_buninyong() -> None:
    # Geoscience Australia's worked example of Vincenty's inverse (GRS80, within 0.1 mm of WGS84 here)
    lat1, lon1 = dms(-37, 57, 3.72030), dms(144, 25, 29.52440)
    lat2, lon2 = dms(-37, 39, 10.15610), dms(143, 55, 35.38390)
    assert distance_m(lat1, lon1, lat2, lon2) == pytest.approx(54_972.271, abs=2e-3)
    assert azimuth_deg(lat1, lon1, lat2, lon2) == pytest.approx(dms(306, 52, 5.37), abs=1e-5)
    lat, lon = destination(lat1, lon1, dms(306, 52, 5.37), 54_972.271)
    assert (lat, lon) == pytest.approx((lat2, lon2), abs=1e-8)


def test_cardinal_azimuths_are_in_0_360() -> None:
    assert azimuth_deg(10.0, 10.0, 11.0, 10.0) == pytest.approx(0.0, abs=1e-9)
    assert azimuth_deg(0.0, 10.0, 0.0, 11.0) == pytest.approx(90.0)
    assert azimuth_deg(11.0, 10.0, 10.0, 10.0) == pytest.approx(180.0)
    assert azimuth_deg(0.0, 10.0, 0.0, 9.0) == pytest.approx(270.0)
    assert 0.0 <= azimuth_deg(10.0, 10.0, 10.0, 10.0) < 360.0


def test_across_the_antimeridian_is_short() -> None:
    assert distance_m(0.0, 179.5, 0.0, -179.5) == pytest.approx(distance_m(0.0, 0.0, 0.0, 1.0))
    lat, lon = destination(0.0, 179.9, 90.0, 100_000.0)
    assert -180.0 <= lon < -179.0 and lat == pytest.approx(0.0, abs=1e-9)


# -- against pyproj at many latitudes --------------------------------------------------------------------------
@pytest.mark.parametrize("lat", LATS)
def test_inverse_and_direct_match_pyproj(lat: float) -> None:
    rng = np.random.default_rng(int(lat * 10) % 2**32)
    lat2 = np.clip(lat + rng.uniform(-5, 5, 200), -89.99, 89.99)
    lon2 = rng.uniform(-180, 180, 200)
    az_ref, _, dist_ref = GEOD.inv(np.full(200, 30.0), np.full(200, lat), lon2, lat2)
    np.testing.assert_allclose(distance_m(lat, 30.0, lat2, lon2), dist_ref, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(np.cos(np.radians(azimuth_deg(lat, 30.0, lat2, lon2) - az_ref)), 1.0, atol=1e-12)
    lat_d, lon_d = destination(lat, 30.0, az_ref, dist_ref)
    np.testing.assert_allclose(lat_d, lat2, atol=1e-9)
    np.testing.assert_allclose(np.cos(np.radians(lon_d - lon2)), 1.0, atol=1e-12)
    assert ((lon_d >= -180.0) & (lon_d < 180.0)).all()


def test_broadcasting_and_scalar_types() -> None:
    d = distance_m(np.zeros((2, 3)), 0.0, 1.0, np.array([0.0, 1.0, 2.0]))
    assert d.shape == (2, 3)
    assert isinstance(distance_m(0.0, 0.0, 1.0, 1.0), float)
    assert isinstance(azimuth_deg(0.0, 0.0, 1.0, 1.0), float)
    lat, lon = destination(0.0, 0.0, np.array([0.0, 90.0]), 1000.0)
    assert lat.shape == lon.shape == (2,)
    assert isinstance(destination(0.0, 0.0, 0.0, 1.0)[0], float)


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(-89.9, 89.9),
    lon=st.floats(-180, 180),
    az=st.floats(0, 359.99),
    dist=st.floats(1.0, 5_000_000.0),
)
def test_direct_then_inverse_round_trip(lat: float, lon: float, az: float, dist: float) -> None:
    lat2, lon2 = destination(lat, lon, az, dist)
    assert distance_m(lat, lon, lat2, lon2) == pytest.approx(dist, rel=1e-9, abs=1e-6)
    back = azimuth_deg(lat, lon, lat2, lon2)
    assert math.cos(math.radians(back - az)) == pytest.approx(1.0, abs=1e-9)


# -- local frames -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lat0", LATS)
def test_local_frame_round_trip_and_exact_radius(lat0: float) -> None:
    frame = LocalFrame(lat0, 179.5)
    rng = np.random.default_rng(7)
    x = rng.uniform(-300_000, 300_000, 500)
    y = rng.uniform(-300_000, 300_000, 500)
    lat, lon = frame.to_geodetic(x, y)
    assert ((lon >= -180) & (lon < 180)).all()
    x2, y2 = frame.to_local(lat, lon)
    np.testing.assert_allclose(x2, x, atol=1e-6)
    np.testing.assert_allclose(y2, y, atol=1e-6)
    # aeqd: distance and azimuth from the centre are the geodesic ones
    np.testing.assert_allclose(np.hypot(x, y), distance_m(lat0, 179.5, lat, lon), rtol=1e-12, atol=1e-6)
    az = np.degrees(np.arctan2(x, y))
    np.testing.assert_allclose(np.cos(np.radians(azimuth_deg(lat0, 179.5, lat, lon) - az)), 1.0, atol=1e-12)


def test_local_frame_axes_point_east_and_north() -> None:
    frame = LocalFrame(45.0, 10.0)
    x, y = frame.to_local(45.0, 10.1)
    assert x > 7_000 and abs(y) < 100
    x, y = frame.to_local(45.1, 10.0)
    assert y > 11_000 and x == pytest.approx(0.0, abs=1e-6)
    assert isinstance(x, float)
    with pytest.raises(AttributeError):
        frame.lat0 = 3.0  # type: ignore[misc]


def test_local_frame_project_unproject_geometry() -> None:
    frame = LocalFrame(-33.9, 151.2)
    square = Polygon([(151.1, -34.0), (151.3, -34.0), (151.3, -33.8), (151.1, -33.8)])
    planar = frame.project(square)
    assert planar.area == pytest.approx(geodesic_area_m2(square), rel=1e-4)
    back = frame.unproject(planar)
    np.testing.assert_allclose(shapely.get_coordinates(back), shapely.get_coordinates(square), atol=1e-9)
    # densified in the frame: straight frame edges come back as curves close to the lon/lat edges
    dense = frame.unproject(planar, max_segment_m=1000.0)
    assert len(shapely.get_coordinates(dense)) > 80
    assert dense.symmetric_difference(square).area < 1e-3 * square.area


def test_local_frame_rejects_bad_centre() -> None:
    with pytest.raises(ValueError):
        LocalFrame(91.0, 0.0)


# -- lengths and areas ------------------------------------------------------------------------------------------
def test_area_of_one_degree_cell_and_hole() -> None:
    cell = Polygon([(10, 45), (11, 45), (11, 46), (10, 46)])
    area_ref, _ = GEOD.polygon_area_perimeter([10, 11, 11, 10], [45, 45, 46, 46])
    assert geodesic_area_m2(cell) == pytest.approx(abs(area_ref), rel=1e-12)
    assert geodesic_area_m2(shapely.reverse(cell)) == pytest.approx(abs(area_ref), rel=1e-12)
    hole = [(10.25, 45.25), (10.75, 45.25), (10.75, 45.75), (10.25, 45.75)]
    with_hole = Polygon(cell.exterior.coords, [hole])
    assert geodesic_area_m2(with_hole) == pytest.approx(abs(area_ref) - geodesic_area_m2(Polygon(hole)), rel=1e-12)
    assert geodesic_area_m2(LineString([(0, 0), (1, 1)])) == 0.0


# -- distance to geometries -------------------------------------------------------------------------------------
def brute_distance(lat: np.ndarray, lon: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Min geodesic distance from each point to a lon/lat polyline (edges straight in unwrapped lon/lat),
    by dense sampling then a second, finer sampling around the best sample."""
    lon_u = np.concatenate([[coords[0, 0]], coords[0, 0] + np.cumsum((np.diff(coords[:, 0]) + 180) % 360 - 180)])
    t = np.linspace(0.0, 1.0, 3001)[:-1]
    samples = [
        np.column_stack([a0 + t * (a1 - a0), b0 + t * (b1 - b0)])
        for a0, b0, a1, b1 in zip(lon_u[:-1], coords[:-1, 1], lon_u[1:], coords[1:, 1], strict=True)
    ]
    s = np.concatenate([*samples, np.array([[lon_u[-1], coords[-1, 1]]])])
    out = np.empty(len(lat))
    for i in range(len(lat)):
        _, _, d = GEOD.inv(np.full(len(s), lon[i]), np.full(len(s), lat[i]), s[:, 0], s[:, 1])
        k = int(np.argmin(d))
        a, b = s[max(k - 1, 0)], s[min(k + 1, len(s) - 1)]
        fine = a + np.linspace(0.0, 1.0, 2001)[:, None] * (b - a)
        _, _, d2 = GEOD.inv(np.full(len(fine), lon[i]), np.full(len(fine), lat[i]), fine[:, 0], fine[:, 1])
        out[i] = min(d.min(), d2.min())
    return out


LINES = {
    "mid-latitude": [(44.0, 33.0), (45.5, 34.5), (46.0, 33.2)],
    "antimeridian": [(178.0, -17.0), (-179.0, -16.0), (-177.5, -18.0)],
    "arctic": [(-30.0, 80.0), (10.0, 84.0), (60.0, 81.0)],
    "long parallel": [(-60.0, 49.0), (-95.0, 49.0)],
}


@pytest.mark.parametrize("name", sorted(LINES))
def test_distance_to_line_matches_brute_force(name: str) -> None:
    coords = np.array(LINES[name])
    rng = np.random.default_rng(len(name))
    base = rng.integers(0, len(coords), 24)
    lat = np.clip(coords[base, 1] + rng.uniform(-4, 4, 24), -89.5, 89.5)
    lon = coords[base, 0] + rng.uniform(-6, 6, 24)
    got = distance_to_geometry_m(lat, lon, LineString(coords))
    ref = brute_distance(lat, (lon + 180) % 360 - 180, coords)
    assert ref.min() > 1_000.0
    np.testing.assert_allclose(got, ref, rtol=1e-4)


def test_distance_to_polygon_is_zero_inside_and_boundary_distance_is_not() -> None:
    ring = [(40.0, 30.0), (50.0, 30.0), (50.0, 38.0), (40.0, 38.0), (40.0, 30.0)]
    poly = Polygon(ring)
    lat = np.array([34.0, 34.0, 29.0])
    lon = np.array([45.0, 40.5, 45.0])
    inside = distance_to_geometry_m(lat, lon, poly)
    assert inside[0] == 0.0 and inside[1] == 0.0 and inside[2] > 100_000
    to_border = distance_to_boundary_m(lat, lon, poly)
    np.testing.assert_allclose(to_border, brute_distance(lat, lon, np.array(ring)), rtol=1e-4)
    np.testing.assert_allclose(distance_to_geometry_m(lat, lon, LinearRing(ring[:-1])), to_border, rtol=1e-12)


def test_distance_to_points_and_shape() -> None:
    pts = MultiPoint([(0.0, 0.0), (10.0, 0.0)])
    d = distance_to_geometry_m(np.array([[0.0, 1.0]]), np.array([[4.0, 9.0]]), pts)
    assert d.shape == (1, 2)
    assert d[0, 0] == pytest.approx(distance_m(0.0, 4.0, 0.0, 0.0), rel=1e-9)
    assert d[0, 1] == pytest.approx(distance_m(1.0, 9.0, 0.0, 10.0), rel=1e-9)
    assert distance_to_geometry_m(0.0, 0.0, Point(1.0, 1.0)).shape == ()


def test_antimeridian_cut_is_not_a_border() -> None:
    # the eastern tip of a polygon cut at 180 (as Natural Earth cuts Russia): the cut is not a boundary
    chukotka = Polygon([(175.0, 60.0), (180.0, 60.0), (180.0, 72.0), (175.0, 72.0)])
    paths = geometry_paths(chukotka)
    assert len(paths) == 1 and len(paths[0]) == 4
    near_cut = distance_to_boundary_m(66.0, 179.99, chukotka)
    assert near_cut == pytest.approx(distance_m(66.0, 179.99, 66.0, 175.0), rel=0.01)


# -- edges straight in lon/lat ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("lat0", "lat1", "dlon"), [(60.0, 60.0, 20.0), (10.0, 70.0, 30.0), (-85.0, -89.0, 90.0)])
def test_lonlat_edges_are_split_until_they_follow_geodesics(lat0: float, lat1: float, dlon: float) -> None:
    from commonsky.geo.paths import lonlat_edge_splits

    tol = 5.0
    n = int(lonlat_edge_splits(np.array([0.0]), np.array([lat0]), np.array([dlon]), np.array([lat1]), tol)[0])
    assert n > 1
    t = np.linspace(0.0, 1.0, n + 1)
    lon, lat = t * dlon, lat0 + t * (lat1 - lat0)
    # midpoint of each lon/lat piece against the geodesic between its ends
    mid = distance_to_geometry_m(
        lat[:-1] + np.diff(lat) / 2, lon[:-1] + np.diff(lon) / 2, LineString(np.column_stack([lon, lat]))
    )
    assert mid.max() <= 0.0051  # the midpoints are on the lon/lat line: 0 within the documented 5 mm
    for a in range(n):
        g_lon, g_lat = GEOD.npts(lon[a], lat[a], lon[a + 1], lat[a + 1], 1)[0]
        piece = LineString([(lon[a], lat[a]), (lon[a + 1], lat[a + 1])])
        assert distance_to_geometry_m(g_lat, g_lon, piece) <= tol
