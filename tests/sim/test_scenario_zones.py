"""Zones written in scenario files: inline shapes (area from pyproj's geodesic here), a country of the bundled
world, a border buffer, the fields that override a zone's, and one-line refusals naming the field."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod
from shapely.geometry import Point, box

from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.sim.scenario_fields import Fields
from commonsky.sim.scenario_yaml import ScenarioError
from commonsky.sim.scenario_zones import zone_geometry, zone_overrides

F = Fields(Path("zones.yaml"), {"zones[0]": 7})
BASE = Zone("Base", ZoneKind.RESTRICTED, box(44.0, 33.0, 44.1, 33.1))


def test_an_inline_circle_has_the_area_of_its_radius() -> None:
    geometry, provenance = zone_geometry(F, {"circle": {"centre": [33.7, 44.6], "radius": "5km"}}, "zones[0]", "circle")
    area_m2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(geometry)[0])
    assert area_m2 == pytest.approx(math.pi * 5000.0**2, rel=0.01)
    assert geometry.contains(Point(44.6, 33.7))
    assert provenance == {"source": "zones.yaml", "method": "inline circle"}


def test_a_country_and_a_border_buffer() -> None:
    iraq, provenance = zone_geometry(F, {"country": "IRQ"}, "zones[0]", "country")
    assert iraq.contains(Point(44.36, 33.31)) and not iraq.contains(Point(51.39, 35.69))  # Baghdad, not Tehran
    assert provenance["method"] == "country IRQ"
    spec: dict[str, Any] = {"buffer": {"border": "IRN:IRQ", "distance": "10km", "side": "IRQ"}}
    strip, _ = zone_geometry(F, spec, "zones[0]", "buffer")
    assert strip.intersects(iraq) and not strip.contains(Point(44.36, 33.31))  # Baghdad is 100+ km from Iran
    with pytest.raises(ScenarioError, match=r"zones\[0\]\.buffer\.border: expected two country codes like IRN:IRQ"):
        zone_geometry(F, {"buffer": {"border": "IRN-IRQ", "distance": "10km"}}, "zones[0]", "buffer")


def test_overrides_replace_only_what_is_given() -> None:
    spec = {
        "name": "Camp",
        "kind": "prohibited",
        "ceiling": "FL100",
        "valid_from": "2014-12-02T06:00:00Z",
        "binding": False,
        "applies_to": ["farm"],
        "description": "shooting range",
    }
    zone = zone_overrides(F, BASE, spec, "zones[0]")
    assert (zone.name, zone.kind, zone.binding, zone.applies_to) == ("Camp", ZoneKind.PROHIBITED, False, ("farm",))
    assert zone.floor == BASE.floor and zone.ceiling.value_m == pytest.approx(3048.0)
    assert zone.valid_from == datetime(2014, 12, 2, 6, tzinfo=UTC) and zone.valid_to is None
    assert zone.extra["description"] == "shooting range" and zone.geometry is BASE.geometry
    assert zone_overrides(F, BASE, {}, "zones[0]") == BASE


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "forbidden"}, r"zones\[0\]\.kind: unknown zone kind 'forbidden'"),
        ({"floor": "FL200", "ceiling": "FL100"}, r"zones\[0\]\.floor: floor FL200 is not below ceiling FL100"),
        ({"valid_from": "2014-12-02", "valid_to": "2014-12-01"}, r"zones\[0\]\.valid_to: end .* is not after start"),
        ({"binding": "yes"}, r"zones\[0\]\.binding: expected true or false"),
        ({"applies_to": "farm"}, r"zones\[0\]\.applies_to: expected a list"),
        ({"name": ""}, r"zones\[0\]\.name: expected a non-empty text"),
    ],
)
def test_a_bad_override_is_one_line_naming_it(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as error:
        zone_overrides(F, BASE, spec, "zones[0]")
    assert str(error.value).startswith("zones.yaml: zones[0]") and str(error.value).endswith("(line 7)")
