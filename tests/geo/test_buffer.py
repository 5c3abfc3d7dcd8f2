"""Geodesic buffers: boundary distance within 0.1 %, areas against independent constructions, antimeridian, poles."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import (
    GeometryCollection,
    LinearRing,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
    shape,
)
from shapely.geometry.base import BaseGeometry

from commonsky.errors import GeometryError, InputError
from commonsky.geo.buffer import geodesic_buffer
from commonsky.geo.geodesy import distance_to_geometry_m, geodesic_area_m2
from commonsky.geo.paths import sample_boundary

GEOD = Geod(ellps="WGS84")
MILE_M = 1609.344


def boundary_errors(buffer: BaseGeometry, geom: BaseGeometry, distance: float) -> np.ndarray:
    """Relative error of the true geodesic distance to ``geom`` of points sampled along the buffer's outline
    (every vertex and points in between; cuts at the antimeridian and the poles are not outline)."""
    lat, lon = sample_boundary(buffer, step_m=distance / 40.0)
    assert len(lat) > 50
    return np.asarray(distance_to_geometry_m(lat, lon, geom) / distance - 1.0)


def circle_area(lat: float, lon: float, radius: float, n: int = 7200) -> float:
    """Geodesic area of a dense geodesic circle (pyproj's direct problem and polygon area)."""
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    lons, lats, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius))
    area, _ = GEOD.polygon_area_perimeter(lons, lats)
    return abs(area)


def circle_union(coords: np.ndarray, radius: float, spacing: float, n: int = 720) -> BaseGeometry:
    """Independent construction: union of dense geodesic circles around points every ``spacing`` metres along
    a lon/lat polyline, in unwrapped longitudes (no antimeridian cut)."""
    lon_u = np.concatenate([[coords[0, 0]], coords[0, 0] + np.cumsum((np.diff(coords[:, 0]) + 180) % 360 - 180)])
    pts = []
    xy = np.column_stack([lon_u, coords[:, 1]])
    for (x0, y0), (x1, y1) in itertools.pairwise(xy):
        _, _, length = GEOD.inv(x0, y0, x1, y1)
        t = np.linspace(0.0, 1.0, max(2, math.ceil(length / spacing) + 1))
        pts.append(np.column_stack([x0 + t * (x1 - x0), y0 + t * (y1 - y0)]))
    centres = np.unique(np.concatenate(pts), axis=0)
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    c_lon = np.repeat(centres[:, 0], n)
    lons, lats, _ = GEOD.fwd(c_lon, np.repeat(centres[:, 1], n), np.tile(az, len(centres)), np.full(len(c_lon), radius))
    lons = c_lon + (lons - c_lon + 180) % 360 - 180
    rings = shapely.polygons(np.column_stack([lons, lats]).reshape(len(centres), n, 2))
    return shapely.union_all(rings)


def assert_geojson_ready(buffer: BaseGeometry) -> None:
    assert buffer.is_valid
    assert isinstance(buffer, Polygon | MultiPolygon)
    minx, miny, maxx, maxy = buffer.bounds
    assert minx >= -180.0 and maxx <= 180.0 and miny >= -90.0 and maxy <= 90.0
    parts = buffer.geoms if isinstance(buffer, MultiPolygon) else [buffer]
    assert all(shapely.is_ccw(p.exterior) for p in parts)


# -- points ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lat", [0.0, 45.0, -70.0])
@pytest.mark.parametrize("radius", [500.0, 32_186.88, 400_000.0])
def test_point_buffer_is_the_geodesic_circle(lat: float, radius: float) -> None:
    point = Point(30.0, lat)
    buffer = geodesic_buffer(point, radius)
    assert_geojson_ready(buffer)
    assert isinstance(buffer, Polygon)
    assert np.abs(boundary_errors(buffer, point, radius)).max() <= 1e-3
    assert geodesic_area_m2(buffer) == pytest.approx(circle_area(lat, 30.0, radius), rel=1e-3)


def test_point_near_the_pole_gives_a_cap() -> None:
    point = Point(10.0, 89.5)  # 55.8 km from the pole
    buffer = geodesic_buffer(point, 100_000.0)
    assert_geojson_ready(buffer)
    assert isinstance(buffer, Polygon)
    minx, miny, maxx, maxy = buffer.bounds
    assert (minx, maxx, maxy) == (-180.0, 180.0, 90.0)
    assert miny == pytest.approx(89.5 - 100_000 / 111_700, abs=0.01)
    assert np.abs(boundary_errors(buffer, point, 100_000.0)).max() <= 1e-3
    assert geodesic_area_m2(buffer) == pytest.approx(circle_area(89.5, 10.0, 100_000.0), rel=1e-3)
    # and one that stays short of the pole is an ordinary polygon
    small = geodesic_buffer(point, 40_000.0)
    assert small.bounds[3] < 90.0 and small.bounds[2] - small.bounds[0] < 180.0


def test_south_pole_cap_from_a_line_over_the_pole() -> None:
    line = LineString([(0.0, -85.0), (0.0, -90.0), (120.0, -90.0), (120.0, -86.0)])
    buffer = geodesic_buffer(line, 50_000.0)
    assert_geojson_ready(buffer)
    assert buffer.bounds[1] == -90.0 and buffer.bounds[0] == -180.0 and buffer.bounds[2] == 180.0
    assert np.abs(boundary_errors(buffer, line, 50_000.0)).max() <= 1e-3


# -- the antimeridian -----------------------------------------------------------------------------------------
def test_point_on_the_antimeridian_splits_into_two_parts() -> None:
    radius = 100_000.0
    buffer = geodesic_buffer(Point(179.9, -16.0), radius)
    assert_geojson_ready(buffer)
    assert isinstance(buffer, MultiPolygon) and len(buffer.geoms) == 2
    east, west = sorted(buffer.geoms, key=lambda p: -p.bounds[0])
    assert east.bounds[2] == 180.0 and east.bounds[0] > 178.5
    assert west.bounds[0] == -180.0 and west.bounds[2] < -179.0
    area = geodesic_area_m2(buffer)
    # a geodesic disc of 100 km on the ellipsoid is pi r^2 to about 1e-4 (curvature term r^2 K / 12)
    assert area == pytest.approx(math.pi * radius**2, rel=2e-3)
    assert area == pytest.approx(circle_area(-16.0, 179.9, radius), rel=1e-3)
    assert np.abs(boundary_errors(buffer, Point(179.9, -16.0), radius)).max() <= 1e-3


def test_line_crossing_the_antimeridian() -> None:
    coords = np.array([(177.0, -17.5), (179.5, -16.5), (-178.5, -17.0), (-176.0, -15.5)])
    line = LineString(coords)
    buffer = geodesic_buffer(line, 50_000.0)
    assert_geojson_ready(buffer)
    assert isinstance(buffer, MultiPolygon)
    assert max(p.bounds[2] - p.bounds[0] for p in buffer.geoms) < 5.0  # no band around the world
    assert np.abs(boundary_errors(buffer, line, 50_000.0)).max() <= 1e-3
    reference = circle_union(coords, 50_000.0, spacing=2_000.0)
    assert geodesic_area_m2(buffer) == pytest.approx(geodesic_area_m2(reference), rel=5e-3)


def test_band_around_the_world() -> None:
    lon = np.linspace(-180.0, 180.0, 13)
    line = LineString(np.column_stack([lon, np.full(13, 75.0)]))
    buffer = geodesic_buffer(line, 30_000.0)
    assert_geojson_ready(buffer)
    assert buffer.bounds[0] == -180.0 and buffer.bounds[2] == 180.0
    assert np.abs(boundary_errors(buffer, line, 30_000.0)).max() <= 1e-3


# -- lines, rings, polygons -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "coords",
    [
        [(44.0, 33.0), (46.5, 34.5), (47.0, 31.0)],
        [(-70.0, -50.0), (-60.0, -40.0)],
        [(10.0, 60.0), (30.0, 60.0)],  # a long parallel (a lon/lat edge, not a geodesic)
        [(-20.0, 78.0), (20.0, 80.5), (40.0, 77.0)],
    ],
)
def test_line_buffer_area_matches_union_of_geodesic_circles(coords: list[tuple[float, float]]) -> None:
    line = LineString(coords)
    radius = 32_186.88
    buffer = geodesic_buffer(line, radius)
    assert_geojson_ready(buffer)
    errors = boundary_errors(buffer, line, radius)
    assert np.abs(errors).max() <= 1e-3
    reference = circle_union(np.array(coords), radius, spacing=radius / 20)
    assert geodesic_area_m2(buffer) == pytest.approx(geodesic_area_m2(reference), rel=5e-3)


def test_ring_buffer_has_a_hole_and_polygon_buffer_does_not() -> None:
    shell = [(40.0, 30.0), (44.0, 30.0), (44.0, 33.0), (40.0, 33.0)]
    ring, polygon = LinearRing(shell), Polygon(shell)
    radius = 50_000.0
    ring_buffer, polygon_buffer = geodesic_buffer(ring, radius), geodesic_buffer(polygon, radius)
    assert isinstance(ring_buffer, Polygon) and len(ring_buffer.interiors) == 1
    assert isinstance(polygon_buffer, Polygon) and len(polygon_buffer.interiors) == 0
    hole = Polygon(ring_buffer.interiors[0])
    assert geodesic_area_m2(polygon_buffer) == pytest.approx(
        geodesic_area_m2(ring_buffer) + geodesic_area_m2(hole), rel=1e-6
    )
    assert np.abs(boundary_errors(ring_buffer, ring, radius)).max() <= 1e-3
    assert np.abs(boundary_errors(polygon_buffer, polygon, radius)).max() <= 1e-3
    assert polygon_buffer.contains(polygon)


def test_polygon_across_the_antimeridian_and_multi_geometries() -> None:
    fiji = Polygon([(177.0, -19.0), (181.0, -19.0), (181.0, -16.0), (177.0, -16.0)])  # unwrapped on purpose
    buffer = geodesic_buffer(fiji, 20_000.0)
    assert_geojson_ready(buffer)
    assert isinstance(buffer, MultiPolygon)
    assert geodesic_area_m2(buffer) > geodesic_area_m2(fiji)
    mixed = GeometryCollection([Point(0.0, 0.0), MultiLineString([[(1, 1), (2, 2)], [(5, 5), (5, 6)]])])
    mixed_buffer = geodesic_buffer(mixed, 10_000.0)
    assert isinstance(mixed_buffer, MultiPolygon) and len(mixed_buffer.geoms) == 3
    assert np.abs(boundary_errors(mixed_buffer, mixed, 10_000.0)).max() <= 1e-3
    points = geodesic_buffer(MultiPoint([(0, 0), (0, 0.1)]), 10_000.0)
    assert isinstance(points, Polygon)


@pytest.mark.parametrize("radius", [13_620.0, 13_900.0, 50_000.0])
def test_shallow_jogs_are_not_simplified_away(radius: float) -> None:
    # GEOS drops concave vertices shallower than 1 % of the buffer distance from a buffer's input, which would
    # swell the outline by up to 1 % next to this 111 m jog; the buffer must undo that
    line = LineString([(0.0, 0.0), (0.0, 1.0), (0.001, 1.0), (0.001, 2.0)])
    buffer = geodesic_buffer(line, radius)
    assert np.abs(boundary_errors(buffer, line, radius)).max() <= 1e-3


def test_continental_buffer_over_the_pole() -> None:
    # 3000 km around a line along 60 N reaches 87 N; at this size the overlay meets near-degenerate edges
    line = LineString([(-40.0, 60.0), (0.0, 60.0), (40.0, 60.0)])
    buffer = geodesic_buffer(line, 3_000_000.0)
    assert_geojson_ready(buffer)
    assert np.abs(boundary_errors(buffer, line, 3_000_000.0)).max() <= 1e-3


@pytest.mark.parametrize("rel_error", [1e-2, 1e-4])
def test_tolerance_is_honoured(rel_error: float) -> None:
    line = LineString([(44.0, 33.0), (46.5, 34.5), (47.0, 31.0)])
    buffer = geodesic_buffer(line, 20_000.0, rel_error=rel_error)
    assert np.abs(boundary_errors(buffer, line, 20_000.0)).max() <= rel_error


# -- bad input ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("distance", [0.0, -5.0, math.nan, math.inf, 6_000_000.0])
def test_bad_distances_are_input_errors(distance: float) -> None:
    with pytest.raises(InputError):
        geodesic_buffer(Point(0, 0), distance)


def test_bad_geometries() -> None:
    with pytest.raises(GeometryError, match="Self-intersection"):
        geodesic_buffer(Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), 1000.0)
    with pytest.raises(GeometryError):
        geodesic_buffer(Point(0, 95), 1000.0)
    assert geodesic_buffer(LineString(), 1000.0).is_empty


# -- the real border ------------------------------------------------------------------------------------------
def reference(reference_dir: Path) -> list[BaseGeometry]:
    data = json.loads((reference_dir / "geo" / "iran_iraq_border_ne10m_diyala.geojson").read_text())
    return [shape(f["geometry"]) for f in data["features"]]


def test_iran_iraq_twenty_miles(reference_dir: Path) -> None:
    line, _, zone = reference(reference_dir)
    radius = 20 * MILE_M
    buffer = geodesic_buffer(line, radius)
    assert_geojson_ready(buffer)
    assert np.abs(boundary_errors(buffer, line, radius)).max() <= 1e-3
    from commonsky.geo.world import load_world

    iraq = load_world().country("IRQ").geometry
    assert geodesic_area_m2(buffer.intersection(iraq)) == pytest.approx(35_876e6, rel=5e-3)
    # the published zone lies between our buffers 0.1 % narrower and 0.1 % wider (the tolerance of both)
    wider, narrower = geodesic_buffer(line, radius * 1.001), geodesic_buffer(line, radius * 0.999)
    assert geodesic_area_m2(zone.difference(wider)) < 1e-6 * geodesic_area_m2(zone)
    assert geodesic_area_m2(narrower.intersection(iraq).difference(zone)) < 1e-6 * geodesic_area_m2(zone)


def test_iran_iraq_northern_section_against_circles(reference_dir: Path) -> None:
    line = reference(reference_dir)[0]
    coords = np.array(line.coords)
    north = coords[coords[:, 1] > 36.5]  # about 250 km of mountain border
    radius = 20 * MILE_M
    buffer = geodesic_buffer(LineString(north), radius)
    reference_area = geodesic_area_m2(circle_union(north, radius, spacing=radius / 20))
    assert geodesic_area_m2(buffer) == pytest.approx(reference_area, rel=5e-3)


def test_natural_earth_countries_cut_at_the_antimeridian() -> None:
    from commonsky.geo.world import load_world

    world = load_world()
    for iso3, radius in [("FJI", 20_000.0), ("KIR", 20_000.0)]:
        country = world.country(iso3).geometry
        buffer = geodesic_buffer(country, radius)
        assert_geojson_ready(buffer)
        if iso3 == "FJI":  # Fiji straddles 180: Natural Earth cuts its polygons there
            assert buffer.bounds[0] == -180.0 and buffer.bounds[2] == 180.0
        # the cuts along +-180 are not coast: nothing is measured from them, and nothing is off by more than 0.1 %
        assert np.abs(boundary_errors(buffer, country, radius)).max() <= 1e-3
        assert buffer.contains(shapely.make_valid(country).buffer(-1e-6))


# -- properties -----------------------------------------------------------------------------------------------
@settings(max_examples=12, deadline=None)
@given(lat=st.floats(-88.0, 88.0), lon=st.floats(-180.0, 180.0), radius=st.floats(100.0, 2_000_000.0))
def test_any_point_any_radius(lat: float, lon: float, radius: float) -> None:
    point = Point(lon, lat)
    buffer = geodesic_buffer(point, radius)
    assert_geojson_ready(buffer)
    assert np.abs(boundary_errors(buffer, point, radius)).max() <= 1e-3


@settings(max_examples=12, deadline=None)
@given(
    lat=st.floats(-80.0, 80.0),
    lon=st.floats(-180.0, 180.0),
    steps=st.lists(st.tuples(st.floats(-3.0, 3.0), st.floats(-3.0, 3.0)), min_size=1, max_size=4),
    radius=st.floats(1_000.0, 300_000.0),
)
def test_any_line_any_radius(lat: float, lon: float, steps: list[tuple[float, float]], radius: float) -> None:
    xy = np.cumsum(np.array([(lon, lat), *steps]), axis=0)
    xy[:, 1] = np.clip(xy[:, 1], -89.0, 89.0)
    xy[:, 0] = (xy[:, 0] + 180.0) % 360.0 - 180.0
    line = LineString(xy)
    buffer = geodesic_buffer(line, radius)
    assert_geojson_ready(buffer)
    assert np.abs(boundary_errors(buffer, line, radius)).max() <= 1e-3


@settings(max_examples=10, deadline=None)
@given(
    lat=st.floats(-75.0, 75.0),
    lon=st.floats(-180.0, 180.0),
    points=st.lists(st.tuples(st.floats(-2.0, 2.0), st.floats(-2.0, 2.0)), min_size=3, max_size=8),
    radius=st.floats(500.0, 200_000.0),
)
def test_any_polygon_any_radius(lat: float, lon: float, points: list[tuple[float, float]], radius: float) -> None:
    hull = MultiPoint([(lon + x, lat + y) for x, y in points]).convex_hull
    if not isinstance(hull, Polygon):
        return
    buffer = geodesic_buffer(hull, radius)
    assert_geojson_ready(buffer)
    assert np.abs(boundary_errors(buffer, hull, radius)).max() <= 1e-3
