"""OpenAir airspace files (gliding and general aviation) to commonsky zones, read with aerofiles' OpenAir reader.

Why aerofiles (MIT) and not openair-rs-py: see docs/licences.md. aerofiles reads the records and coordinates
(``DP``, ``V X=``/``V D=``, ``DA``, ``DB``, ``DC``, extended ``AY``/``AI``/``AF``/``AG``/``AA``) and says on which line
it failed; the altitude text, the arcs and the meaning are ours:

- ``DA``/``DB`` arcs and ``DC`` circles become vertices on the geodesic circle around ``V X=`` (`geo.arcs`), the
  radius in nautical miles; ``V D=-`` turns arcs counter-clockwise until the next airspace.
- ``AL``/``AH``: ``SFC``/``GND``/``0``; ``UNL``/``UNLIM``/``UNLIMITED``; ``FL95``; ``5000ft MSL``, ``3000 AMSL``,
  ``1000m``, ``2500ft GND``/``AGL``/``SFC``; a bare number is feet AMSL; text in parentheses is ignored. A limit
  that cannot be read is taken conservatively (floor: surface, ceiling: unlimited) and a note says so.
- Class ``AC`` and type ``AY`` -> kind, the stricter of the two: P (PROHIBITED) prohibited; R (RESTRICTED), A, B,
  C, D, CTR, GP, TRA, TSA restricted (binding); Q (danger) and everything else advisory (not binding).
- ``AA`` activation windows -> ``valid_from``/``valid_to`` (their hull).
- Everything else (class, type, ident, frequency, station, labels, the limit texts, the line) is kept under
  ``extra["openair"]``. Terrain records (``TO``/``TC``) are skipped.
"""

from __future__ import annotations

import io
import math
import re
from datetime import UTC, datetime
from typing import Any

import numpy as np
import shapely
from aerofiles.openair import Reader
from shapely.geometry import Polygon
from shapely.validation import explain_validity

from commonsky.airspace.formats._common import (
    Imported,
    Period,
    checked,
    circle_extra,
    circle_polygon,
    provenance,
    summarise,
)
from commonsky.airspace.zone import SURFACE, UNLIMITED, Zone, ZoneKind
from commonsky.errors import CommonskyError, GeometryError, InputError
from commonsky.geo.arcs import arc_between, arc_vertices
from commonsky.units import FT_M, NM_M, Altitude, AltitudeRef

KEY = "openair"
_PROHIBITED = {"P", "PROHIBITED"}
_RESTRICTED = {"R", "RESTRICTED", "A", "B", "C", "D", "CTR", "GP", "TRA", "TSA"}
_LIMIT = re.compile(
    r"^(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>FT|F|M)?\s*(?P<ref>AMSL|MSL|AGL|GND|SFC|ASFC|STD)?$", re.IGNORECASE
)
_FL = re.compile(r"^FL\s*(\d+(?:\.\d+)?)$", re.IGNORECASE)


def parse_limit(text: str | None, *, ceiling: bool) -> Altitude | None:
    """An OpenAir ``AL``/``AH`` text as an `Altitude`, or None when it cannot be read."""
    if text is None:
        return None
    cleaned = re.sub(r"\([^)]*\)", " ", text).strip().upper()
    cleaned = " ".join(cleaned.split())
    if cleaned in ("SFC", "GND", "0", "SURFACE"):
        return SURFACE
    if cleaned in ("UNL", "UNLIM", "UNLIMITED", "UNLTD"):
        return UNLIMITED
    level = _FL.match(cleaned)
    if level:
        return Altitude(float(level.group(1)) * 100.0 * FT_M, AltitudeRef.STD)
    match = _LIMIT.match(cleaned)
    if match is None:
        return None
    scale = 1.0 if (match.group("unit") or "FT") == "M" else FT_M
    ref = (match.group("ref") or "MSL").upper()
    reference = {"STD": AltitudeRef.STD, "MSL": AltitudeRef.AMSL, "AMSL": AltitudeRef.AMSL}.get(ref, AltitudeRef.AGL)
    return Altitude(float(match.group("number")) * scale, reference)


def kind_of(*classes: str | None) -> tuple[ZoneKind, bool]:
    """Kind and binding of an airspace from its OpenAir class (``AC``) and type (``AY``): the stricter wins."""
    keys = {c.strip().upper() for c in classes if c}
    if keys & _PROHIBITED:
        return ZoneKind.PROHIBITED, True
    if keys & _RESTRICTED:
        return ZoneKind.RESTRICTED, True
    return ZoneKind.ADVISORY, False


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # older OpenAir files are Windows-1252/Latin-1


def read_openair(raw: bytes, source: str) -> Imported:
    """The zones of an OpenAir file's bytes; ``source`` names the file in errors (with the line)."""
    zones: list[Zone] = []
    notes: list[str] = []
    for record, error in Reader(io.StringIO(_text(raw))):
        if error is not None:
            line = getattr(error, "lineno", None)
            raise InputError(f"{source}{f' line {line}' if line else ''}: {error}")
        if record.get("type") != "airspace":
            continue
        zones.append(_zone(record, source, notes))
    if not zones:
        raise InputError(f"{source}: no OpenAir airspace found (expected records starting with 'AC')")
    return Imported(tuple(zones), tuple(notes))


def _line(record: dict[str, Any]) -> int:
    lines = [e.get("lineno") for e in record.get("elements", []) if e.get("lineno")]
    return int(min(lines)) if lines else 0


def _zone(record: dict[str, Any], source: str, notes: list[str]) -> Zone:
    line = _line(record)
    where = f"{source} line {line}"
    name = record.get("name") or f"{record.get('class')} airspace at line {line}"
    kind, binding = kind_of(record.get("class"), record.get("airspace_type"))
    floor = _limit(record.get("floor"), ceiling=False, where=f"{where} ({name}) floor", notes=notes)
    ceiling = _limit(record.get("ceiling"), ceiling=True, where=f"{where} ({name}) ceiling", notes=notes)
    geometry, circle = _geometry(record.get("elements") or [], f"{where} ({name})", notes)
    valid_from, valid_to, _ = summarise(_periods(record.get("activation") or [], where, notes))
    kept = {
        "class": record.get("class"),
        "type": record.get("airspace_type"),
        "ident": record.get("ident"),
        "freq": record.get("freq"),
        "ground_name": record.get("ground_name"),
        "floor": record.get("floor"),
        "ceiling": record.get("ceiling"),
        "labels": [[lon, lat] for lat, lon in record.get("labels") or []],
        "line": line,
    }
    extra: dict[str, Any] = {KEY: {k: v for k, v in kept.items() if v not in (None, [])}}
    if circle is not None:
        extra.update(circle_extra(*circle))
    try:
        return Zone(
            name=name,
            kind=kind,
            geometry=geometry,
            floor=floor,
            ceiling=ceiling,
            valid_from=valid_from,
            valid_to=valid_to,
            binding=binding,
            provenance=provenance(source.rsplit("/", 1)[-1], "OpenAir"),
            extra=extra,
        )
    except CommonskyError as error:
        raise InputError(f"{where} ({name}): {error}") from error


def _limit(text: str | None, *, ceiling: bool, where: str, notes: list[str]) -> Altitude:
    altitude = parse_limit(text, ceiling=ceiling)
    if altitude is not None:
        return altitude
    fallback = UNLIMITED if ceiling else SURFACE
    notes.append(f"{where}: cannot read {text!r}; taken as {fallback.label()}")
    return fallback


def _periods(activations: list[dict[str, Any]], where: str, notes: list[str]) -> list[Period]:
    periods = []
    for item in activations:
        if "value" in item:
            notes.append(f"{where}: activation {item['value']!r} not understood; zone taken as always active")
            return []
        periods.append(Period(_utc(item.get("start")), _utc(item.get("end"))))
    return periods


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _geometry(
    elements: list[dict[str, Any]], where: str, notes: list[str]
) -> tuple[Any, tuple[float, float, float] | None]:
    if not elements:
        raise GeometryError(f"{where}: airspace has no DP, DA, DB or DC element")
    kinds = {e["type"] for e in elements}
    if "airway" in kinds:
        raise GeometryError(f"{where} line {elements[0]['lineno']}: airways (DY) are not supported")
    circles = [e for e in elements if e["type"] == "circle"]
    if circles:
        if len(elements) > 1:
            raise GeometryError(f"{where} line {circles[0]['lineno']}: DC circle mixed with other elements")
        (lat, lon), radius_m = circles[0]["center"], float(circles[0]["radius"]) * NM_M
        return circle_polygon(lon, lat, radius_m, where), (lon, lat, radius_m)
    pieces = [_piece(e, where) for e in elements]
    ring = np.concatenate(pieces)
    keep = np.ones(len(ring), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(ring, axis=0)) > 1e-12, axis=1)  # drop repeated vertices (DP after DB end)
    ring = ring[keep]
    if len(ring) > 1 and np.allclose(ring[0], ring[-1], atol=1e-12, rtol=0.0):
        ring = ring[:-1]
    if len(ring) < 3:
        raise GeometryError(f"{where}: an area needs at least three distinct points, got {len(ring)}")
    return _valid(Polygon(ring), where, notes), None


def _valid(polygon: Polygon, where: str, notes: list[str]) -> Any:
    """The polygon, or, when its ring crosses or touches itself (common in published files), the area it encloses
    as valid polygons (GEOS make_valid: every part kept), with a note."""
    if polygon.is_valid:
        return checked(polygon, where)
    parts = [p for p in shapely.get_parts(shapely.make_valid(polygon)) if isinstance(p, Polygon) and p.area > 0]
    if not parts:
        raise GeometryError(f"{where}: the outline encloses no area")
    notes.append(f"{where}: outline crosses or touches itself ({explain_validity(polygon)}); repaired")
    return checked(shapely.union_all(parts), where)


def _piece(element: dict[str, Any], where: str) -> Any:
    kind = element["type"]
    here = f"{where} line {element['lineno']}"
    if kind == "point":
        lat, lon = element["location"]
        return np.array([[lon, lat]])
    centre = element.get("center")
    if centre is None:
        raise GeometryError(f"{here}: arc without a centre (set one with V X=)")
    lat, lon = centre
    clockwise = bool(element.get("clockwise", True))
    try:
        if "radius" in element:
            radius_m = float(element["radius"]) * NM_M
            if not math.isfinite(radius_m) or radius_m <= 0:
                raise GeometryError(f"arc radius {element['radius']} NM is not positive")
            return arc_vertices(lat, lon, radius_m, element["start"], element["end"], clockwise=clockwise)
        start, end = element["start"], element["end"]
        return arc_between(lat, lon, (start[0], start[1]), (end[0], end[1]), clockwise=clockwise)
    except GeometryError as error:
        raise GeometryError(f"{here}: {error}") from error
