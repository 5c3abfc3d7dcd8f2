"""4D volumes: a lateral shape (lon/lat, geodesic) x an altitude band x a time window (+ daily windows).

Units inside: metres, seconds since the Unix epoch (UTC), degrees. Open time limits are ``-inf``/``+inf``.

How altitudes with different references compare (`AltitudeModel`), said plainly:

- STD (flight levels, 1013.25 hPa) and AMSL (QNH) are treated as the same scale. They differ by ~28 ft per hPa of
  QNH departure (a few hundred ft on a strong high or low), so whenever the two limits being compared have different
  references the comparison is widened by ``mixed_ref_margin_m`` (default 200 ft): conservative, never optimistic.
- AGL limits assume a terrain-free world unless told otherwise: ground is at ``ground_min_m`` for floors and
  ``ground_max_m`` for ceilings (both default 0 m = sea level). For rugged terrain set them to the terrain range of
  the area (e.g. 0 and 3,000 m for the Zagros): an AGL band then covers every altitude it could mean.
- Two bands overlap when each floor is strictly below the other's ceiling (touching blocks, e.g. FL200-FL250 and
  FL250-FL300, do not conflict); the overlap reported is ``[max(floors), min(ceilings)]`` in metres on that scale.

>>> from commonsky.units import parse_altitude as alt
>>> band = AltitudeBand(alt("FL250"), alt("FL300"))
>>> AltitudeModel().overlap_m(band, AltitudeBand(alt("FL290"), alt("FL310")))
(8839.2, 9144.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Protocol

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from commonsky.airspace._footprint import circle_footprint, corridor_footprint, split_antimeridian
from commonsky.airspace.geojson import check_geometry
from commonsky.errors import GeometryError, InputError
from commonsky.units import FT_M, Altitude, AltitudeRef

DAY_S = 86_400.0
LatLon = tuple[float, float]


class Shape(Protocol):
    """A lateral shape: knows its lon/lat footprint polygon and its JSON form."""

    def footprint(self) -> BaseGeometry: ...

    def to_json(self) -> dict[str, Any]: ...


def _check_latlon(point: LatLon, where: str) -> None:
    lat, lon = point
    if not (math.isfinite(lat) and math.isfinite(lon) and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise GeometryError(f"{where}: position lat {lat}, lon {lon} is outside lat [-90, 90], lon [-180, 180]")


@dataclass(frozen=True)
class PolygonShape:
    """A lon/lat Polygon or MultiPolygon, edges straight in lon/lat (densify long edges before use)."""

    geometry: BaseGeometry

    def __post_init__(self) -> None:
        check_geometry(self.geometry, "polygon")
        if self.geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise GeometryError(f"polygon: expected a Polygon or MultiPolygon, got {self.geometry.geom_type}")

    def footprint(self) -> BaseGeometry:
        return split_antimeridian(self.geometry)

    def to_json(self) -> dict[str, Any]:
        return {"type": "polygon", "geometry": mapping(self.geometry)}


@dataclass(frozen=True)
class CircleShape:
    """A geodesic circle: centre (lat, lon) in degrees, radius in metres."""

    centre: LatLon
    radius_m: float

    def __post_init__(self) -> None:
        _check_latlon(self.centre, "circle centre")
        if not (math.isfinite(self.radius_m) and self.radius_m > 0):
            raise GeometryError(f"circle radius must be positive, got {self.radius_m} m")

    def footprint(self) -> BaseGeometry:
        return circle_footprint(self.centre[0], self.centre[1], self.radius_m)

    def to_json(self) -> dict[str, Any]:
        return {"type": "circle", "centre": list(self.centre), "radius_m": self.radius_m}


@dataclass(frozen=True)
class CorridorShape:
    """A polyline of (lat, lon) points with a half-width in metres (a racetrack is a two-point corridor)."""

    points: tuple[LatLon, ...]
    half_width_m: float

    def __post_init__(self) -> None:
        if len(self.points) < 2:
            raise GeometryError("corridor: needs at least two points")
        for i, point in enumerate(self.points):
            _check_latlon(point, f"corridor point {i}")
        if not (math.isfinite(self.half_width_m) and self.half_width_m > 0):
            raise GeometryError(f"corridor half-width must be positive, got {self.half_width_m} m")

    def footprint(self) -> BaseGeometry:
        return corridor_footprint(list(self.points), self.half_width_m)

    def to_json(self) -> dict[str, Any]:
        return {"type": "corridor", "points": [list(p) for p in self.points], "half_width_m": self.half_width_m}


@dataclass(frozen=True)
class AltitudeBand:
    """Floor and ceiling, each with its own reference. The floor must be below the ceiling."""

    floor: Altitude
    ceiling: Altitude

    def __post_init__(self) -> None:
        if not self.floor.value_m < self.ceiling.value_m:
            raise InputError(f"floor {self.floor.label()} is not below ceiling {self.ceiling.label()}")

    def shifted(self, dz_m: float) -> AltitudeBand:
        """The same block moved up (dz_m > 0) or down; references are kept."""
        return AltitudeBand(
            replace(self.floor, value_m=self.floor.value_m + dz_m),
            replace(self.ceiling, value_m=self.ceiling.value_m + dz_m),
        )

    def label(self) -> str:
        return f"{self.floor.label()}-{self.ceiling.label()}"


@dataclass(frozen=True)
class AltitudeModel:
    """How limits with different references compare (see the module docstring). Metres."""

    ground_min_m: float = 0.0
    ground_max_m: float = 0.0
    mixed_ref_margin_m: float = 200 * FT_M

    def floor_m(self, alt: Altitude) -> float:
        return alt.value_m + (self.ground_min_m if alt.ref is AltitudeRef.AGL else 0.0)

    def ceiling_m(self, alt: Altitude) -> float:
        return alt.value_m + (self.ground_max_m if alt.ref is AltitudeRef.AGL else 0.0)

    def _below(self, floor: Altitude, ceiling: Altitude) -> bool:
        margin = self.mixed_ref_margin_m if floor.ref is not ceiling.ref else 0.0
        return self.floor_m(floor) < self.ceiling_m(ceiling) + margin

    def overlap_m(self, a: AltitudeBand, b: AltitudeBand) -> tuple[float, float] | None:
        """``(lo_m, hi_m)`` of the common part of two bands, or None when they do not overlap."""
        if not (self._below(a.floor, b.ceiling) and self._below(b.floor, a.ceiling)):
            return None
        lo = max(self.floor_m(a.floor), self.floor_m(b.floor))
        hi = min(self.ceiling_m(a.ceiling), self.ceiling_m(b.ceiling))
        return (lo, hi) if lo < hi else (hi, lo)  # within the mixed-reference margin: report the thin slab


@dataclass(frozen=True)
class DailyWindow:
    """A window repeating every UTC day: seconds after midnight, start in [0, 24 h), end in (0, 24 h]; an end
    before the start runs past midnight (``18:00-06:00``); ``00:00-24:00`` is the whole day."""

    start_s: float
    end_s: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.start_s < DAY_S:
            raise InputError(f"daily window start {self.start_s} s is outside 00:00-23:59:59")
        if not 0.0 < self.end_s <= DAY_S:
            raise InputError(f"daily window end {self.end_s} s is outside 00:00:01-24:00")
        if self.start_s == self.end_s:
            raise InputError("daily window is empty (start equals end)")

    def intervals(self, lo_s: float, hi_s: float) -> list[tuple[float, float]]:
        """The occurrences of this window clipped to the finite range [lo_s, hi_s)."""
        length = (self.end_s - self.start_s) % DAY_S or DAY_S
        day = math.floor(lo_s / DAY_S) - 1
        out = []
        while day * DAY_S + self.start_s < hi_s:
            start = day * DAY_S + self.start_s
            a, b = max(start, lo_s), min(start + length, hi_s)
            if a < b:
                out.append((a, b))
            day += 1
        return out


@dataclass(frozen=True)
class TimeWindow:
    """``[start_s, end_s)`` in Unix seconds; ``-inf``/``+inf`` for open ends."""

    start_s: float = -math.inf
    end_s: float = math.inf

    def __post_init__(self) -> None:
        if not self.start_s < self.end_s:
            raise InputError("end is not after start")

    def shifted(self, dt_s: float) -> TimeWindow:
        return TimeWindow(self.start_s + dt_s, self.end_s + dt_s)


@dataclass(frozen=True)
class Volume:
    """A 4D volume. ``daily`` (optional) restricts activity within ``window`` to repeating daily windows.

    ``footprint`` is the lon/lat polygon of the shape (split at the antimeridian), computed once.
    """

    shape: PolygonShape | CircleShape | CorridorShape
    band: AltitudeBand
    window: TimeWindow = field(default_factory=TimeWindow)
    daily: tuple[DailyWindow, ...] = ()

    @cached_property
    def footprint(self) -> BaseGeometry:
        return self.shape.footprint()

    def active_intervals(self, lo_s: float, hi_s: float) -> list[tuple[float, float]]:
        """When the volume is active inside [lo_s, hi_s), as sorted disjoint intervals."""
        lo, hi = max(lo_s, self.window.start_s), min(hi_s, self.window.end_s)
        if not lo < hi:
            return []
        if not self.daily:
            return [(lo, hi)]
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return [(lo, hi)]  # an unbounded daily schedule is, conservatively, always active
        pieces = sorted(iv for d in self.daily for iv in d.intervals(lo, hi))
        merged: list[tuple[float, float]] = []
        for a, b in pieces:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged

    def shifted(self, dt_s: float = 0.0, dz_m: float = 0.0) -> Volume:
        """The same volume moved in time and/or altitude (daily windows stay on the clock; shapes stay put)."""
        out = Volume(self.shape, self.band.shifted(dz_m) if dz_m else self.band, self.window.shifted(dt_s), self.daily)
        if "footprint" in self.__dict__:  # reuse the computed footprint: the shape did not move
            out.__dict__["footprint"] = self.footprint
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "shape": self.shape.to_json(),
            "floor": self.band.floor.to_json(),
            "ceiling": self.band.ceiling.to_json(),
            "start_s": self.window.start_s if math.isfinite(self.window.start_s) else None,
            "end_s": self.window.end_s if math.isfinite(self.window.end_s) else None,
            "daily": [[d.start_s, d.end_s] for d in self.daily],
        }


def intersect_intervals(
    a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Intersection of two sorted lists of disjoint half-open intervals."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def common_intervals(a: Volume, b: Volume) -> list[tuple[float, float]]:
    """When both volumes are active at once."""
    lo, hi = max(a.window.start_s, b.window.start_s), min(a.window.end_s, b.window.end_s)
    if not lo < hi:
        return []
    return intersect_intervals(a.active_intervals(lo, hi), b.active_intervals(lo, hi))


@dataclass(frozen=True)
class Overlap:
    """Where, when and at which altitudes two volumes meet: lon/lat geometry, intervals (s), band (m)."""

    geometry: BaseGeometry
    intervals: tuple[tuple[float, float], ...]
    alt_lo_m: float
    alt_hi_m: float


MIN_OVERLAP_DEG2 = 1e-10  # ~1 m² at the equator: shapes that only touch along an edge or a point do not conflict


def overlap(a: Volume, b: Volume, model: AltitudeModel | None = None) -> Overlap | None:
    """The exact 4D intersection of two volumes, or None. Scalar reference of what the index does in bulk."""
    alts = (model or AltitudeModel()).overlap_m(a.band, b.band)
    if alts is None:
        return None
    intervals = common_intervals(a, b)
    if not intervals:
        return None
    if not shapely.intersects(a.footprint, b.footprint):
        return None
    where = shapely.intersection(a.footprint, b.footprint)
    if where.area <= MIN_OVERLAP_DEG2:
        return None
    return Overlap(where, tuple(intervals), alts[0], alts[1])
