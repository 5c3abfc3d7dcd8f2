"""Zones of the product-wide GeoJSON format as 4D volumes: polygons, corridors, circles, daily schedules."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from shapely.geometry import LineString, Point, box

from commonsky.airspace.volume import CircleShape, CorridorShape, PolygonShape
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.airspace.zone_volume import parse_daily, zone_applies, zone_volumes
from commonsky.errors import InputError
from commonsky.units import NM_M, parse_altitude


def test_polygon_zone_with_validity_and_daily_windows() -> None:
    zone = Zone(
        name="night",
        kind=ZoneKind.RESTRICTED,
        geometry=box(45.0, 34.0, 45.5, 34.5),
        ceiling=parse_altitude("FL100"),
        valid_from=datetime(2014, 12, 1, tzinfo=UTC),
        extra={"daily": [{"start": "18:00", "end": "06:00"}]},
    )
    [volume] = zone_volumes(zone)
    assert isinstance(volume.shape, PolygonShape)
    assert volume.window.start_s == datetime(2014, 12, 1, tzinfo=UTC).timestamp()
    assert math.isinf(volume.window.end_s)
    assert [(d.start_s, d.end_s) for d in volume.daily] == [(18 * 3600.0, 6 * 3600.0)]


def test_corridor_and_circle_zones_need_their_width() -> None:
    corridor = Zone(
        name="lane",
        kind=ZoneKind.CORRIDOR,
        geometry=LineString([(44.6, 33.75), (45.17, 34.27)]),
        extra={"half_width": "2NM"},
    )
    [volume] = zone_volumes(corridor)
    assert isinstance(volume.shape, CorridorShape)
    assert volume.shape.points[0] == (33.75, 44.6) and volume.shape.half_width_m == pytest.approx(2 * NM_M)
    circle = Zone(name="ring", kind=ZoneKind.PROHIBITED, geometry=Point(44.26, 33.52), extra={"radius_m": 9000})
    assert isinstance(zone_volumes(circle)[0].shape, CircleShape)
    with pytest.raises(InputError, match="needs the property 'half_width'"):
        zone_volumes(Zone(name="bare", kind=ZoneKind.CORRIDOR, geometry=LineString([(44.6, 33.75), (45.0, 34.0)])))


def test_applies_to() -> None:
    everyone = Zone(name="all", kind=ZoneKind.RESTRICTED, geometry=box(0, 0, 1, 1))
    some = Zone(name="some", kind=ZoneKind.RESTRICTED, geometry=box(0, 0, 1, 1), applies_to=("iran",))
    assert zone_applies(everyone, "anyone")
    assert zone_applies(some, "iran") and not zone_applies(some, "iraq-army")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([{"start": "25:00", "end": "06:00"}], "daily[0].start: cannot read time of day '25:00'"),
        ([{"start": "06:00", "end": "06:00"}], "daily[0]: daily window is empty"),
        ("18:00-06:00", "daily: expected a list of daily windows"),
    ],
)
def test_daily_errors(value: object, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_daily(value, "daily")
