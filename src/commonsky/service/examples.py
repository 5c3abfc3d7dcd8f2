"""Example intent and zone bodies (real coordinates over Diyala, Iraq): for docs, tests and benchmarks, and the
request example of every body in the OpenAPI (`REQUESTS`, wired into `service.schemas`)."""

from __future__ import annotations

from typing import Any

START = "2014-12-01T06:00:00Z"
END = "2014-12-01T08:00:00Z"


def circle(
    lat: float,
    lon: float,
    radius_m: float = 10_000.0,
    floor: str = "FL100",
    ceiling: str = "FL200",
    start: str = START,
    end: str = END,
) -> dict[str, Any]:
    return {
        "shape": {"type": "circle", "centre": {"type": "Point", "coordinates": [lon, lat]}, "radius_m": radius_m},
        "floor": floor,
        "ceiling": ceiling,
        "start": start,
        "end": end,
    }


def box(
    lon0: float,
    lat0: float,
    lon1: float,
    lat1: float,
    floor: str = "FL100",
    ceiling: str = "FL200",
    start: str = START,
    end: str = END,
) -> dict[str, Any]:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return polygon({"type": "Polygon", "coordinates": [ring]}, floor, ceiling, start, end)


def polygon(
    geometry: dict[str, Any], floor: str = "FL100", ceiling: str = "FL200", start: str = START, end: str = END
) -> dict[str, Any]:
    """An intent volume over a GeoJSON Polygon ``geometry``."""
    return {
        "shape": {"type": "polygon", "geometry": geometry},
        "floor": floor,
        "ceiling": ceiling,
        "start": start,
        "end": end,
    }


def zone_feature(name: str, lon0: float, lat0: float, lon1: float, lat1: float, **props: Any) -> dict[str, Any]:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    properties = {
        "format": "commonsky.zone/1",
        "name": name,
        "kind": "restricted",
        "floor": "SFC",
        "ceiling": "FL300",
        **props,
    }
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": properties}


VERSION = "Zq3d9GkR1c2x"  # an example version token, as a write answers it


def requests() -> dict[str, dict[str, Any]]:
    """One example of every request body, by the name of its model in `service.schemas`."""
    volume = circle(33.75, 45.0)
    feature = zone_feature("Baqubah TMA", 44.5, 33.6, 44.8, 33.9)
    return {
        "IntentIn": {"volumes": [volume], "priority": 10, "key": []},
        "IntentCheck": {"volumes": [volume], "priority": 10},
        "IntentUpdate": {"volumes": [circle(33.75, 45.1)], "priority": 10, "key": [], "version": VERSION},
        "StateChange": {"state": "activated", "version": VERSION, "key": []},
        "PartyIn": {"name": "iqaf", "role": "operator"},
        "ZoneIn": {"feature": feature},
        "ZoneUpdate": {
            "feature": {**feature, "properties": {**feature["properties"], "ceiling": "FL200"}},
            "version": VERSION,
        },
        "ZoneDelete": {"version": VERSION},
        "GrantIn": {"max_priority": 100, "budget_units": 200000.0},
        "DisclosureOut": {"cell_deg": 0.1, "step_s": 300.0, "band_ft": 1000.0},
        "Ed318Collection": ed318_collection(),
    }


def ed318_collection() -> dict[str, Any]:
    """A one-zone ED-318 FeatureCollection (the body of ``POST /zones/ed318``, which has no model of its own)."""
    ring = [[44.5, 33.6], [44.8, 33.6], [44.8, 33.9], [44.5, 33.9], [44.5, 33.6]]
    layer = {"upper": 120, "upperReference": "AGL", "lower": 0, "lowerReference": "AGL", "uom": "m"}
    properties = {
        "identifier": "ORBA01",
        "country": "IRQ",
        "name": [{"text": "Baqubah UAS zone", "lang": "en-GB"}],
        "type": "PROHIBITED",
        "variant": "COMMON",
        "reason": ["AIR_TRAFFIC"],
        "zoneAuthority": [{"name": [{"text": "ICAA", "lang": "en-GB"}], "purpose": "AUTHORIZATION"}],
    }
    geometry = {"type": "Polygon", "coordinates": [ring], "layer": layer}
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": geometry, "properties": properties}],
    }
