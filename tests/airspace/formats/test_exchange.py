"""The exchange entry point: each format read through it gives what its own reader gives, text written through it
reads back to the same zones, a byte-order mark is accepted, bad bytes are refused in one line, and the KML
features draw circles as their geodesic polygons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely

from commonsky.airspace.formats.ed269 import read_ed269
from commonsky.airspace.formats.ed318 import read_ed318
from commonsky.airspace.formats.exchange import (
    ExportFormat,
    ImportFormat,
    read_zones_as,
    write_zones_as,
    zone_kml_features,
)
from commonsky.airspace.formats.openair import read_openair
from commonsky.errors import InputError

DATA = Path(__file__).parents[1] / "data"
FILES = {
    ImportFormat.ED269: "ed269_sample.json",
    ImportFormat.ED318: "ed318_sample.json",
    ImportFormat.OPENAIR: "openair_sample.txt",
}


@pytest.mark.parametrize("fmt", list(ImportFormat))
def test_reading_through_the_entry_point_is_reading_with_the_format(fmt: ImportFormat) -> None:
    raw = (DATA / FILES[fmt]).read_bytes()
    direct = {
        ImportFormat.ED269: lambda: read_ed269(json.loads(raw), "f"),
        ImportFormat.ED318: lambda: read_ed318(json.loads(raw), "f"),
        ImportFormat.OPENAIR: lambda: read_openair(raw, "f"),
    }[fmt]()
    got = read_zones_as(raw, fmt, "f")
    assert [z.to_feature() for z in got.zones] == [z.to_feature() for z in direct.zones]
    if fmt is not ImportFormat.OPENAIR:
        bom = read_zones_as(b"\xef\xbb\xbf" + raw, fmt, "f")
        assert [z.name for z in bom.zones] == [z.name for z in got.zones]


@pytest.mark.parametrize(
    ("out", "back"), [(ExportFormat.ED269, ImportFormat.ED269), (ExportFormat.ED318, ImportFormat.ED318)]
)
def test_written_text_reads_back(out: ExportFormat, back: ImportFormat) -> None:
    zones = read_zones_as((DATA / "ed318_sample.json").read_bytes(), ImportFormat.ED318, "f").zones
    text = write_zones_as(zones, out)
    assert text.endswith("\n")
    again = read_zones_as(text.encode(), back, "again").zones
    assert [(z.name, z.floor, z.ceiling) for z in again] == [(z.name, z.floor, z.ceiling) for z in zones]
    with pytest.raises(ValueError, match=r"KML is drawn by commonsky\.render\.kml"):
        write_zones_as(zones, ExportFormat.KML)


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"\xff\xfe{", r"x.json: not UTF-8 text"), (b'{"a": ', r"x.json: not valid JSON \(line 1, column 7")],
)
def test_bad_bytes_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_zones_as(raw, ImportFormat.ED318, "x.json")


def test_kml_features_are_polygons() -> None:
    zones = read_zones_as((DATA / "openair_sample.txt").read_bytes(), ImportFormat.OPENAIR, "f").zones
    features = zone_kml_features(zones)
    assert len(features) == len(zones)
    for feature, zone in zip(features, zones, strict=True):
        geom = shapely.geometry.shape(feature["geometry"])
        assert geom.geom_type in ("Polygon", "MultiPolygon") and geom.is_valid
        assert feature["properties"]["name"] == zone.name
    assert ImportFormat("openair").label == "OpenAir"
