"""Zones from real geography (`geo.border_zone`): points drawn in a border zone lie on its side and within its
distance of the border (geodesic distances measured here with pyproj against the densified border line), points on
that side nearer than the distance lie in it; a province clip stays inside the province; the zone records how it
was made, and bad specifications are refused with one line."""

from __future__ import annotations

import random

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, box

from commonsky.errors import InputError
from commonsky.geo.border_zone import BorderBuffer, _distance_label, build_border_zone, polygonal
from commonsky.geo.world import World, load_world
from commonsky.units import MI_M, NM_M

GEOD = Geod(ellps="WGS84")
DISTANCE_M = 20 * MI_M


@pytest.fixture(scope="module")
def world() -> World:
    return load_world()


def _to_border_m(world: World, lon: float, lat: float) -> float:
    """Geodesic distance to the Iran-Iraq border, against its vertices densified to about 200 m."""
    line = shapely.segmentize(world.border("IRN", "IRQ"), 0.002)
    coords = np.concatenate([np.asarray(part.coords) for part in getattr(line, "geoms", [line])])
    _, _, distances = GEOD.inv(np.full(len(coords), lon), np.full(len(coords), lat), coords[:, 0], coords[:, 1])
    return float(np.min(distances))


def _sample(area: shapely.Geometry, rng: random.Random, n: int) -> list[tuple[float, float]]:
    west, south, east, north = area.bounds
    points: list[tuple[float, float]] = []
    while len(points) < n:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if area.contains(Point(lon, lat)):
            points.append((lon, lat))
    return points


def test_a_border_zone_is_its_side_within_the_distance(world: World) -> None:
    zone = build_border_zone(world, BorderBuffer("IRN", "IRQ", DISTANCE_M, side="IRQ"))
    iraq = world.country("IRQ").geometry
    rng = random.Random(4)
    for lon, lat in _sample(zone.geometry, rng, 150):
        assert iraq.buffer(1e-6).contains(Point(lon, lat))
        assert _to_border_m(world, lon, lat) <= DISTANCE_M * 1.005
    near = _sample(iraq.intersection(box(44.0, 31.0, 48.5, 37.5)), rng, 400)
    inside = [p for p in near if _to_border_m(world, *p) < DISTANCE_M * 0.995]
    assert len(inside) > 20 and all(zone.geometry.buffer(1e-6).contains(Point(*p)) for p in inside)
    assert zone.name == "Iraq within 20 mi of the IRN–IRQ border"
    assert BorderBuffer.from_json(zone.extra["buffer"]) == BorderBuffer("IRN", "IRQ", DISTANCE_M, "IRQ", None)


def test_a_province_clip_stays_in_the_province(world: World) -> None:
    zone = build_border_zone(world, BorderBuffer("Iran", "Iraq", 30_000.0, side="Iraq", clip="Diyala"))
    province = world.province("Diyala", "IRQ").geometry
    assert zone.geometry.area > 0 and zone.geometry.difference(province.buffer(1e-9)).area < 1e-12
    assert zone.name.endswith(", Diyala") and "30 km" in zone.name
    assert zone.extra["buffer"] == {"border": ["IRN", "IRQ"], "distance_m": 30_000.0, "side": "IRQ", "clip": "Diyala"}


def test_bad_specifications_are_refused_with_one_line(world: World) -> None:
    with pytest.raises(InputError, match="side 'TUR' is neither IRN nor IRQ"):
        build_border_zone(world, BorderBuffer("IRN", "IRQ", DISTANCE_M, side="TUR"))
    with pytest.raises(InputError, match=r"^zone\.buffer: expected \{border: \[A, B\], distance_m, side, clip\}$"):
        BorderBuffer.from_json({"border": ["IRN"], "distance_m": 1.0}, "zone.buffer")
    with pytest.raises(InputError, match="has no area within the buffer"):
        build_border_zone(world, BorderBuffer("IRN", "IRQ", 1_000.0, side="IRQ", clip="Al-Anbar"))


def test_distance_labels_say_it_as_it_was_given() -> None:
    assert (_distance_label(20 * MI_M), _distance_label(15 * NM_M), _distance_label(12_345.0)) == (
        "20 mi",
        "15 NM",
        "12.345 km",
    )


def test_only_the_areal_parts_are_kept() -> None:
    square, other = box(0, 0, 1, 1), box(2, 2, 3, 3)
    mixed = GeometryCollection([square, LineString([(0, 0), (5, 5)]), Point(9, 9), MultiPolygon([other])])
    kept = polygonal(mixed)
    assert isinstance(kept, MultiPolygon) and kept.area == pytest.approx(2.0) and kept.equals(square.union(other))
    assert polygonal(square) is square
