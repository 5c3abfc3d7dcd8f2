"""Zones built from real geography: geodesic buffers along borders, clipped to a side and a province.

"Which part of Iraq lies within 20 miles of the Iranian border?" is
``build_border_zone(world, "IRN", "IRQ", parse_distance("20mi"), side="IRQ")``.
The zone records how it was made (``properties.buffer``) so that later readers can measure places against the
same border line and distance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from commonsky import __version__
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.errors import InputError
from commonsky.geo.buffer import geodesic_buffer
from commonsky.geo.world import World
from commonsky.units import MI_M, NM_M


@dataclass(frozen=True)
class BorderBuffer:
    """How a border zone is made: the border between ``a`` and ``b``, ``distance_m`` wide, on ``side``."""

    a: str
    b: str
    distance_m: float
    side: str | None = None
    clip: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"border": [self.a, self.b], "distance_m": self.distance_m, "side": self.side, "clip": self.clip}

    @classmethod
    def from_json(cls, obj: Any, where: str = "buffer") -> BorderBuffer:
        try:
            a, b = obj["border"]
            return cls(str(a), str(b), float(obj["distance_m"]), obj.get("side"), obj.get("clip"))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{where}: expected {{border: [A, B], distance_m, side, clip}}") from None


def polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Keep only the areal parts of an intersection result (drop slivers of lines and points)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon | MultiPolygon)]
    polys: list[Polygon] = []
    for part in parts:
        polys.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    return MultiPolygon(polys)


def _distance_label(metres: float) -> str:
    """'20 mi' for whole statute miles, '15 NM' for whole nautical miles, else km: as the user most likely said it."""
    for unit, size in (("mi", MI_M), ("NM", NM_M)):
        if abs(metres / size - round(metres / size)) < 1e-6:
            return f"{round(metres / size)} {unit}"
    return f"{metres / 1000:g} km"


def build_border_zone(
    world: World,
    spec: BorderBuffer,
    *,
    name: str | None = None,
    kind: ZoneKind = ZoneKind.BUFFER,
) -> Zone:
    """The geodesic buffer of the shared border, intersected with ``side`` and then ``clip`` (a province).

    Raises `NotFoundError` for unknown names, `NoSharedBorderError` when the countries share no border, and
    `InputError` when the clip province lies outside the side country or the result is empty.
    """
    first, second = world.country(spec.a), world.country(spec.b)
    line = world.border(first.iso3, second.iso3)
    geometry: BaseGeometry = geodesic_buffer(line, spec.distance_m)
    side_name = None
    if spec.side is not None:
        side = world.country(spec.side)
        if side.iso3 not in (first.iso3, second.iso3):
            raise InputError(f"side {spec.side!r} is neither {first.iso3} nor {second.iso3}")
        geometry = shapely.intersection(geometry, side.geometry)
        side_name = side.name
    clip_name = None
    if spec.clip is not None:
        province = world.province(spec.clip, spec.side)
        geometry = shapely.intersection(geometry, province.geometry)
        clip_name = province.name
    area = polygonal(shapely.make_valid(geometry))
    if area.is_empty:
        raise InputError(f"the zone is empty: {spec.clip or spec.side} has no area within the buffer")
    distance = _distance_label(spec.distance_m)
    default = (
        f"{side_name or first.name + '/' + second.name} within {distance} of the {first.iso3}–{second.iso3} border"
    )
    if clip_name:
        default += f", {clip_name}"
    resolved = BorderBuffer(
        first.iso3, second.iso3, spec.distance_m, world.country(spec.side).iso3 if spec.side else None, clip_name
    )
    return Zone(
        name=name or default,
        kind=kind,
        geometry=area,
        provenance={
            "source": "Natural Earth 1:10m Admin-0 (public domain)"
            + ("; Admin-1 via QGIS world_map.gpkg" if clip_name else ""),
            "method": f"geodesic buffer (WGS84) of the {first.iso3}–{second.iso3} land border, {distance}",
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool": f"commonsky {__version__}",
        },
        extra={"buffer": resolved.to_json()},
    )
