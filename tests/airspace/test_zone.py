"""The zone format: a zone survives the file round trip field for field (extra properties included), defaults
follow the documented rules, each bad field is refused naming it, and the area is the geodesic one (a spherical
cap written here: a zone from the equator to 1 degree north, 1 degree wide)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import shapely

from commonsky.airspace.zone import Zone, ZoneKind, parse_time, read_zones, write_zones
from commonsky.errors import InputError
from commonsky.units import parse_altitude


def _feature(**props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"name": "Z", **props},
        "geometry": shapely.geometry.mapping(shapely.box(44, 33, 45, 34)),
    }


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    zone = Zone(
        name="Iraq within 20 mi of Iran",
        kind=ZoneKind.BUFFER,
        geometry=shapely.box(44.0, 33.0, 45.5, 34.5),
        floor=parse_altitude("500ft AGL"),
        ceiling=parse_altitude("FL320"),
        valid_from=datetime(2014, 12, 1, tzinfo=UTC),
        valid_to=datetime(2014, 12, 2, 6, 30, tzinfo=UTC),
        binding=False,
        applies_to=("usaf", "iqaf"),
        provenance={"source": "test"},
        extra={"colour": "#ff0000", "note": {"k": [1, 2]}},
    )
    path = tmp_path / "zones.geojson"
    write_zones(path, [zone, zone.with_geometry(shapely.box(0, 0, 1, 1))])
    first, second = read_zones(path)
    for name in ("name", "kind", "floor", "ceiling", "valid_from", "valid_to", "binding", "applies_to", "extra"):
        assert getattr(first, name) == getattr(zone, name), name
    assert first.provenance["source"] == "test"
    assert first.geometry.equals(zone.geometry) and second.geometry.equals(shapely.box(0, 0, 1, 1))
    written = json.loads(path.read_text())["features"][0]["properties"]
    assert written["format"] == "commonsky.zone/1" and written["colour"] == "#ff0000"


def test_defaults() -> None:
    zone = Zone.from_feature(_feature())
    assert zone.kind is ZoneKind.RESTRICTED and zone.binding and zone.applies_to == ()
    assert zone.floor.label() == "SFC" and zone.ceiling.label() == "UNL"
    assert zone.valid_from is None and zone.valid_to is None
    assert not Zone.from_feature(_feature(kind="advisory")).binding  # advisory zones advise unless told otherwise
    assert Zone.from_feature(_feature(provenance="survey")).provenance == {"source": "survey"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": " "}, r"properties\.name: missing or empty"),
        ({"kind": "nofly"}, r"properties\.kind: unknown zone kind 'nofly' \(use buffer, restricted"),
        ({"floor": "FL300", "ceiling": "FL200"}, "is not below ceiling"),
        ({"applies_to": "usaf"}, r"applies_to: expected a list"),
        ({"binding": "yes"}, r"binding: expected true or false"),
        ({"provenance": 3}, r"provenance: expected an object or a string"),
        ({"valid_from": "yesterday"}, r"valid_from: cannot read time 'yesterday'"),
        ({"valid_from": "2014-12-02T00:00Z", "valid_to": "2014-12-01T00:00Z"}, "is not after valid_from"),
    ],
)
def test_bad_fields_are_refused_by_name(change: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message) as error:
        Zone.from_feature(_feature(**change), where="zones.geojson[3]")
    assert str(error.value).startswith("zones.geojson[3]")


def test_not_a_feature() -> None:
    with pytest.raises(InputError, match="expected a GeoJSON Feature"):
        Zone.from_feature({"type": "FeatureCollection"})


def test_area_is_geodesic() -> None:
    zone = Zone.from_feature({**_feature(), "geometry": shapely.geometry.mapping(shapely.box(10.0, 0.0, 11.0, 1.0))})
    # on a sphere of the WGS84 authalic radius, the band's area is R^2 dlon (sin lat1 - sin lat0)
    r_authalic = 6_371_007.2
    sphere_km2 = r_authalic**2 * math.radians(1.0) * math.sin(math.radians(1.0)) / 1e6
    assert zone.area_km2() == pytest.approx(sphere_km2, rel=0.01)


def test_parse_time() -> None:
    assert parse_time(None) is None
    assert parse_time("2014-12-02T06:00:00Z") == datetime(2014, 12, 2, 6, tzinfo=UTC)
    with pytest.raises(InputError, match="expected an ISO 8601 time string"):
        parse_time(1417500000)
