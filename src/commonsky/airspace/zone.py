"""The one zone format of commonsky: a GeoJSON Feature with typed properties.

Every feature that reads or writes zones uses `Zone.from_feature` / `Zone.to_feature` (or `read_zones` /
`write_zones`). A zone file is a Feature or a FeatureCollection; each Feature is::

    {"type": "Feature",
     "geometry": {... lon/lat polygon, multipolygon, or line for a corridor centre ...},
     "properties": {
        "format": "commonsky.zone/1",
        "name": "Iraq within 20 mi of Iran",
        "kind": "buffer",                       # buffer | restricted | prohibited | corridor | advisory
        "floor":   {"value": 0,   "unit": "ft", "ref": "AGL"},     # or a string: "SFC", "FL320", "5000ft AMSL"
        "ceiling": {"value": null, "unit": "UNL", "ref": "STD"},
        "valid_from": "2014-12-01T00:00:00Z",   # ISO 8601 UTC, or null for always
        "valid_to": null,
        "binding": true,                        # false: advisory only
        "applies_to": [],                       # parties it binds; empty = everyone
        "provenance": {"source": "...", "method": "...", "created": "...", "tool": "commonsky 0.1.0"},
        "area_km2": 35876.1                     # informative, recomputed on write
     }}

Unknown extra properties are kept in `Zone.extra` and written back unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from commonsky.airspace.geojson import features_of, geometry_from_json, load_json, write_json
from commonsky.errors import InputError, UnitError
from commonsky.units import Altitude, AltitudeRef, parse_altitude

FORMAT = "commonsky.zone/1"
_KNOWN_KEYS = {
    "format",
    "name",
    "kind",
    "floor",
    "ceiling",
    "valid_from",
    "valid_to",
    "binding",
    "applies_to",
    "provenance",
    "area_km2",
}


class ZoneKind(StrEnum):
    BUFFER = "buffer"
    RESTRICTED = "restricted"
    PROHIBITED = "prohibited"
    CORRIDOR = "corridor"
    ADVISORY = "advisory"


SURFACE = Altitude(0.0, AltitudeRef.AGL)
UNLIMITED = Altitude(math.inf, AltitudeRef.STD)


@dataclass(frozen=True)
class Zone:
    """A named piece of airspace: lateral geometry (lon/lat) x altitude band x validity window.

    ``floor``/``ceiling`` keep their reference (AGL, AMSL, STD); comparing across references is the job of
    the 4D volume layer. ``valid_from``/``valid_to`` are aware UTC datetimes or None (open).
    """

    name: str
    kind: ZoneKind
    geometry: BaseGeometry
    floor: Altitude = SURFACE
    ceiling: Altitude = UNLIMITED
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    binding: bool = True
    applies_to: tuple[str, ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputError("zone name is empty")
        if self.floor.value_m >= self.ceiling.value_m and self.floor.ref == self.ceiling.ref:
            raise InputError(
                f"zone {self.name!r}: floor {self.floor.label()} is not below ceiling {self.ceiling.label()}"
            )
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise InputError(f"zone {self.name!r}: valid_to {self.valid_to:%Y-%m-%dT%H:%MZ} is not after valid_from")

    def with_geometry(self, geometry: BaseGeometry) -> Zone:
        return replace(self, geometry=geometry)

    def area_km2(self) -> float:
        """Geodesic area on WGS84 in km² (0 for lines and points)."""
        from pyproj import Geod  # local import: pyproj is slow to import and not needed to read a zone

        area, _ = Geod(ellps="WGS84").geometry_area_perimeter(self.geometry)
        return abs(area) / 1e6

    def to_feature(self) -> dict[str, Any]:
        props: dict[str, Any] = {
            "format": FORMAT,
            "name": self.name,
            "kind": self.kind.value,
            "floor": self.floor.to_json(),
            "ceiling": self.ceiling.to_json(),
            "valid_from": _iso(self.valid_from),
            "valid_to": _iso(self.valid_to),
            "binding": self.binding,
            "applies_to": list(self.applies_to),
            "provenance": dict(self.provenance),
            "area_km2": round(self.area_km2(), 1),
        }
        props.update(self.extra)
        return {"type": "Feature", "properties": props, "geometry": mapping(self.geometry)}

    @classmethod
    def from_feature(cls, feature: Any, where: str = "feature") -> Zone:
        """Build and check a zone; errors name ``where`` (file and feature index) and the field."""
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise InputError(f"{where}: expected a GeoJSON Feature")
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise InputError(f"{where}.properties: expected an object")
        geometry = geometry_from_json(feature.get("geometry"), f"{where}.geometry")
        name = props.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{where}.properties.name: missing or empty")
        kind_text = props.get("kind", "restricted")
        try:
            kind = ZoneKind(kind_text)
        except ValueError:
            kinds = ", ".join(k.value for k in ZoneKind)
            raise InputError(f"{where}.properties.kind: unknown zone kind {kind_text!r} (use {kinds})") from None
        floor = _altitude(props.get("floor", "SFC"), f"{where}.properties.floor")
        ceiling = _altitude(props.get("ceiling", "UNL"), f"{where}.properties.ceiling")
        applies = props.get("applies_to", [])
        if not isinstance(applies, list) or not all(isinstance(p, str) for p in applies):
            raise InputError(f"{where}.properties.applies_to: expected a list of party names")
        binding = props.get("binding", kind is not ZoneKind.ADVISORY)
        if not isinstance(binding, bool):
            raise InputError(f"{where}.properties.binding: expected true or false")
        provenance = props.get("provenance", {})
        if isinstance(provenance, str):
            provenance = {"source": provenance}
        if not isinstance(provenance, dict):
            raise InputError(f"{where}.properties.provenance: expected an object or a string")
        try:
            return cls(
                name=name,
                kind=kind,
                geometry=geometry,
                floor=floor,
                ceiling=ceiling,
                valid_from=parse_time(props.get("valid_from"), f"{where}.properties.valid_from"),
                valid_to=parse_time(props.get("valid_to"), f"{where}.properties.valid_to"),
                binding=binding,
                applies_to=tuple(applies),
                provenance=provenance,
                extra={k: v for k, v in props.items() if k not in _KNOWN_KEYS},
            )
        except InputError as error:
            raise InputError(f"{where}: {error}") from error


def _altitude(value: Any, where: str) -> Altitude:
    try:
        return parse_altitude(value)
    except UnitError as error:
        raise InputError(f"{where}: {error}") from error


def parse_time(value: Any, where: str = "time") -> datetime | None:
    """ISO 8601 text (``Z`` or offset; naive means UTC) to an aware UTC datetime; None stays None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: expected an ISO 8601 time string, got {value!r}")
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: cannot read time {value!r} (use ISO 8601, e.g. 2014-12-01T06:00:00Z)") from None
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_zones(path: Path | str) -> list[Zone]:
    """Read every zone of a GeoJSON file (Feature or FeatureCollection)."""
    where = str(path)
    features = features_of(load_json(Path(path)), where)
    if not features:
        raise InputError(f"{where}: contains no features")
    return [Zone.from_feature(f, f"{where}: features[{i}]") for i, f in enumerate(features)]


def write_zones(path: Path | str, zones: Iterable[Zone]) -> None:
    """Write zones as one FeatureCollection (atomically)."""
    write_json(Path(path), {"type": "FeatureCollection", "features": [z.to_feature() for z in zones]})
