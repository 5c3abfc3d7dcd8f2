"""The narrow seam between stored rows and the strategic engine's types (`commonsky.airspace.volume`).

API/stored form of one intent volume (the engine's shape JSON, times as ISO 8601 UTC)::

    {"shape": {"type": "polygon", "geometry": {GeoJSON Polygon or MultiPolygon, lon/lat}}
              | {"type": "circle", "centre": {"type": "Point", "coordinates": [lon, lat]}, "radius_m": 9000}
              | {"type": "corridor", "points": [[lat, lon], ...], "half_width_m": 5000},
     "floor": "FL250" | {"value": 25000, "unit": "ft", "ref": "AMSL"}, "ceiling": ...,
     "start": "2014-12-01T06:00:00Z", "end": "2014-12-01T09:00:00Z",
     "daily": [[start_s, end_s], ...]}          # optional repeating windows, seconds after 00:00 UTC

A circle centre stored before the GeoJSON Point form is a bare ``[lat, lon]`` pair: both are read.

Zones come in the GeoJSON zone format (`commonsky.airspace.zone`): a Polygon/MultiPolygon, or a LineString
with a ``half_width_m`` property for a corridor.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from shapely.geometry import mapping

from commonsky.airspace.geojson import geometry_from_json
from commonsky.airspace.index import VolumeIndex
from commonsky.airspace.volume import (
    AltitudeBand,
    AltitudeModel,
    CircleShape,
    CorridorShape,
    DailyWindow,
    Overlap,
    PolygonShape,
    TimeWindow,
    Volume,
)
from commonsky.airspace.zone import Zone, parse_time
from commonsky.airspace.zone_volume import zone_volumes
from commonsky.errors import InputError, UnitError
from commonsky.plans.intent import Intent
from commonsky.strategic.engine import StrategicEngine
from commonsky.strategic.policy import Policy
from commonsky.strategic.result import Resolution
from commonsky.units import parse_altitude


@dataclass(frozen=True)
class Bounds:
    """Conservative envelope of some volumes: lon/lat box (deg), altitudes (m, common scale), times (s)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    alt_lo_m: float
    alt_hi_m: float
    t0_s: float
    t1_s: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)

    def columns(self) -> dict[str, float]:
        return {
            "min_lon": self.min_lon,
            "min_lat": self.min_lat,
            "max_lon": self.max_lon,
            "max_lat": self.max_lat,
            "alt_lo_m": self.alt_lo_m,
            "alt_hi_m": self.alt_hi_m,
            "t0_s": self.t0_s,
            "t1_s": self.t1_s,
        }


@dataclass(frozen=True)
class Found:
    """One conflict: which own volume meets which volume of which owner, and the exact 4D overlap."""

    own_index: int
    owner: Hashable
    other_index: int
    overlap: Overlap


def count_vertices(items: Sequence[Mapping[str, Any]]) -> int:
    """Vertices of an intent as F3548 counts them: polygon ring points, corridor points, one per circle."""
    total = 0
    for item in items:
        shape = item.get("shape") or {}
        kind = shape.get("type")
        if kind == "corridor":
            total += len(shape.get("points") or ())
        elif kind == "circle":
            total += 1
        else:
            total += _count_coords((shape.get("geometry") or {}).get("coordinates"))
    return total


def _count_coords(value: Any, depth: int = 0) -> int:
    if not isinstance(value, list) or depth > 4:
        return 0
    if value and not isinstance(value[0], list):
        return 1
    return sum(_count_coords(v, depth + 1) for v in value)


def _seconds(stamp: str, where: str) -> float:
    parsed = parse_time(stamp, where)
    assert parsed is not None
    return parsed.timestamp()


def iso(seconds: float) -> str | None:
    """Unix seconds to ISO 8601 UTC (None for an open limit)."""
    if not math.isfinite(seconds):
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def volume_from_json(item: Mapping[str, Any], where: str = "volume") -> Volume:
    """One stored/API volume to the engine's `Volume`; raises `InputError` naming ``where`` and the field."""
    shape = item.get("shape")
    if not isinstance(shape, Mapping):
        raise InputError(f"{where}.shape: expected an object")
    kind = shape.get("type")
    try:
        built: PolygonShape | CircleShape | CorridorShape
        if kind == "polygon":
            built = PolygonShape(geometry_from_json(shape.get("geometry"), f"{where}.shape.geometry"))
        elif kind == "circle":
            lat, lon = circle_centre(shape["centre"])
            built = CircleShape((lat, lon), float(shape["radius_m"]))
        elif kind == "corridor":
            points = tuple((float(lat), float(lon)) for lat, lon in shape["points"])
            built = CorridorShape(points, float(shape["half_width_m"]))
        else:
            raise InputError(f"{where}.shape.type: unknown shape {kind!r} (use polygon, circle or corridor)")
        band = AltitudeBand(parse_altitude(item["floor"]), parse_altitude(item["ceiling"]))
        window = TimeWindow(_seconds(item["start"], f"{where}.start"), _seconds(item["end"], f"{where}.end"))
        daily = tuple(DailyWindow(float(a), float(b)) for a, b in item.get("daily") or ())
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, InputError):
            message = str(error)
            raise InputError(message if message.startswith(where) else f"{where}: {message}") from error
        raise InputError(f"{where}: malformed volume ({type(error).__name__}: {error})") from error
    return Volume(built, band, window, daily)


def circle_centre(centre: Any) -> tuple[float, float]:
    """(lat, lon) of a stored circle centre: a GeoJSON Point ``[lon, lat]``, or the older bare ``[lat, lon]``."""
    if isinstance(centre, Mapping):
        lon, lat = centre["coordinates"]
        return float(lat), float(lon)
    lat, lon = centre
    return float(lat), float(lon)


def volumes_from_json(items: Sequence[Mapping[str, Any]]) -> tuple[Volume, ...]:
    return tuple(volume_from_json(item, f"volumes[{i}]") for i, item in enumerate(items))


def zone_from_feature(feature: Any) -> tuple[Zone, tuple[Volume, ...]]:
    """A zone-format Feature to its `Zone` and the engine's volumes for it (`airspace.zone_volume`)."""
    zone = Zone.from_feature(feature, "feature")
    try:
        return zone, zone_volumes(zone)
    except UnitError as error:
        raise InputError(f"feature: {error}") from error


def to_intent(intent_id: str, party: str, volumes: tuple[Volume, ...], priority: int) -> Intent:
    """A stored or filed intent as the engine's value (the broker keeps state and versions itself)."""
    return Intent(id=intent_id, party=party, volumes=volumes, priority=priority)


def build_engine(model: AltitudeModel, zones: Sequence[tuple[str, Zone]], intents: Sequence[Intent]) -> StrategicEngine:
    """A one-decision engine over prefiltered rows. Zones are renamed to their row id so that a conflict's
    ``other`` names the row (zone names need not be unique)."""
    engine = StrategicEngine((replace(zone, name=zone_id) for zone_id, zone in zones), Policy(altitude=model))
    for intent in intents:
        engine.store(intent)
    return engine


def resolution_json(resolution: Resolution) -> dict[str, Any]:
    """A resolution the filing party may see: its own intent shifted in time and/or altitude."""
    return {"kind": resolution.kind, "dt_s": resolution.dt_s, "dz_m": resolution.dz_m, "summary": resolution.summary}


def bounds(volumes: Sequence[Volume], model: AltitudeModel) -> Bounds:
    """The envelope stored beside the JSON for SQL prefiltering (see `prefilter_margin_m`)."""
    boxes = [v.footprint.bounds for v in volumes]
    return Bounds(
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
        min(model.floor_m(v.band.floor) for v in volumes),
        max(model.ceiling_m(v.band.ceiling) for v in volumes),
        min(v.window.start_s for v in volumes),
        max(v.window.end_s for v in volumes),
    )


def prefilter_margin_m(model: AltitudeModel) -> float:
    """How much the SQL altitude prefilter widens bands so it never drops what the engine would match."""
    return model.mixed_ref_margin_m + 1.0


def find_conflicts(
    candidate: Sequence[Volume], others: Mapping[Hashable, Sequence[Volume]], model: AltitudeModel
) -> list[Found]:
    """Every exact 4D overlap of ``candidate`` with the volumes of ``others`` (already prefiltered)."""
    if not others:
        return []
    index = VolumeIndex(model)
    for owner, volumes in others.items():
        index.insert(owner, volumes)
    return [
        Found(i, hit.owner, hit.volume_index, hit.overlap)
        for i, volume in enumerate(candidate)
        for hit in index.hits(volume)
    ]


def overlap_json(overlap: Overlap) -> dict[str, Any]:
    """Where / when / which altitudes, and nothing else (no owner, no route)."""
    intervals = [[iso(a), iso(b)] for a, b in overlap.intervals]
    return {
        "where": mapping(overlap.geometry),
        "start": intervals[0][0] if intervals else None,
        "end": intervals[-1][1] if intervals else None,
        "intervals": intervals,
        "alt_lo_m": overlap.alt_lo_m if math.isfinite(overlap.alt_lo_m) else None,
        "alt_hi_m": overlap.alt_hi_m if math.isfinite(overlap.alt_hi_m) else None,
    }
