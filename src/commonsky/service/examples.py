"""Example intent and zone bodies (real coordinates over Diyala, Iraq): for docs, tests and benchmarks."""

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
    return {
        "shape": {"type": "polygon", "geometry": {"type": "Polygon", "coordinates": [ring]}},
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
