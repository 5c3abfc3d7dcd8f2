"""Which places lie inside a zone, which sit just outside, and how far each is from the border.

For a zone made from a border (`BorderBuffer` in its properties) the distance that matters is the geodesic
distance to that border line, and "inside by / outside by" is measured against the buffer distance. For any
other zone it is the distance to the zone's own edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from commonsky.airspace.zone import Zone
from commonsky.geo.border_zone import BorderBuffer
from commonsky.geo.buffer import geodesic_buffer
from commonsky.geo.geodesy import distance_to_boundary_m, distance_to_geometry_m
from commonsky.geo.world import Place, World


@dataclass(frozen=True)
class PlaceStanding:
    """One place measured against a zone. ``edge_m`` > 0 means inside by that much, < 0 outside by that much."""

    place: Place
    inside: bool
    distance_m: float  # to the border line (border zones) or to the zone edge (other zones)
    edge_m: float
    reference: str  # what distance_m is measured to, e.g. "IRN–IRQ border" or "zone edge"


@dataclass(frozen=True)
class ZonePlaces:
    zone_name: str
    reference: str
    margin_m: float
    inside: tuple[PlaceStanding, ...]
    near_outside: tuple[PlaceStanding, ...]


def _domain(world: World, spec: BorderBuffer) -> BaseGeometry:
    """Where a place must be to count as 'just outside': the side country and clip province, if any."""
    if spec.clip is not None:
        return world.province(spec.clip, spec.side).geometry
    if spec.side is not None:
        return world.country(spec.side).geometry
    return shapely.union(world.country(spec.a).geometry, world.country(spec.b).geometry)


def _measure(
    world: World, zone: Zone, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """(inside, distance_m, edge_m, reference) for arrays of points."""
    inside = shapely.contains_xy(zone.geometry, lon, lat) | shapely.intersects_xy(zone.geometry.boundary, lon, lat)
    spec = border_buffer_of(zone)
    if spec is not None:
        distance = distance_to_geometry_m(lat, lon, world.border(spec.a, spec.b))
        return inside, distance, spec.distance_m - distance, f"{spec.a}–{spec.b} border"
    distance = distance_to_boundary_m(lat, lon, zone.geometry)
    return inside, distance, np.where(inside, distance, -distance), "zone edge"


def border_buffer_of(zone: Zone) -> BorderBuffer | None:
    """The border recipe recorded in a zone made by `build_border_zone`, if any."""
    spec_json = zone.extra.get("buffer")
    return None if spec_json is None else BorderBuffer.from_json(spec_json, f"zone {zone.name!r}: properties.buffer")


def places_in_zone(world: World, zone: Zone, margin_m: float = 0.0) -> ZonePlaces:
    """Places inside ``zone`` and those outside it within ``margin_m`` (each sorted by distance, nearest first).

    For a border zone "just outside" means: in the zone's side country (and clip province), and no farther from
    the border than the buffer distance plus ``margin_m``.
    """
    spec = border_buffer_of(zone)
    outer = geodesic_buffer(zone.geometry, margin_m) if margin_m > 0 else zone.geometry
    min_lon, min_lat, max_lon, max_lat = outer.bounds
    candidates = world.place_arrays((min_lon, min_lat, max_lon, max_lat))
    if len(candidates.index) == 0:
        return ZonePlaces(zone.name, "", margin_m, (), ())
    lat, lon = candidates.lat_deg, candidates.lon_deg
    inside, distance, edge, reference = _measure(world, zone, lat, lon)
    if spec is not None:
        in_domain = shapely.contains_xy(_domain(world, spec), lon, lat)
        near = ~inside & (distance <= spec.distance_m + margin_m) & in_domain
    else:
        near = ~inside & (distance <= margin_m)

    def standings(mask: np.ndarray) -> tuple[PlaceStanding, ...]:
        rows = [
            PlaceStanding(
                world.place_at(int(candidates.index[i])), bool(inside[i]), float(distance[i]), float(edge[i]), reference
            )
            for i in np.flatnonzero(mask)
        ]
        return tuple(sorted(rows, key=lambda s: (s.distance_m, s.place.name)))

    return ZonePlaces(zone.name, reference, margin_m, standings(inside), standings(near))


def standing_of(world: World, zone: Zone, place: Place) -> PlaceStanding:
    """One named place against ``zone``, wherever it is (to check claims like 'both towns are inside')."""
    inside, distance, edge, reference = _measure(world, zone, np.array([place.lat_deg]), np.array([place.lon_deg]))
    return PlaceStanding(place, bool(inside[0]), float(distance[0]), float(edge[0]), reference)
