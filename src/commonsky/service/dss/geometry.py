"""F3548 ``Volume4D`` <-> 4D boxes the DSS can store and compare.

A `Volume` is one F3548 volume: a lon/lat polygon (circles become 64-gons on the WGS84 ellipsoid), an altitude
band in metres above the WGS84 ellipsoid and a time span in integer microseconds since the Unix epoch (so times
come back exactly as given). An `Extent` is the tuple of volumes of one entity. Two extents intersect as a DSS
compares references (InterUSS's DSS and its prober): their time envelopes, altitude envelopes and footprints (the
union of their areas) all meet, closed intervals, touching counts. `Volume.overlaps` is the exact per-volume test.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from uas_standards.astm.f3548.v21 import constants

from commonsky.service.dss.errors import bad_request

_GEOD = Geod(ellps="WGS84")
_CIRCLE_POINTS = 64
MAX_AREA_KM2 = float(constants.CstrMaxAreaKm2)  # the largest area a DSS request may name (F3548 constants)
_US = 1_000_000
_CLOCK_TOLERANCE_US = constants.TimeSyncMaxDifferentialSeconds * _US
_M_PER_DEG_LAT = 111_132.0  # below the polar 111,694 m per degree: polar caps come out slightly large, never small


@dataclass(frozen=True)
class Volume:
    """One 4D volume: ``shape`` in lon/lat degrees, altitudes in metres (W84), times in µs since the epoch."""

    shape: Polygon
    alt_lo_m: float
    alt_hi_m: float
    t0_us: int
    t1_us: int

    def overlaps(self, other: Volume) -> bool:
        return (
            self.t0_us <= other.t1_us
            and other.t0_us <= self.t1_us
            and self.alt_lo_m <= other.alt_hi_m
            and other.alt_lo_m <= self.alt_hi_m
            and bool(self.shape.intersects(other.shape))
        )


@dataclass(frozen=True)
class Extent:
    """The volumes of one entity, with their envelope (for SQL prefilters)."""

    volumes: tuple[Volume, ...]

    @property
    def t0_us(self) -> int:
        return min(v.t0_us for v in self.volumes)

    @property
    def t1_us(self) -> int:
        return max(v.t1_us for v in self.volumes)

    @property
    def alt_lo_m(self) -> float:
        return min(v.alt_lo_m for v in self.volumes)

    @property
    def alt_hi_m(self) -> float:
        return max(v.alt_hi_m for v in self.volumes)

    @cached_property
    def box(self) -> tuple[float, float, float, float]:
        """``(min_lon, min_lat, max_lon, max_lat)`` of all volumes."""
        bounds = np.array([v.shape.bounds for v in self.volumes])
        return (
            float(bounds[:, 0].min()),
            float(bounds[:, 1].min()),
            float(bounds[:, 2].max()),
            float(bounds[:, 3].max()),
        )

    @property
    def vertex_count(self) -> int:
        return sum(len(v.shape.exterior.coords) - 1 for v in self.volumes)

    @cached_property
    def footprint(self) -> BaseGeometry:
        """The union of the volumes' areas."""
        return shapely.union_all([v.shape for v in self.volumes])

    def intersects(self, other: Extent) -> bool:
        """As a DSS compares references: time envelopes, altitude envelopes and footprints all meet."""
        return (
            self.t0_us <= other.t1_us
            and other.t0_us <= self.t1_us
            and self.alt_lo_m <= other.alt_hi_m
            and other.alt_lo_m <= self.alt_hi_m
            and bool(self.footprint.intersects(other.footprint))
        )

    def covers(self, other: Extent) -> bool:
        """Whether a subscription over this extent hears of ``other`` until ``other`` ends: it lasts at least as
        long, and its altitude envelope and union of areas hold all of ``other``. It may start up to F3548's clock
        tolerance (``TimeSyncMaxDifferentialSeconds``) after ``other`` does, as InterUSS's DSS accepts."""
        if other.t1_us > self.t1_us or self.t0_us > other.t0_us + _CLOCK_TOLERANCE_US:
            return False
        if other.alt_lo_m < self.alt_lo_m or other.alt_hi_m > self.alt_hi_m:
            return False
        return bool(self.footprint.buffer(1e-9).covers(other.footprint))

    def to_json(self) -> list[list[Any]]:
        return [[v.t0_us, v.t1_us, v.alt_lo_m, v.alt_hi_m, shapely.to_wkb(v.shape, hex=True)] for v in self.volumes]

    @staticmethod
    def from_json(rows: Sequence[Sequence[Any]]) -> Extent:
        return Extent(
            tuple(Volume(shapely.from_wkb(wkb), float(lo), float(hi), int(t0), int(t1)) for t0, t1, lo, hi, wkb in rows)
        )


def now_us() -> int:
    return int(datetime.now(UTC).timestamp() * _US)


def to_us(moment: datetime) -> int:
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds


def time_json(t_us: int) -> dict[str, str]:
    """An F3548 ``Time``: RFC 3339 in UTC with microseconds."""
    seconds, micro = divmod(t_us, _US)
    moment = datetime.fromtimestamp(seconds, UTC).replace(microsecond=micro)
    return {"value": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "format": "RFC3339"}


def _time(raw: Mapping[str, Any] | None, what: str) -> int | None:
    if raw is None:
        return None
    value = raw.get("value")
    if raw.get("format", "RFC3339") != "RFC3339" or value is None:
        raise bad_request(f"{what}: time format must be RFC3339")
    text = str(value)
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise bad_request(f"{what}: {text[:40]!r} is not an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise bad_request(f"{what}: {text[:40]!r} has no time zone")
    return to_us(moment)


def _altitude(raw: Mapping[str, Any] | None, default: float, what: str) -> float:
    if raw is None:
        return default
    if raw.get("reference", "W84") != "W84":
        raise bad_request(f"{what}: altitude reference must be W84")
    if raw.get("units", "M") != "M":
        raise bad_request(f"{what}: altitude units must be M")
    value = float(raw["value"])
    if not math.isfinite(value):
        raise bad_request(f"{what}: altitude must be a finite number")
    return value


def _point(raw: Mapping[str, Any], what: str) -> tuple[float, float]:
    lat, lng = float(raw["lat"]), float(raw["lng"])
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0):
        raise bad_request(f"{what}: ({lat}, {lng}) is out of range")
    return lng, lat


def _circle(raw: Mapping[str, Any], what: str) -> Polygon:
    center, radius = raw.get("center"), raw.get("radius")
    if center is None or radius is None:
        raise bad_request(f"{what}: a circle needs a center and a radius")
    if radius.get("units", "M") != "M":
        raise bad_request(f"{what}: radius units must be M")
    radius_m = float(radius["value"])
    if not (0.0 < radius_m < 1.0e6):
        raise bad_request(f"{what}: radius must be positive and below 1000 km")
    lng, lat = _point(center, what)
    pole = 90.0 if lat >= 0 else -90.0
    _, _, to_pole_m = _GEOD.inv(lng, lat, lng, pole)
    if to_pole_m <= radius_m:
        # A circle around a pole is no polygon in lon/lat: take the polar cap that holds it.
        edge = pole - math.copysign((to_pole_m + radius_m) / _M_PER_DEG_LAT, pole)
        return Polygon([(-180.0, edge), (180.0, edge), (180.0, pole), (-180.0, pole)])
    azimuths = np.linspace(0.0, 360.0, _CIRCLE_POINTS, endpoint=False)
    lons, lats, _ = _GEOD.fwd(
        np.full(_CIRCLE_POINTS, lng), np.full(_CIRCLE_POINTS, lat), azimuths, np.full(_CIRCLE_POINTS, radius_m)
    )
    return Polygon(zip(lons, lats, strict=True))


def _polygon(raw: Mapping[str, Any], what: str) -> Polygon:
    vertices = raw.get("vertices") or []
    points = [_point(v, what) for v in vertices]
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len(set(points)) < 3:
        raise bad_request(f"{what}: a polygon needs at least 3 distinct vertices")
    shape = Polygon(points)
    if not shape.is_valid:
        raise bad_request(f"{what}: the polygon is not simple (its edges cross)")
    return shape


def area_km2(shape: Polygon) -> float:
    area_m2, _ = _GEOD.geometry_area_perimeter(shape)
    return abs(float(area_m2)) / 1.0e6


def parse_volume(raw: Any, what: str, *, need_times: bool, default_t0_us: int, default_t1_us: int) -> Volume:
    """One F3548 ``Volume4D`` (a JSON object) as a `Volume`; `DssError` 400 naming what is wrong."""
    if not isinstance(raw, Mapping):
        raise bad_request(f"{what}: a Volume4D must be an object")
    try:
        volume = raw.get("volume")
        if not isinstance(volume, Mapping):
            raise bad_request(f"{what}.volume is required")
        circle: Any = volume.get("outline_circle")
        polygon: Any = volume.get("outline_polygon")
        if (circle is None) == (polygon is None):
            raise bad_request(f"{what}.volume: give exactly one of outline_circle and outline_polygon")
        shape = _circle(circle, what) if polygon is None else _polygon(polygon, what)
        lo = _altitude(volume.get("altitude_lower"), -math.inf, f"{what}.altitude_lower")
        hi = _altitude(volume.get("altitude_upper"), math.inf, f"{what}.altitude_upper")
        t0 = _time(raw.get("time_start"), f"{what}.time_start")
        t1 = _time(raw.get("time_end"), f"{what}.time_end")
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise bad_request(f"{what}: malformed volume ({type(error).__name__}: {error})") from None
    if need_times and (t0 is None or t1 is None):
        raise bad_request(f"{what}: time_start and time_end are required")
    if lo > hi:
        raise bad_request(f"{what}: altitude_lower is above altitude_upper")
    t0 = default_t0_us if t0 is None else t0
    t1 = default_t1_us if t1 is None else t1
    if t0 > t1:
        raise bad_request(f"{what}: time_start is after time_end")
    if area_km2(shape) > MAX_AREA_KM2:
        raise bad_request(f"{what}: area above {MAX_AREA_KM2:.0f} km²")
    return Volume(shape, lo, hi, t0, t1)


def parse_extents(raw: Any, what: str, *, max_vertices: int) -> Extent:
    """A non-empty list of ``Volume4D`` with times (operational intents, constraints)."""
    if not isinstance(raw, list) or not raw:
        raise bad_request(f"{what} must be a non-empty list of Volume4D")
    volumes = tuple(
        parse_volume(v, f"{what}[{i}]", need_times=True, default_t0_us=0, default_t1_us=0) for i, v in enumerate(raw)
    )
    extent = Extent(volumes)
    if extent.vertex_count > max_vertices:
        raise bad_request(f"{what}: {extent.vertex_count} vertices, above the limit of {max_vertices}")
    return extent
