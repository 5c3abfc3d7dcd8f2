"""ED-269 and ED-318 in and out (issue 15 item 6): what the zones say, round trips (import -> export -> import gives
the same zones), zones from elsewhere carried through, edits written as the standard says, bad files refused."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Polygon, box

from commonsky.airspace.formats.ed269 import read_ed269, write_ed269
from commonsky.airspace.formats.ed318 import read_ed318, write_ed318
from commonsky.airspace.formats.openair import read_openair
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.errors import InputError
from commonsky.units import Altitude, AltitudeRef, parse_altitude

DATA = Path(__file__).parent / "data"
GEOD = Geod(ellps="WGS84")
FT = 0.3048
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


def test_ed269_sample_reads_as_the_file_says() -> None:
    result = read_ed269(_load("ed269_sample.json"), "ed269_sample.json")
    zones = {z.name: z for z in result.zones}
    assert list(zones) == ["LSGG Geneva approach (1/2)", "LSGG Geneva approach (2/2)", "Stadium Geneva (events)"]
    low, high, stadium = zones.values()
    assert (low.floor, low.ceiling) == (Altitude(0.0, AltitudeRef.AGL), Altitude(120.0, AltitudeRef.AGL))
    assert (high.floor, high.ceiling) == (Altitude(120.0, AltitudeRef.AGL), Altitude(1500.0, AltitudeRef.AMSL))
    assert low.kind is ZoneKind.RESTRICTED and low.binding
    assert low.extra["ed269"]["zone"]["extendedProperties"]["addInfo"].startswith("Exemption")
    assert stadium.kind is ZoneKind.PROHIBITED
    assert stadium.ceiling == Altitude(1000 * FT, AltitudeRef.AGL)
    assert stadium.valid_from == datetime(2026, 6, 1, tzinfo=UTC)
    assert stadium.valid_to == datetime(2026, 9, 30, 23, 59, tzinfo=UTC)
    assert stadium.extra["daily"] == [{"start": "16:00", "end": "22:30"}]
    coords = np.array(stadium.geometry.exterior.coords)
    _, _, dist = GEOD.inv(np.full(len(coords), 6.1184), np.full(len(coords), 46.1775), coords[:, 0], coords[:, 1])
    assert np.abs(np.asarray(dist) - 3000 * FT).max() < 1e-6  # a geodesic circle of 3000 ft, not degrees
    assert any("SAT/SUN" in note for note in result.notes)


def test_ed269_authority_list_with_offsets_and_holes() -> None:
    zones = read_ed269(_load("ed269_uaszonelist.json"), "list.json").zones
    city, reserve = zones
    assert city.ceiling.is_unlimited and city.floor == Altitude(0.0, AltitudeRef.AGL)  # "0" and null limits
    assert reserve.kind is ZoneKind.RESTRICTED  # CONDITIONAL
    assert reserve.geometry.geom_type == "MultiPolygon"  # two volumes with the same limits: one zone
    assert len(reserve.geometry.geoms[0].interiors) == 1
    assert reserve.valid_from == datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert reserve.extra["daily"] == [{"start": "02:30", "end": "20:00"}]  # 04:30-22:00 at +02:00


def test_ed318_sample_reads_as_the_file_says() -> None:
    result = read_ed318(_load("ed318_sample.json"), "ed318_sample.json")
    belp, circle, block = result.zones
    assert belp.name == "LSZB Bern-Belp 2"
    assert (belp.floor, belp.ceiling) == (Altitude(60.0, AltitudeRef.AGL), Altitude(99_999.0, AltitudeRef.AGL))
    assert circle.name == "Bern night works (1/2)" and block.name == "Bern night works (2/2)"
    coords = np.array(circle.geometry.exterior.coords)
    _, _, dist = GEOD.inv(np.full(len(coords), 7.4470), np.full(len(coords), 46.9480), coords[:, 0], coords[:, 1])
    assert np.abs(np.asarray(dist) - 500.0).max() < 1e-6
    assert block.floor == Altitude(150 * FT, AltitudeRef.AGL) and block.ceiling == Altitude(2000 * FT, AltitudeRef.AMSL)
    assert circle.extra["daily"] == [{"start": "20:00", "end": "05:00"}]
    assert circle.kind is ZoneKind.RESTRICTED and circle.binding  # CONDITIONAL
    assert any("WGS84" in note for note in result.notes)
    assert belp.extra["ed318"]["collection"]["metadata"]["otherGeoid"] == "CHGeo2004"


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
