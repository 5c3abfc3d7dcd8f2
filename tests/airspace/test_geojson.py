"""GeoJSON in and out: each kind of bad geometry or file refused in one line naming where and why, the three
shapes a file may have, and atomic writes that leave no temporary file behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from commonsky.airspace.geojson import features_of, geometry_from_json, load_json, write_json
from commonsky.errors import GeometryError, InputError

SQUARE = {"type": "Polygon", "coordinates": [[[44, 33], [45, 33], [45, 34], [44, 34], [44, 33]]]}


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([1, 2], "expected a GeoJSON geometry object, got list"),
        ({"type": "Circle"}, "unknown geometry type 'Circle'"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1]]]}, "malformed Polygon coordinates"),
        ({"type": "Polygon", "coordinates": []}, "geometry is empty"),
        ({"type": "Point", "coordinates": [33.5, 181.0]}, r"outside lon \[-180, 180\], lat \[-90, 90\]"),
        ({"type": "Point", "coordinates": [44.5, 91.0]}, "GeoJSON is lon, lat"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "invalid geometry: Self-intersection",
        ),
    ],
)
def test_bad_geometries_are_refused(obj: Any, message: str) -> None:
    with pytest.raises(GeometryError, match=message) as error:
        geometry_from_json(obj, "zones.json[0].geometry")
    assert str(error.value).startswith("zones.json[0].geometry: ") and "\n" not in str(error.value)


def test_a_good_geometry() -> None:
    geom = geometry_from_json(SQUARE)
    assert geom.area == 1.0 and geom.bounds == (44.0, 33.0, 45.0, 34.0)


def test_the_three_shapes_of_a_file() -> None:
    feature = {"type": "Feature", "properties": {"name": "a"}, "geometry": SQUARE}
    assert features_of({"type": "FeatureCollection", "features": [feature, feature]}, "f") == [feature, feature]
    assert features_of(feature, "f") == [feature]
    assert features_of(SQUARE, "f") == [{"type": "Feature", "properties": {}, "geometry": SQUARE}]
    for bad, message in (([], "expected a GeoJSON object"), ({"type": "FeatureCollection"}, "no 'features' list")):
        with pytest.raises(GeometryError, match=message):
            features_of(bad, "f")


def test_files(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "out.json"
    write_json(path, {"a": [1, 2.5]})
    assert load_json(path) == {"a": [1, 2.5]} and [p.name for p in path.parent.iterdir()] == ["out.json"]
    with pytest.raises(ValueError):
        write_json(path, {"a": float("nan")})  # not JSON
    assert json.loads(path.read_text()) == {"a": [1, 2.5]}  # the good file is still there
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": 1,\n "b": }')
    with pytest.raises(InputError, match=r"bad.json: not valid JSON \(line 2, column 7"):
        load_json(bad)
    with pytest.raises(InputError, match="no such file"):
        load_json(tmp_path / "missing.json")
    (tmp_path / "latin.json").write_bytes(b'{"a": "\xe9"}')
    with pytest.raises(InputError, match="not UTF-8 text"):
        load_json(tmp_path / "latin.json")
