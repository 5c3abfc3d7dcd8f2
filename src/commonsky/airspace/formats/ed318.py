"""EUROCAE ED-318 UAS geographical zones (GeoJSON FeatureCollection) to and from commonsky zones, checked with
uas-standards' models (`uas_standards.eurocae_ed318.ED318Schema`).

- ``properties.type`` -> kind and binding: PROHIBITED -> prohibited; REQ_AUTHORIZATION, CONDITIONAL and USPACE ->
  restricted; NO_RESTRICTION -> advisory, not binding. ``name`` is the first of the names given.
- The geometry (Polygon, MultiPolygon, Point with a circle ``extent``, or a GeometryCollection of them) carries its
  ``layer`` (upper/lower, AGL/AMSL/WGS84, m/ft): each layered member becomes a zone (`._parts`). WGS84 heights
  are read as AMSL (commonsky has no geoid model; the difference is the geoid undulation, within about ±100 m),
  and a note says so. A missing layer is surface to unlimited.
- ``limitedApplicability`` -> window and daily schedule as for ED-269; a schedule bound to sunrise/sunset
  (``startEvent``/``endEvent``) makes the zone active all day, with a note.
- The dataset ``metadata`` and the collection's other fields are kept with each zone and written back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from uas_standards.eurocae_ed318 import CodeWeekDayType, CodeZoneType, ED318Schema, TimePeriod

from commonsky.airspace.formats._common import (
    COMMONSKY_KEY,
    UOM_M,
    Imported,
    Period,
    carry_out,
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
from commonsky.airspace.formats.ed269 import model_error
from commonsky.airspace.geojson import geometry_from_json
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.errors import GeometryError, InputError

KEY = "ed318"
UNLIMITED_VALUE = 99_999  # what published ED-318 data writes for "no upper limit"
_KIND = {
    CodeZoneType.PROHIBITED: (ZoneKind.PROHIBITED, True),
    CodeZoneType.REQ_AUTHORIZATION: (ZoneKind.RESTRICTED, True),
    CodeZoneType.CONDITIONAL: (ZoneKind.RESTRICTED, True),
    CodeZoneType.USPACE: (ZoneKind.RESTRICTED, True),
    CodeZoneType.NO_RESTRICTION: (ZoneKind.ADVISORY, False),
}
_ALL_DAYS = {d for d in CodeWeekDayType if d is not CodeWeekDayType.ANY}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def read_ed318(doc: Any, source: str) -> Imported:
    """The zones of an ED-318 FeatureCollection (already loaded JSON); ``source`` names the file in errors."""
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise InputError(f"{source}: not ED-318: expected a GeoJSON FeatureCollection with a 'features' list")
    if not doc["features"]:
        raise InputError(f"{source}: ED-318 collection has no features")
    try:
        schema = ED318Schema.from_dict(_modelled(doc))
    except Exception as error:  # implicitdict raises ValueError, TypeError, KeyError and arrow's ParserError
        raise InputError(f"{source}: not valid ED-318: {model_error(error)}") from None
    collection = {k: v for k, v in doc.items() if k != "features"}
    zones: list[Zone] = []
    notes: list[str] = []
    for i, (raw, typed) in enumerate(zip(doc["features"], schema.features, strict=True)):
        zones.extend(_zones_of(raw, typed.get("properties"), collection, f"{source}: features[{i}]", source, notes))
    return Imported(tuple(zones), tuple(notes))


def _modelled(doc: dict[str, Any]) -> dict[str, Any]:
    """The collection as uas-standards can parse it. Its geometry union stops at the first member (``Point``), so
    geometries are left out of the model and read here, layer by layer."""
    features = [_modelled_feature(f) for f in doc["features"]]
    return {"metadata": {}, **doc, "features": features}


def _modelled_feature(feature: Any) -> Any:
    """Also read as they are: ``extendedProperties`` (values of type Any, which implicitdict cannot parse) and the
    ``zoneAuthority`` entries, kept and written back but not interpreted, whose contact fields published data
    writes as plain strings where the model wants ``{text, lang}`` (InterUSS's own Swiss sample does)."""
    if not isinstance(feature, dict):
        return feature
    props = feature.get("properties")
    if isinstance(props, dict):
        props = {k: v for k, v in props.items() if k != "extendedProperties"}
        if isinstance(props.get("zoneAuthority"), list):
            props["zoneAuthority"] = []
    return {**feature, "geometry": None, "properties": props}


def _zones_of(
    raw: dict[str, Any], props: Any, collection: dict[str, Any], where: str, source: str, notes: list[str]
) -> list[Zone]:
    if props is None:
        raise InputError(f"{where}.properties: missing (an ED-318 zone needs its properties)")
    kind, binding = _KIND[props.type]
    fields = kept_fields(raw["properties"], (), f"{where}.properties")
    ed = EdZone(
        key=KEY,
        label="ED-318",
        base_name=_base_name(fields),
        kind=kind,
        binding=binding,
        periods=[
            _period(p, f"{where}.properties.limitedApplicability[{j}]", notes)
            for j, p in enumerate(props.get("limitedApplicability") or [])
        ],
        parts=[_part(m, f"{where}.geometry{suffix}", notes) for m, suffix in _members(raw.get("geometry"), where)],
        block={
            "zone": fields,
            "feature": {k: v for k, v in raw.items() if k not in ("type", "properties", "geometry")},
            "collection": collection,
        },
        extended=extended_of(raw["properties"], f"{where}.properties"),
    )
    return zones_of(ed, where, source)


def _base_name(fields: dict[str, Any]) -> str:
    names = fields.get("name")
    first = names[0].get("text") if isinstance(names, list) and names and isinstance(names[0], dict) else None
    return first if isinstance(first, str) and first.strip() else str(fields["identifier"])


def _members(geometry: Any, where: str) -> list[tuple[dict[str, Any], str]]:
    if not isinstance(geometry, dict):
        raise GeometryError(f"{where}.geometry: missing (an ED-318 zone needs a geometry)")
    if geometry.get("type") != "GeometryCollection":
        return [(geometry, "")]
    members = geometry.get("geometries")
    if not isinstance(members, list) or not members or not all(isinstance(m, dict) for m in members):
        raise GeometryError(f"{where}.geometry.geometries: expected a non-empty list of geometries")
    return [(m, f".geometries[{j}]") for j, m in enumerate(members)]


def _part(member: dict[str, Any], where: str, notes: list[str]) -> Part:
    layer = member.get("layer")
    kept: dict[str, Any] = {k: v for k, v in member.items() if k not in ("type", "coordinates", "extent", "layer")}
    if isinstance(layer, dict):
        if not all(isinstance(layer.get(k), str) for k in ("uom", "lowerReference", "upperReference")):
            raise InputError(f"{where}.layer: needs uom, lowerReference and upperReference")
        uom, lower_ref, upper_ref = layer["uom"], layer["lowerReference"], layer["upperReference"]
        floor = limit_from(layer.get("lower"), uom, lower_ref, ceiling=False, where=f"{where}.layer.lower")
        ceiling = limit_from(layer.get("upper"), uom, upper_ref, ceiling=True, where=f"{where}.layer.upper")
        kept["layer"] = {"uom": uom, "lowerReference": lower_ref, "upperReference": upper_ref}
        if "WGS84" in (lower_ref, upper_ref):
            notes.append(f"{where}.layer: WGS84 heights read as AMSL (no geoid model)")
    else:
        uom = "m"
        floor = limit_from(None, uom, "AGL", ceiling=False, where=where)
        ceiling = limit_from(None, uom, "AGL", ceiling=True, where=where)
    key = (floor, ceiling, repr(kept.get("layer")))
    kind = member.get("type")
    if kind == "Point":
        extent = member.get("extent")
        if not isinstance(extent, dict) or extent.get("subType") != "Circle":
            raise GeometryError(f"{where}: a Point zone needs an extent of subType Circle")
        coords, radius = member.get("coordinates"), extent.get("radius")
        if not (isinstance(coords, list) and len(coords) >= 2 and all(_number(c) for c in (*coords[:2], radius))):
            raise GeometryError(f"{where}: a circle needs coordinates [lon, lat] and extent.radius")
        lon, lat, radius_m = float(coords[0]), float(coords[1]), float(radius or 0) * UOM_M[uom.lower()]
        geometry = circle_polygon(lon, lat, radius_m, where)
        return Part(geometry, floor, ceiling, key, {"lon": lon, "lat": lat, "radius_m": radius_m}, kept)
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryError(f"{where}: ED-318 {kind} zones are not supported (use Polygon, MultiPolygon or a circle)")
    geometry = geometry_from_json({"type": kind, "coordinates": member.get("coordinates")}, where)
    return Part(geometry, floor, ceiling, key, None, kept)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _clock(value: Any, where: str) -> float:
    match = _TIME.match(str(value).strip())
    if match is None:
        raise InputError(f"{where}: cannot read time of day {value!r} (use hh:mm, hh:mm:ss, optionally Z or ±hh:mm)")
    hours, minutes, seconds, zone = match.groups()
    offset = 0
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return (int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0) - offset) % 86_400.0


def _period(period: TimePeriod, where: str, notes: list[str]) -> Period:
    start = time_of(period.get("startDateTime"), f"{where}.startDateTime")
    end = time_of(period.get("endDateTime"), f"{where}.endDateTime")
    windows: list[tuple[float, float]] = []
    for j, daily in enumerate(period.get("schedule") or []):
        here = f"{where}.schedule[{j}]"
        if set(daily.day) - {CodeWeekDayType.ANY} and set(daily.day) != _ALL_DAYS:
            notes.append(f"{here}: weekdays {'/'.join(d.value for d in daily.day)} read as every day")
        if daily.get("startEvent") or daily.get("endEvent"):
            notes.append(f"{here}: sunrise/sunset times read as all day")
            return Period(start, end, None)
        if daily.get("startTime") is None or daily.get("endTime") is None:
            return Period(start, end, None)
        a, b = _clock(daily.startTime, f"{here}.startTime"), _clock(daily.endTime, f"{here}.endTime") or 86_400.0
        if a == b % 86_400.0:
            return Period(start, end, None)
        windows.append((a, b))
    return Period(start, end, tuple(windows) if windows else None)


# --- export ------------------------------------------------------------------------------------------------------


def write_ed318(zones: Sequence[Zone]) -> dict[str, Any]:
    """An ED-318 FeatureCollection of the zones (checked against uas-standards' model before it is returned)."""
    features: list[dict[str, Any]] = []
    groups, collection = export_groups(zones, KEY)
    for number, group, block in groups:
        feature = dict(block.get("feature") or {})
        properties = _properties(group, dict(block.get("zone") or {}), number)
        features.append({"type": "Feature", **feature, "properties": properties, "geometry": _geometry(group)})
    doc = {"metadata": {}, **collection, "type": "FeatureCollection", "features": features}
    try:
        ED318Schema.from_dict(_modelled(doc))
    except Exception as error:
        raise InputError(f"cannot write ED-318: {model_error(error)}") from None
    return doc


def _properties(group: list[Zone], fields: dict[str, Any], number: int) -> dict[str, Any]:
    zone = group[0]
    zone_defaults(fields, number, "variant")
    if len(group) == 1 and zone.name != _base_name(fields):
        names = fields.get("name")
        lang = names[0].get("lang", "en-GB") if isinstance(names, list) and names else "en-GB"
        fields["name"] = [{"text": zone.name, "lang": lang}]
    kept = fields.get("type")
    if kept not in {t.value for t in CodeZoneType} or _KIND[CodeZoneType(kept)] != (zone.kind, zone.binding):
        fields["type"] = _zone_type(zone.kind).value
    kind, binding = _KIND[CodeZoneType(fields["type"])]
    if _schedule_of(fields.get("limitedApplicability")) != zone_schedule(zone):
        fields.pop("limitedApplicability", None)
        applicability = _applicability(zone)
        if applicability:
            fields["limitedApplicability"] = applicability
    block = carry_out(zone, KEY, kind, binding)
    if zone.ceiling.is_unlimited:
        block["ceiling"] = "UNL"
    fields["extendedProperties"] = {**(fields.get("extendedProperties") or {}), COMMONSKY_KEY: block}
    return fields


def _zone_type(kind: ZoneKind) -> CodeZoneType:
    if kind is ZoneKind.PROHIBITED:
        return CodeZoneType.PROHIBITED
    return CodeZoneType.NO_RESTRICTION if kind is ZoneKind.ADVISORY else CodeZoneType.REQ_AUTHORIZATION


def _schedule_of(applicability: Any) -> Any:
    if applicability is None:
        return None, None, None
    try:
        periods = (
            ED318Schema.from_dict(
                {
                    "type": "FeatureCollection",
                    "metadata": {},
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {
                                "identifier": "X",
                                "country": "XXX",
                                "type": "PROHIBITED",
                                "variant": "COMMON",
                                "zoneAuthority": [],
                                "limitedApplicability": applicability,
                            },
                        }
                    ],
                }
            )
            .features[0]
            .properties.limitedApplicability
        )
        return summarise([_period(p, "limitedApplicability", []) for p in periods or []])
    except Exception:  # a kept value that no longer parses is simply replaced
        return None


def _applicability(zone: Zone) -> list[dict[str, Any]]:
    period = ed_period(zone, "Z")
    return [] if period is None else [period]


def _geometry(group: list[Zone]) -> dict[str, Any]:
    members = [_member(zone) for zone in group]
    return members[0] if len(members) == 1 else {"type": "GeometryCollection", "geometries": members}


def _member(zone: Zone) -> dict[str, Any]:
    block = zone.extra.get(KEY)
    volumes = list(block.get("volumes") or []) if isinstance(block, dict) else []
    kept = dict(volumes[0]) if volumes else {}
    kept_layer = kept.pop("layer", None) or {}
    uom = str(kept_layer.get("uom", "m"))
    lower, lower_ref = limit_to(zone.floor, uom, kept_ref=kept_layer.get("lowerReference"))
    upper, upper_ref = limit_to(zone.ceiling, uom, kept_ref=kept_layer.get("upperReference"))
    layer = {
        "upper": UNLIMITED_VALUE if upper is None else upper,
        "upperReference": upper_ref,
        "lower": lower,
        "lowerReference": lower_ref,
        "uom": uom,
    }
    circle = circle_of(zone)
    if circle is not None:
        lon, lat, radius_m = circle
        extent = {"subType": "Circle", "radius": number_text(radius_m, UOM_M[uom.lower()])}
        return {**kept, "type": "Point", "coordinates": [lon, lat], "extent": extent, "layer": layer}
    polygons = polygons_of(zone)
    rings = [[[list(xy) for xy in r.coords] for r in (p.exterior, *p.interiors)] for p in polygons]
    if len(rings) == 1:
        return {**kept, "type": "Polygon", "coordinates": rings[0], "layer": layer}
    return {**kept, "type": "MultiPolygon", "coordinates": rings, "layer": layer}
