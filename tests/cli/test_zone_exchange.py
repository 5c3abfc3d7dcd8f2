"""`commonsky zone import` / `zone export` end to end: files in and out, round trips through files, KML as a
viewer reads it, and one-line errors with exit 2."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from shapely.geometry import Polygon

from commonsky.airspace.zone import read_zones

DATA = Path(__file__).parents[1] / "airspace" / "data"
KML = "{http://www.opengis.net/kml/2.2}"


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("ed269", "ed269_sample.json"), ("ed269", "ed269_uaszonelist.json"), ("ed318", "ed318_sample.json")],
)
def test_import_export_import_through_files(cli: Callable, tmp_path: Path, fmt: str, name: str) -> None:
    first, exported, second = tmp_path / "a.geojson", tmp_path / f"out.{fmt}.json", tmp_path / "b.geojson"
    result = cli("zone", "import", str(DATA / name), "--format", fmt, "--out", str(first), "--json")
    assert result.code == 0, result.err
    assert result.json()["zones"] == len(read_zones(first))
    assert cli("zone", "export", str(first), "--format", fmt, "--out", str(exported)).code == 0
    assert cli("zone", "import", str(exported), "--format", fmt, "--out", str(second)).code == 0
    assert json.loads(second.read_text()) == json.loads(first.read_text())


def test_openair_to_ed318_keeps_everything(cli: Callable, tmp_path: Path) -> None:
    zones, exported, back = tmp_path / "oa.geojson", tmp_path / "oa.ed318.json", tmp_path / "back.geojson"
    result = cli("zone", "import", str(DATA / "openair_sample.txt"), "--format", "openair", "--out", str(zones))
    assert result.code == 0, result.err
    assert "Ask on 122.8" in result.out and "5 zones read" in result.out
    assert cli("zone", "export", str(zones), "--format", "ed318", "--out", str(exported)).code == 0
    assert cli("zone", "import", str(exported), "--format", "ed318", "--out", str(back)).code == 0
    before = json.loads(zones.read_text())["features"]
    after = json.loads(back.read_text())["features"]
    for feature in after:
        del feature["properties"]["ed318"]
    assert after == before


def test_kml_draws_every_zone(cli: Callable, tmp_path: Path) -> None:
    zones, kml = tmp_path / "z.geojson", tmp_path / "z.kml"
    assert cli("zone", "import", str(DATA / "ed269_sample.json"), "--format", "ed269", "--out", str(zones)).code == 0
    assert cli("zone", "export", str(zones), "--format", "kml", "--out", str(kml)).code == 0
    root = ET.parse(kml).getroot()
    marks = root.findall(f".//{KML}Placemark")
    expected = read_zones(zones)
    assert [m.findtext(f"{KML}name") for m in marks] == [z.name for z in expected]
    for mark, zone in zip(marks, expected, strict=True):
        polygon = mark.find(f"{KML}Polygon")
        assert polygon is not None
        text = polygon.findtext(f"{KML}outerBoundaryIs/{KML}LinearRing/{KML}coordinates") or ""
        points = [tuple(float(v) for v in p.split(",")) for p in text.split()]
        drawn = Polygon([(p[0], p[1]) for p in points])
        # the renderer writes 6 decimals: the outlines differ by at most 1e-6 degree along the perimeter
        assert drawn.symmetric_difference(zone.geometry).area < 1e-6 * zone.geometry.length
        if zone.floor.value_m == 0 and not zone.ceiling.is_unlimited:  # surface zones stand up to their ceiling
            assert polygon.findtext(f"{KML}altitudeMode") == "relativeToGround"
            assert {p[2] for p in points} == {round(zone.ceiling.value_m, 1)}
        else:
            assert polygon.findtext(f"{KML}altitudeMode") == "clampToGround"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "{data}/openair_sample.txt", "--format", "ed318"], "not valid JSON (line 1"),
        (["import", "{data}/ed318_sample.json", "--format", "ed269"], "not valid ED-269"),
        (["import", "{tmp}/missing.json", "--format", "ed269"], "no such file"),
        (["import", "{tmp}/broken.txt", "--format", "openair"], "broken.txt line 5: center undefined"),
        (["import", "{data}/ed269_sample.json", "--format", "shapefile"], "Invalid value for '--format'"),
        (["export", "{data}/ed269_sample.json", "--format", "ed318"], "not GeoJSON"),
    ],
)
def test_bad_files_are_one_line_and_exit_2(cli: Callable, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "broken.txt").write_text("AC R\nAN X\nAL GND\nAH FL100\nDA 5,0,90\n")
    out = tmp_path / "out.file"
    filled = [a.format(data=DATA, tmp=tmp_path) for a in args]
    result = cli("zone", *filled, "--out", str(out))
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("commonsky: error:")
    assert message in lines[0]
    assert not out.exists()
