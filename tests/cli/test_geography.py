"""Issue 2 end to end: every geography command, the facts it must get right, and the bad inputs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape

from commonsky.airspace.zone import ZoneKind, read_zones

MI = 1609.344


def reference_feature(reference_dir: Path, index: int) -> dict:
    data = json.loads((reference_dir / "geo" / "iran_iraq_border_ne10m_diyala.geojson").read_text())
    return data["features"][index]


def test_border_length_matches_reference(cli: Callable, reference_dir: Path, tmp_path: Path) -> None:
    result = cli("border", "IRQ", "IRN", "--json", "--out", str(tmp_path / "b.geojson"))
    assert result.code == 0, result.err
    summary = result.json()
    expected_m = Geod(ellps="WGS84").geometry_length(shape(reference_feature(reference_dir, 0)["geometry"]))
    assert summary["length"]["m"] == pytest.approx(expected_m, rel=1e-3)
    assert summary["length"]["km"] == pytest.approx(1310.2, abs=1.5)
    assert {summary["a"]["iso3"], summary["b"]["iso3"]} == {"IRQ", "IRN"}
    written = json.loads((tmp_path / "b.geojson").read_text())
    assert written["features"][0]["geometry"]["type"] in ("LineString", "MultiLineString")


def test_national_zone_area_matches_reference(national_zone: Path, reference_dir: Path) -> None:
    (zone,) = read_zones(national_zone)
    assert zone.kind is ZoneKind.BUFFER
    assert zone.extra["buffer"]["border"] == ["IRN", "IRQ"]
    assert zone.extra["buffer"]["distance_m"] == pytest.approx(20 * MI)
    reference = shape(reference_feature(reference_dir, 2)["geometry"])
    assert zone.area_km2() == pytest.approx(35876, rel=5e-3)
    sym = shapely.symmetric_difference(zone.geometry, reference)
    ref_area, _ = Geod(ellps="WGS84").geometry_area_perimeter(reference)
    diff_area, _ = Geod(ellps="WGS84").geometry_area_perimeter(sym)
    assert abs(diff_area) / abs(ref_area) < 0.01


def test_diyala_clip_and_places(cli: Callable, tmp_path: Path) -> None:
    out = tmp_path / "diyala.geojson"
    made = cli(
        "zone",
        "buffer",
        "--border",
        "IRN:IRQ",
        "--distance",
        "20mi",
        "--side",
        "IRQ",
        "--clip",
        "Diyala",
        "--name",
        "Diyala buffer",
        "--out",
        str(out),
        "--json",
    )
    assert made.code == 0, made.err
    assert made.json()["name"] == "Diyala buffer"
    assert 0 < made.json()["area_km2"] < 19780
    listed = cli("zone", "places", str(out), "--margin", "5mi", "--json")
    assert listed.code == 0, listed.err
    (zone,) = listed.json()
    by_name = {p["name"]: p for p in zone["places"]}
    jalawla, saadiyah = by_name["Jalawla"], by_name["As-Sa'diyah"]
    assert jalawla["inside"] and jalawla["distance"]["km"] == pytest.approx(27.6, abs=0.15)
    assert jalawla["distance"]["mi"] == pytest.approx(17.2, abs=0.1)
    assert not saadiyah["inside"] and saadiyah["distance"]["km"] == pytest.approx(33.6, abs=0.15)
    assert saadiyah["edge"]["mi"] == pytest.approx(-0.9, abs=0.1)
    for place in zone["places"]:
        assert place["country"] == "IRQ"
        assert (place["distance"]["mi"] <= 20.0) == place["inside"] or abs(place["distance"]["mi"] - 20) < 0.05
        assert place["distance"]["mi"] <= 25.0 + 1e-6
    table = cli("zone", "places", str(out), "--margin", "5mi")
    assert "outside by" in table.out and "Jalawla" in table.out


def test_distance_command(cli: Callable) -> None:
    result = cli("distance", "Jalawla", "--to-border", "IRN", "--json")
    assert result.code == 0, result.err
    assert result.json()["distance"]["km"] == pytest.approx(27.6, abs=0.15)
    text = cli("distance", "As-Sa'diyah", "--to-border", "Iran")
    assert "33.6 km (20.9 mi)" in text.out


BAD = [
    (("border", "IRK", "IRN"), "IRQ"),
    (("border", "IRQ", "FRA"), "share no"),
    (("zone", "buffer", "--border", "IRN:IRQ", "--distance", "-5mi", "--out", "x.geojson"), "positive"),
    (("zone", "buffer", "--border", "IRN:IRQ", "--distance", "0km", "--out", "x.geojson"), "positive"),
    (("zone", "buffer", "--border", "IRN:IRQ", "--distance", "twenty", "--out", "x.geojson"), "twenty"),
    (("zone", "buffer", "--border", "IRN", "--distance", "20mi", "--out", "x.geojson"), "A:B"),
    (("zone", "buffer", "--border", "IRN:IRQ", "--distance", "20mi", "--side", "TUR", "--out", "x.geojson"), "side"),
    (
        ("zone", "buffer", "--border", "IRN:IRQ", "--distance", "20mi", "--clip", "Diyalla", "--out", "x.geojson"),
        "Diyala",
    ),
    (("distance", "Jalawlaa", "--to-border", "IRN"), "Jalawla"),
    (("distance", "Jalawla", "--to-border", "FRA"), "share no"),
    (("map", "nothing.geojson", "--out", "m.svg"), ".svg"),
]


@pytest.mark.parametrize(("args", "needle"), BAD)
def test_bad_input_one_line_exit_2(
    cli: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], needle: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("commonsky: error: "), result.err
    assert needle in lines[0]
    assert not (tmp_path / "x.geojson").exists()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        (
            '{"type": "Feature", "properties": {"name": "bow"}, "geometry": {"type": "Polygon", "coordinates": '
            "[[[45, 34], [46, 35], [46, 34], [45, 35], [45, 34]]]}}",
            "Self-intersection",
        ),
        (
            '{"type": "Feature", "properties": {"name": "open"}, "geometry": {"type": "Polygon", "coordinates": '
            "[[[45, 34], [46, 35]]]}}",
            "geometry",
        ),
        (
            '{"type": "Feature", "properties": {"name": "k", "kind": "forbidden"}, "geometry": {"type": "Point", '
            '"coordinates": [45, 34]}}',
            "zone kind",
        ),
    ],
)
def test_bad_geojson(cli: Callable, tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    result = cli("zone", "places", str(path))
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1 and needle in result.err, result.err


def test_bad_input_keeps_existing_output(cli: Callable, national_zone: Path, tmp_path: Path) -> None:
    target = tmp_path / "keep.geojson"
    target.write_bytes(national_zone.read_bytes())
    before = target.read_bytes()
    result = cli("zone", "buffer", "--border", "IRN:IRQ", "--distance", "nope", "--out", str(target))
    assert result.code == 2 and target.read_bytes() == before


def test_distance_in_the_southern_and_western_hemispheres(cli: Callable) -> None:
    text = cli("distance", "Puerto Natales", "--to-border", "ARG")
    assert text.code == 0, text.err
    assert " S, " in text.out and " W)" in text.out and "CHL–ARG border" in text.out
    assert 0 < cli("distance", "Puerto Natales", "--to-border", "ARG", "--json").json()["distance"]["km"] < 50
