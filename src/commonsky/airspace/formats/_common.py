"""What the zone exchange formats share: limits with units and references, applicability windows, circles, and the
``commonsky`` block that carries a zone's own fields through a format that has no place for them.

Conventions every format module follows (see docs/zone-format.md, "Import and export"):

- A format's own fields that have no place in a zone are kept, as read, under ``extra[<format key>]`` (``ed269``,
  ``ed318``, ``openair``), so exporting to the same format writes them back.
- A geodesic circle (ED-269 ``Circle``, ED-318 ``Point`` with a circle extent, OpenAir ``DC``) becomes a polygon
  whose vertices lie on the true circle (`commonsky.geo.arcs`); ``extra["circle"]`` remembers the circle, and
  export writes a circle again as long as the geometry is still exactly that polygon.
- Exporting to ED-269/ED-318 writes the zone fields those formats cannot hold (kind and binding when they differ
  from what the restriction type says, ``applies_to``, provenance, flight-level limits, other extra properties)
  under ``extendedProperties.commonsky``; importing reads them back, so import -> export -> import is lossless.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from commonsky.airspace._footprint import split_antimeridian
from commonsky.airspace.geojson import check_geometry
from commonsky.airspace.zone import Zone, ZoneKind, parse_time
from commonsky.airspace.zone_volume import parse_daily, zone_volumes
from commonsky.errors import GeometryError, InputError, UnitError
from commonsky.geo.arcs import circle_ring
from commonsky.units import FT_M, Altitude, AltitudeRef, parse_altitude

COMMONSKY_KEY = "commonsky"
CIRCLE_KEY = "circle"
DAILY_KEY = "daily"
UOM_M = {"m": 1.0, "ft": FT_M}


@dataclass(frozen=True)
class Imported:
    """Zones read from a file, and notes on what was read conservatively (one line each)."""

    zones: tuple[Zone, ...]
    notes: tuple[str, ...] = ()


# --- limits ---------------------------------------------------------------------------------------------------


def limit_from(value: Any, uom: str, ref: str, *, ceiling: bool, where: str) -> Altitude:
    """An ED limit (number or None, ``m``/``ft``, AGL/AMSL/WGS84) as an `Altitude`.

    None is the surface for a floor and unlimited for a ceiling. WGS84 (ellipsoid) heights become AMSL: commonsky
    has no geoid model, and the difference (the geoid undulation, within about ±100 m) is noted by the caller.
    """
    scale = UOM_M.get(uom.lower())
    if scale is None:
        raise InputError(f"{where}: unknown unit {uom!r} (use m or ft)")
    reference = {"AGL": AltitudeRef.AGL, "AMSL": AltitudeRef.AMSL, "WGS84": AltitudeRef.AMSL}.get(ref.upper())
    if reference is None:
        raise InputError(f"{where}: unknown vertical reference {ref!r} (use AGL, AMSL or WGS84)")
    if value is None:
        return Altitude(math.inf, AltitudeRef.STD) if ceiling else Altitude(0.0, reference)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: limit {value!r} is not a number") from None
    if not math.isfinite(number):
        raise InputError(f"{where}: limit {value!r} is not finite")
    return Altitude(number * scale, reference)


def number_text(value_m: float, scale_m: float) -> int | float:
    """``value_m`` in a unit of ``scale_m`` metres, written with the fewest decimals that read back to exactly
    ``value_m`` (so 121.92 m is 400 ft, not 400.00000000000006): what makes import -> export -> import exact."""
    value = value_m / scale_m
    for digits in range(16):
        rounded = round(value, digits)
        if rounded * scale_m == value_m:
            return int(rounded) if digits == 0 else rounded
    return value


def limit_to(altitude: Altitude, uom: str, *, kept_ref: str | None) -> tuple[int | float | None, str]:
    """An `Altitude` as an ED limit in ``uom`` with its reference (``kept_ref`` if it still means the same).

    Unlimited becomes None; a flight level becomes the same number of feet AMSL (standard atmosphere); the caller
    keeps the flight level itself in the commonsky block.
    """
    if altitude.is_unlimited:
        return None, kept_ref or "AMSL"
    value = number_text(altitude.value_m, UOM_M[uom.lower()])
    if altitude.ref is AltitudeRef.AGL:
        return value, "AGL"
    same = kept_ref in ("AMSL", "WGS84") and altitude.ref is AltitudeRef.AMSL
    return value, (kept_ref if same and kept_ref else "AMSL")


# --- applicability ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """One applicability period: open ends are None; ``daily`` None means all day, else UTC windows (start_s,
    end_s) in seconds after midnight."""

    start: datetime | None
    end: datetime | None
    daily: tuple[tuple[float, float], ...] | None = None


def clock_text(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def summarise(periods: Sequence[Period]) -> tuple[datetime | None, datetime | None, list[dict[str, str]] | None]:
    """The zone's single window and daily schedule covering every period (their hull: never less active)."""
    if not periods:
        return None, None, None
    starts = [p.start for p in periods]
    ends = [p.end for p in periods]
    start = None if any(s is None for s in starts) else min(s for s in starts if s is not None)
    end = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    if any(p.daily is None for p in periods):
        return start, end, None
    windows = sorted({w for p in periods for w in (p.daily or ())})
    return start, end, [{"start": clock_text(a), "end": clock_text(b)} for a, b in windows]


def zone_schedule(zone: Zone) -> tuple[datetime | None, datetime | None, list[dict[str, str]] | None]:
    """The zone's own window and daily schedule, in the form `summarise` returns."""
    daily = parse_daily(zone.extra.get(DAILY_KEY), f"zone {zone.name!r} daily")
    windows = sorted({(d.start_s, d.end_s) for d in daily})
    text = [{"start": clock_text(a), "end": clock_text(b)} for a, b in windows] if windows else None
    return zone.valid_from, zone.valid_to, text


def ed_clock(seconds: float, suffix: str) -> str:
    """A UTC time of day ``hh:mm:ss`` followed by ``suffix`` (ED-269 writes ``.00Z``, ED-318 ``Z``)."""
    whole = round(seconds) % 86_400
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}{suffix}"


def ed_period(zone: Zone, clock_suffix: str) -> dict[str, Any] | None:
    """The zone's window and daily schedule as one ED applicability period (start, end, ``schedule`` of every-day
    windows), or None when the zone is always active."""
    start, end, daily = zone_schedule(zone)
    if start is None and end is None and not daily:
        return None
    period: dict[str, Any] = {}
    if start is not None:
        period["startDateTime"] = iso_text(start)
    if end is not None:
        period["endDateTime"] = iso_text(end)
    if daily:
        windows = parse_daily(daily, "daily")
        period["schedule"] = [
            {"day": ["ANY"], "startTime": ed_clock(w.start_s, clock_suffix), "endTime": ed_clock(w.end_s, clock_suffix)}
            for w in windows
        ]
    return period


def iso_text(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def time_of(value: Any, where: str) -> datetime | None:
    return parse_time(None if value is None else str(value), where)


# --- geometry ---------------------------------------------------------------------------------------------------


def circle_polygon(lon: float, lat: float, radius_m: float, where: str) -> BaseGeometry:
    """The zone geometry of a geodesic circle (split at the antimeridian when it crosses it)."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise GeometryError(f"{where}: circle centre lon {lon}, lat {lat} is outside lon [-180, 180], lat [-90, 90]")
    try:
        ring = circle_ring(lat, lon, radius_m)
    except GeometryError as error:
        raise GeometryError(f"{where}: {error}") from error
    lons = ring[:, 0]
    lons = lon + ((lons - lon + 180.0) % 360.0 - 180.0)
    ring[:, 0] = lons
    return split_antimeridian(Polygon(ring))


def circle_extra(lon: float, lat: float, radius_m: float) -> dict[str, Any]:
    return {CIRCLE_KEY: {"lon": lon, "lat": lat, "radius_m": radius_m}}


def circle_of(zone: Zone) -> tuple[float, float, float] | None:
    """(lon, lat, radius_m) when the zone is a circle: a Point with a radius, or a polygon that is still exactly
    the one made from its remembered circle."""
    if isinstance(zone.geometry, Point):
        (radius_m,) = (v.shape.to_json()["radius_m"] for v in zone_volumes(zone))
        return zone.geometry.x, zone.geometry.y, float(radius_m)
    circle = zone.extra.get(CIRCLE_KEY)
    if not isinstance(circle, dict):
        return None
    try:
        lon, lat, radius = float(circle["lon"]), float(circle["lat"]), float(circle["radius_m"])
        remade = circle_polygon(lon, lat, radius, "circle")
    except (KeyError, TypeError, ValueError, InputError):
        return None
    return (lon, lat, radius) if shapely.equals_exact(remade, zone.geometry, 0.0) else None


def polygons_of(zone: Zone) -> list[Polygon]:
    """The zone's lateral extent as polygons (corridors and radius points become their geodesic footprints)."""
    geometry = zone.geometry
    if isinstance(geometry, Point | LineString) or geometry.geom_type in ("MultiPoint", "MultiLineString"):
        geometry = shapely.union_all([v.shape.footprint() for v in zone_volumes(zone)])
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon)]
    if not parts:
        raise GeometryError(f"zone {zone.name!r}: no polygon to export ({zone.geometry.geom_type})")
    return parts


def checked(geometry: BaseGeometry, where: str) -> BaseGeometry:
    check_geometry(geometry, where)
    return geometry


# --- the commonsky block ----------------------------------------------------------------------------------------


def carry_out(zone: Zone, own_key: str, kind: ZoneKind, binding: bool) -> dict[str, Any]:
    """The zone fields an ED export cannot hold, given the kind and binding its restriction type will say."""
    block: dict[str, Any] = {}
    if zone.kind is not kind:
        block["kind"] = zone.kind.value
    if zone.binding is not binding:
        block["binding"] = zone.binding
    if zone.applies_to:
        block["applies_to"] = list(zone.applies_to)
    if zone.provenance:
        block["provenance"] = dict(zone.provenance)
    for name, limit in (("floor", zone.floor), ("ceiling", zone.ceiling)):
        if limit.ref is AltitudeRef.STD and not limit.is_unlimited:
            block[name] = limit.label()
    others = {k: v for k, v in zone.extra.items() if k not in (own_key, CIRCLE_KEY, DAILY_KEY)}
    if others:
        block["extra"] = others
    return block


def extended_of(fields: dict[str, Any], where: str) -> dict[str, Any]:
    """A zone's ``extendedProperties`` (an object, or nothing)."""
    extended = fields.get("extendedProperties")
    if extended is None:
        return {}
    if not isinstance(extended, dict):
        raise InputError(f"{where}.extendedProperties: expected an object, got {type(extended).__name__}")
    return extended


def kept_fields(fields: dict[str, Any], drop: tuple[str, ...], where: str) -> dict[str, Any]:
    """A zone's fields as read, without ``drop`` and without our own block in ``extendedProperties``."""
    kept = {k: v for k, v in fields.items() if k not in (*drop, "extendedProperties")}
    extended = {k: v for k, v in extended_of(fields, where).items() if k != COMMONSKY_KEY}
    if extended:
        kept["extendedProperties"] = extended
    return kept


def carry_in(zone: Zone, block: Any, where: str) -> Zone:
    """The zone with the fields of a ``commonsky`` block (written by `carry_out`) put back."""
    if not isinstance(block, Mapping):
        return zone
    changes: dict[str, Any] = {}
    try:
        if "kind" in block:
            changes["kind"] = ZoneKind(block["kind"])
        if isinstance(block.get("binding"), bool):
            changes["binding"] = block["binding"]
        if "applies_to" in block:
            changes["applies_to"] = tuple(str(p) for p in block["applies_to"])
        if isinstance(block.get("provenance"), Mapping):
            changes["provenance"] = dict(block["provenance"])
        for name in ("floor", "ceiling"):
            if name in block:
                changes[name] = parse_altitude(str(block[name]))
        if isinstance(block.get("extra"), Mapping):
            changes["extra"] = {**zone.extra, **block["extra"]}
        return replace(zone, **changes)
    except (ValueError, TypeError, UnitError) as error:
        raise InputError(f"{where}.extendedProperties.{COMMONSKY_KEY}: {error}") from error


def provenance(source: str, fmt: str) -> dict[str, str]:
    from commonsky import __version__

    return {"source": source, "method": f"import {fmt}", "tool": f"commonsky {__version__}"}
