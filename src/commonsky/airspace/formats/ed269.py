"""EUROCAE ED-269 UAS geographical zones (JSON) to and from commonsky zones, checked with uas-standards' models.

Reading: the file is parsed with `uas_standards.eurocae_ed269.ED269Schema` (required fields, enumerations, time
formats); a file it rejects is one error naming the field. The top-level list is ``features`` (as in
uas-standards) or ``UASZoneList`` (as published by some authorities). Coordinates are GeoJSON order, longitude
then latitude, as in published data and InterUSS's own use (uas-standards' comment says lat, lng).

- ``restriction`` -> kind and binding: PROHIBITED -> prohibited; REQ_AUTHORISATION and CONDITIONAL -> restricted;
  NO_RESTRICTION -> advisory, not binding.
- ``geometry[]`` volumes -> zones (`._parts`); limits keep their unit and reference (M/FT, AGL/AMSL); a missing
  lower limit is the surface, a missing upper limit is unlimited; circles become geodesic polygons.
- ``applicability[]`` -> ``valid_from``/``valid_to`` (the hull of the periods) and ``daily`` (UTC windows of their
  schedules). Weekdays have no place in a zone: the zone is then active on every day (never less than the file
  says) and the exact periods stay in the kept fields, which export writes back while the zone's window and daily
  schedule are unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time, timedelta
from typing import Any

from implicitdict import ImplicitDict
from shapely.geometry import Polygon
from uas_standards.eurocae_ed269 import (
    YESNO,
    ApplicableTimePeriod,
    ED269Schema,
    HorizontalProjectionType,
    Restriction,
    UASZoneAirspaceVolume,
    UASZoneVersion,
    WeekDateType,
)

from commonsky.airspace.formats._common import (
    COMMONSKY_KEY,
    UOM_M,
    Imported,
    Period,
    carry_out,
    checked,
    circle_of,
    circle_polygon,
    ed_period,
    extended_of,
    kept_fields,
    limit_from,
    limit_to,
    number_text,
    polygons_of,
    summarise,
    time_of,
    zone_schedule,
)
from commonsky.airspace.formats._parts import EdZone, Part, export_groups, zone_defaults, zones_of
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.errors import GeometryError, InputError

KEY = "ed269"
LIST_KEYS = ("features", "UASZoneList")
_KIND = {
    Restriction.PROHIBITED: (ZoneKind.PROHIBITED, True),
    Restriction.REQ_AUTHORISATION: (ZoneKind.RESTRICTED, True),
    Restriction.CONDITIONAL: (ZoneKind.RESTRICTED, True),
    Restriction.NO_RESTRICTION: (ZoneKind.ADVISORY, False),
}
_ALL_DAYS = {d for d in WeekDateType if d is not WeekDateType.ANY}
_VOLUME_VALUES = ("lowerLimit", "upperLimit", "horizontalProjection")


def model_error(error: Exception) -> str:
    """The first line of an implicitdict/arrow parse error (they append tracebacks to the message)."""
    text = str(error).split("Traceback")[0].strip()
    return text.splitlines()[0] if text else type(error).__name__


def read_ed269(doc: Any, source: str) -> Imported:
    """The zones of an ED-269 document (already loaded JSON); ``source`` names the file in errors."""
    list_key = next((k for k in LIST_KEYS if isinstance(doc, dict) and k in doc), None)
    if list_key is None:
        raise InputError(f"{source}: not ED-269: expected an object with a 'features' (or 'UASZoneList') list")
    raw_features = doc[list_key]
    if not isinstance(raw_features, list) or not raw_features:
        raise InputError(f"{source}: ED-269 '{list_key}' is not a non-empty list of zones")
    try:
        schema = ED269Schema.from_dict({"features": [_modelled(f) for f in raw_features]})
    except Exception as error:  # implicitdict raises ValueError, TypeError, KeyError and arrow's ParserError
        raise InputError(f"{source}: not valid ED-269: {model_error(error)}") from None
    collection = {k: v for k, v in doc.items() if k != list_key}
    zones: list[Zone] = []
    notes: list[str] = []
    for i, (raw, typed) in enumerate(zip(raw_features, schema.features, strict=True)):
        zones.extend(_zones_of(raw, typed, collection, f"{source}: features[{i}]", source, notes))
    return Imported(tuple(zones), tuple(notes))


def _modelled(raw: Any) -> Any:
    """The zone as uas-standards can parse it: its ``extendedProperties: Any`` cannot be parsed, so it is left out
    (and read as it is)."""
    return {k: v for k, v in raw.items() if k != "extendedProperties"} if isinstance(raw, dict) else raw


def _zones_of(
    raw: dict[str, Any], typed: UASZoneVersion, collection: dict[str, Any], where: str, source: str, notes: list[str]
) -> list[Zone]:
    kind, binding = _KIND[typed.restriction]
    fields = kept_fields(raw, ("geometry",), where)
    ed = EdZone(
        key=KEY,
        label="ED-269",
        base_name=_base_name(fields),
        kind=kind,
        binding=binding,
        periods=[_period(a, f"{where}.applicability[{j}]", notes) for j, a in enumerate(typed.applicability)],
        parts=[_part(g, raw["geometry"][j], f"{where}.geometry[{j}]") for j, g in enumerate(typed.geometry)],
        block={"zone": fields, "collection": collection},
        extended=extended_of(raw, where),
    )
    return zones_of(ed, where, source)


def _base_name(fields: dict[str, Any]) -> str:
    name = fields.get("name")
    return name if isinstance(name, str) and name.strip() else str(fields["identifier"])


def _seconds(value: time) -> float:
    offset = value.utcoffset() or timedelta(0)
    day = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return (day - offset.total_seconds()) % 86_400.0


def _period(period: ApplicableTimePeriod, where: str, notes: list[str]) -> Period:
    permanent = period.permanent is YESNO.YES
    start = None if permanent else time_of(period.get("startDateTime"), f"{where}.startDateTime")
    end = None if permanent else time_of(period.get("endDateTime"), f"{where}.endDateTime")
    windows: list[tuple[float, float]] = []
    for daily in period.get("schedule") or []:
        if set(daily.day) - {WeekDateType.ANY} and set(daily.day) != _ALL_DAYS:
            notes.append(f"{where}: weekdays {'/'.join(d.value for d in daily.day)} read as every day")
        if daily.get("startTime") is None or daily.get("endTime") is None:
            return Period(start, end, None)
        a, b = _seconds(daily.startTime.time), _seconds(daily.endTime.time) or 86_400.0
        if a == b % 86_400.0:
            return Period(start, end, None)
        windows.append((a, b))
    return Period(start, end, tuple(windows) if windows else None)


def _part(volume: UASZoneAirspaceVolume, raw: dict[str, Any], where: str) -> Part:
    uom = volume.uomDimensions.value
    lower_ref, upper_ref = volume.lowerVerticalReference.value, volume.upperVerticalReference.value
    floor = limit_from(raw.get("lowerLimit"), uom, lower_ref, ceiling=False, where=f"{where}.lowerLimit")
    ceiling = limit_from(raw.get("upperLimit"), uom, upper_ref, ceiling=True, where=f"{where}.upperLimit")
    projection = raw["horizontalProjection"]
    kept = {k: v for k, v in raw.items() if k not in _VOLUME_VALUES}
    key = (floor, ceiling, uom, lower_ref, upper_ref)
    if volume.horizontalProjection.type is HorizontalProjectionType.Circle:
        lon, lat, radius = _circle(projection, where)
        radius_m = radius * UOM_M[uom.lower()]
        geometry = circle_polygon(lon, lat, radius_m, f"{where}.horizontalProjection")
        return Part(geometry, floor, ceiling, key, {"lon": lon, "lat": lat, "radius_m": radius_m}, kept)
    rings = projection.get("coordinates")
    try:
        geometry = Polygon(rings[0], rings[1:])
    except Exception:  # shapely raises several types for malformed rings
        raise GeometryError(f"{where}.horizontalProjection.coordinates: expected polygon rings of [lon, lat]") from None
    return Part(checked(geometry, f"{where}.horizontalProjection"), floor, ceiling, key, None, kept)


def _circle(projection: dict[str, Any], where: str) -> tuple[float, float, float]:
    centre, radius = projection.get("center"), projection.get("radius")
    if (
        not isinstance(centre, list)
        or len(centre) != 2
        or not all(isinstance(c, int | float) for c in centre)
        or not isinstance(radius, int | float)
        or isinstance(radius, bool)
    ):
        raise GeometryError(f"{where}.horizontalProjection: a Circle needs center [lon, lat] and a radius")
    return float(centre[0]), float(centre[1]), float(radius)


# --- export ------------------------------------------------------------------------------------------------------


def write_ed269(zones: Sequence[Zone]) -> dict[str, Any]:
    """An ED-269 document of the zones (checked against uas-standards' model before it is returned)."""
    groups, collection = export_groups(zones, KEY)
    features = [_feature(group, dict(block.get("zone") or {}), number) for number, group, block in groups]
    doc = {**collection, "features": features}
    try:
        ED269Schema.from_dict({"features": [_modelled(f) for f in features]})
    except Exception as error:
        raise InputError(f"cannot write ED-269: {model_error(error)}") from None
    return doc


def _feature(group: list[Zone], fields: dict[str, Any], number: int) -> dict[str, Any]:
    zone = group[0]
    zone_defaults(fields, number, "type")
    if len(group) == 1 and zone.name != _base_name(fields):
        fields["name"] = zone.name
    kept = fields.get("restriction")
    if kept not in {r.value for r in Restriction} or _KIND[Restriction(kept)] != (zone.kind, zone.binding):
        fields["restriction"] = _restriction(zone.kind).value
    kind, binding = _KIND[Restriction(fields["restriction"])]
    if _schedule_of(fields.get("applicability")) != zone_schedule(zone):
        fields["applicability"] = _applicability(zone)
    extended = dict(fields.get("extendedProperties") or {})
    extended[COMMONSKY_KEY] = carry_out(zone, KEY, kind, binding)
    fields["extendedProperties"] = extended
    fields["geometry"] = [volume for member in group for volume in _volumes(member)]
    return fields


def _restriction(kind: ZoneKind) -> Restriction:
    if kind is ZoneKind.PROHIBITED:
        return Restriction.PROHIBITED
    return Restriction.NO_RESTRICTION if kind is ZoneKind.ADVISORY else Restriction.REQ_AUTHORISATION


def _schedule_of(applicability: Any) -> Any:
    if not isinstance(applicability, list):
        return None
    try:
        periods = [ImplicitDict.parse(a, ApplicableTimePeriod) for a in applicability]
        return summarise([_period(p, "applicability", []) for p in periods])
    except Exception:  # a kept value that no longer parses is simply replaced
        return None


def _applicability(zone: Zone) -> list[dict[str, Any]]:
    period = ed_period(zone, ".00Z")
    return [{"permanent": "YES"}] if period is None else [{"permanent": "NO", **period}]


def _volumes(zone: Zone) -> list[dict[str, Any]]:
    block = zone.extra.get(KEY)
    kept = list(block.get("volumes") or []) if isinstance(block, dict) else []
    first = kept[0] if kept else {}
    uom = str(first.get("uomDimensions", "M"))
    lower, lower_ref = limit_to(zone.floor, uom, kept_ref=first.get("lowerVerticalReference"))
    upper, upper_ref = limit_to(zone.ceiling, uom, kept_ref=first.get("upperVerticalReference"))
    circle = circle_of(zone)
    if circle is not None:
        lon, lat, radius_m = circle
        radius = number_text(radius_m, UOM_M[uom.lower()])
        projections: list[dict[str, Any]] = [{"type": "Circle", "center": [lon, lat], "radius": radius}]
    else:
        projections = [
            {"type": "Polygon", "coordinates": [[list(xy) for xy in r.coords] for r in (p.exterior, *p.interiors)]}
            for p in polygons_of(zone)
        ]
    out = []
    for j, projection in enumerate(projections):
        volume = {**(kept[j] if j < len(kept) else first)}
        volume.update(uomDimensions=uom, lowerVerticalReference=lower_ref, upperVerticalReference=upper_ref)
        if lower is not None:
            volume["lowerLimit"] = lower
        if upper is not None:
            volume["upperLimit"] = upper
        volume["horizontalProjection"] = projection
        out.append(volume)
    return out
