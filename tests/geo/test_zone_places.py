"""Places in a zone on the bundled world: the inside list is exactly the places a point-in-polygon test puts in the
zone, the near list is outside and within the margin (pyproj's geodesic to the nearest edge point, sampled here),
both sorted nearest first, and the signed edge distance says inside or outside."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely
from pyproj import Geod

from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.geo.world import load_world
from commonsky.geo.zone_places import places_in_zone, standing_of

GEOD = Geod(ellps="WGS84")
BOX = shapely.box(44.4, 33.5, 45.0, 34.0)  # around Baqubah, Diyala


def _edge_distance_m(lat: float, lon: float) -> float:
    ring = np.asarray(BOX.exterior.coords)
    pts = np.concatenate([np.linspace(a, b, 2000) for a, b in itertools.pairwise(ring)])
    return float(GEOD.inv(np.full(len(pts), lon), np.full(len(pts), lat), pts[:, 0], pts[:, 1])[2].min())


def test_places_in_and_just_outside_a_zone() -> None:
    world = load_world()
    zone = Zone(name="Baqubah box", kind=ZoneKind.RESTRICTED, geometry=BOX)
    found = places_in_zone(world, zone, margin_m=10_000.0)
    assert found.reference == "zone edge"
    brute = {
        (p.name, p.lat_deg, p.lon_deg)
        for p in world.places(BOX.bounds)
        if BOX.contains(shapely.Point(p.lon_deg, p.lat_deg))
    }
    assert {(s.place.name, s.place.lat_deg, s.place.lon_deg) for s in found.inside} == brute and len(brute) > 5
    for group, inside in ((found.inside, True), (found.near_outside, False)):
        assert [s.distance_m for s in group] == sorted(s.distance_m for s in group)
        for s in group[:: max(1, len(group) // 8)]:  # a sample, measured by brute force
            assert s.inside is inside and (s.edge_m > 0) is inside and abs(s.edge_m) == s.distance_m
            assert s.distance_m == pytest.approx(_edge_distance_m(s.place.lat_deg, s.place.lon_deg), rel=1e-3, abs=5.0)
    assert found.near_outside and all(s.distance_m <= 10_000.0 for s in found.near_outside)
    baqubah = standing_of(world, zone, world.place("Baqubah"))
    assert baqubah.inside and baqubah.edge_m > 0
