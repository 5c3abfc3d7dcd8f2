"""ED-269 and ED-318 in and out (issue 15 item 6): round trips (import -> export -> import gives the same zones), zones
from elsewhere carried through, edits written as the standard says, bad files refused. What each sample says:
tests/airspace/formats/test_ed269.py, test_ed318.py."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Polygon, box

from commonsky.airspace.formats.ed269 import read_ed269, write_ed269
from commonsky.airspace.formats.ed318 import read_ed318, write_ed318
from commonsky.airspace.formats.openair import read_openair
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.errors import InputError
from commonsky.units import parse_altitude

DATA = Path(__file__).parent / "data"
READ = {"ed269": read_ed269, "ed318": read_ed318}
WRITE = {"ed269": write_ed269, "ed318": write_ed318}
SAMPLES = [("ed269", "ed269_sample.json"), ("ed269", "ed269_uaszonelist.json"), ("ed318", "ed318_sample.json")]


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def _features(zones: Any) -> list[dict[str, Any]]:
    """Zones as the zone file holds them (through JSON, as a file would)."""
    return json.loads(json.dumps([z.to_feature() for z in zones]))


def _zones(features: list[dict[str, Any]]) -> list[Zone]:
    return [Zone.from_feature(f) for f in features]


def _through(fmt: str, zones: list[Zone], source: str = "again.json") -> list[Zone]:
    """Export to ``fmt`` and import again, through JSON text."""
    doc = json.loads(json.dumps(WRITE[fmt](zones)))
    return list(READ[fmt](doc, source).zones)


def _without(features: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [{**f, "properties": {k: v for k, v in f["properties"].items() if k != key}} for f in features]


@pytest.mark.parametrize(("fmt", "name"), SAMPLES)
def test_round_trip_gives_the_same_zones(fmt: str, name: str) -> None:
    first = _features(READ[fmt](_load(name), name).zones)
    again = _features(_through(fmt, _zones(first), source="elsewhere/other-name.json"))
    assert again == first


@pytest.mark.parametrize(("fmt", "name"), SAMPLES)
def test_export_is_a_fixpoint(fmt: str, name: str) -> None:
    once = WRITE[fmt](READ[fmt](_load(name), name).zones)
    twice = WRITE[fmt](_through(fmt, list(READ[fmt](_load(name), name).zones)))
    assert json.dumps(twice, sort_keys=True) == json.dumps(once, sort_keys=True)


def test_circles_are_written_back_as_circles_until_reshaped() -> None:
    zones = list(read_ed269(_load("ed269_sample.json"), "s.json").zones)
    (stadium,) = [v for z in write_ed269(zones)["features"] if z["identifier"] == "LSR01" for v in z["geometry"]]
    assert stadium["horizontalProjection"] == {"type": "Circle", "center": [6.1184, 46.1775], "radius": 3000}
    point = write_ed318(zones)["features"][2]["geometry"]
    assert point["type"] == "Point" and point["extent"]["subType"] == "Circle"
    assert point["extent"]["radius"] == pytest.approx(914.4, abs=1e-9)
    assert point["layer"]["uom"] == "m" and point["layer"]["upper"] == pytest.approx(304.8)
    moved = replace(zones[2], geometry=box(6.1, 46.17, 6.13, 46.19))
    (written,) = [v for z in write_ed269([moved])["features"] for v in z["geometry"]]
    assert written["horizontalProjection"]["type"] == "Polygon"


def _native() -> Zone:
    return Zone(
        name="Iraq within 20 mi of Iran",
        kind=ZoneKind.BUFFER,
        geometry=Polygon([(45.0, 33.0), (46.0, 33.0), (46.0, 34.0), (45.0, 34.0)]),
        floor=parse_altitude("FL100"),
        ceiling=parse_altitude("FL200"),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        binding=True,
        applies_to=("usaf",),
        provenance={"source": "zone buffer", "method": "geodesic"},
        extra={"daily": [{"start": "18:00", "end": "06:00"}], "buffer": {"border": ["IRN", "IRQ"]}},
    )


@pytest.mark.parametrize("fmt", ["ed269", "ed318"])
def test_a_zone_from_elsewhere_comes_back_whole(fmt: str) -> None:
    zone = _native()
    (back,) = _through(fmt, [zone])
    assert _without(_features([back]), fmt) == _features([zone])


@pytest.mark.parametrize("fmt", ["ed269", "ed318"])
def test_openair_zones_come_back_whole(fmt: str) -> None:
    zones = list(read_openair((DATA / "openair_sample.txt").read_bytes(), "openair_sample.txt").zones)
    back = _through(fmt, _zones(_features(zones)))
    assert _without(_features(back), fmt) == _features(zones)


def test_native_zone_is_written_as_the_standard_says() -> None:
    (feature,) = write_ed269([_native()])["features"]
    assert feature["restriction"] == "REQ_AUTHORISATION"
    (volume,) = feature["geometry"]
    assert volume["lowerLimit"] == pytest.approx(10_000 / 3.28084, rel=1e-5)  # FL100 as metres (ISA)
    assert volume["lowerVerticalReference"] == "AMSL" and volume["uomDimensions"] == "M"
    assert feature["applicability"] == [
        {
            "permanent": "NO",
            "startDateTime": "2026-01-01T00:00:00Z",
            "schedule": [{"day": ["ANY"], "startTime": "18:00:00.00Z", "endTime": "06:00:00.00Z"}],
        }
    ]
    kept = feature["extendedProperties"]["commonsky"]
    assert kept["kind"] == "buffer" and kept["applies_to"] == ["usaf"] and kept["floor"] == "FL100"


@pytest.mark.parametrize("fmt", ["ed269", "ed318"])
def test_edits_are_written_as_the_standard_says(fmt: str) -> None:
    zones = list(READ[fmt](_load(SAMPLES[0][1] if fmt == "ed269" else "ed318_sample.json"), "s.json").zones)
    edited = replace(
        zones[0],
        kind=ZoneKind.ADVISORY,
        binding=False,
        valid_from=datetime(2027, 1, 1, tzinfo=UTC),
        valid_to=datetime(2027, 2, 1, tzinfo=UTC),
        extra={**zones[0].extra, "daily": [{"start": "08:00", "end": "17:00"}]},
    )
    doc = WRITE[fmt]([edited])
    props = doc["features"][0] if fmt == "ed269" else doc["features"][0]["properties"]
    assert props["restriction" if fmt == "ed269" else "type"] == "NO_RESTRICTION"
    assert "kind" not in props["extendedProperties"]["commonsky"]
    (back,) = READ[fmt](json.loads(json.dumps(doc)), "s.json").zones
    assert _without(_features([back]), fmt) == _without(_features([edited]), fmt)


@pytest.mark.parametrize(
    ("fmt", "doc", "message"),
    [
        ("ed269", {"features": [{"identifier": "X"}]}, "not valid ED-269: At features.0.: Required field"),
        ("ed269", {"zones": []}, "expected an object with a 'features'"),
        ("ed318", {"type": "Feature"}, "expected a GeoJSON FeatureCollection"),
        ("ed318", {"type": "FeatureCollection", "features": []}, "no features"),
    ],
)
def test_bad_documents_fail_in_one_line(fmt: str, doc: Any, message: str) -> None:
    with pytest.raises(InputError) as caught:
        READ[fmt](doc, "bad.json")
    text = str(caught.value)
    assert "\n" not in text and text.startswith("bad.json")
    assert message.replace("features.0.", "features[0]") in text


def test_bad_values_name_the_field() -> None:
    doc = _load("ed269_sample.json")
    doc["features"][0]["restriction"] = "MAYBE"
    with pytest.raises(InputError, match=r"features\[0\]\.restriction: 'MAYBE' is not a valid Restriction"):
        read_ed269(doc, "bad.json")
    doc = _load("ed269_sample.json")
    doc["features"][1]["geometry"][0]["upperLimit"] = -5
    with pytest.raises(InputError, match=r"features\[1\].*floor SFC is not below ceiling -5 ft AGL"):
        read_ed269(doc, "bad.json")
    doc = _load("ed318_sample.json")
    doc["features"][0]["geometry"]["coordinates"] = [[[7.0, 46.0], [7.1, 46.1], [7.1, 46.0], [7.0, 46.1], [7.0, 46.0]]]
    with pytest.raises(InputError, match=r"features\[0\]\.geometry: invalid geometry: Self-intersection"):
        read_ed318(doc, "bad.json")
    doc = _load("ed318_sample.json")
    doc["features"][0]["geometry"] = {"type": "LineString", "coordinates": [[7.0, 46.0], [7.1, 46.1]]}
    with pytest.raises(InputError, match="LineString zones are not supported"):
        read_ed318(doc, "bad.json")
