"""The border-zone report: its files agree with each other, and its distances with an independent geodesic sum."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape

from commonsky.geo.places import Place
from commonsky.geo.world import World, load_world
from commonsky.geo.zone_places import PlaceStanding
from commonsky.reports.zone_report import (
    DEFAULT_CHECKS,
    ZoneReport,
    build_report,
    standing_feature,
    write_places_csv,
)

MI_M = 1609.344  # the international statute mile, written here rather than taken from commonsky.units
WGS84 = Geod(ellps="WGS84")
FILES = ("zone.geojson", "places.csv", "places.geojson", "map.png", "map.html", "zone.kml")


def _standing(place: Place, inside: bool, distance_m: float, edge_m: float) -> PlaceStanding:
    return PlaceStanding(place, inside, distance_m, edge_m, "IRN–IRQ border")


# -- the rows and features, from values chosen here -----------------------------------------------------------------
def test_standing_feature_carries_the_place_in_km_and_statute_miles() -> None:
    place = Place("Baʿqūbah", 33.74556, 44.64366, "IRQ", 152_550, "cited: https://example.org/baqubah")
    feature = standing_feature(_standing(place, False, 80_467.2, -48_280.32))
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [44.64366, 33.74556]}  # GeoJSON is lon, lat
    props = feature["properties"]
    assert (props["distance_km"], props["distance_mi"]) == (80.47, 50.0)  # 50 mi = 80.4672 km
    assert (props["edge_km"], props["edge_mi"]) == (-48.28, -30.0)
    assert props["inside"] is False and props["distance_to"] == "IRN–IRQ border"
    assert (props["name"], props["country"], props["population"], props["source"]) == (
        "Baʿqūbah",
        "IRQ",
        152_550,
        "cited: https://example.org/baqubah",
    )


def test_places_csv_round_trips_names_and_rounds_distances(tmp_path: Path) -> None:
    far = Place("Baʿqūbah", 33.74556, 44.64366, "IRQ", 152_550, "cited: https://example.org/baqubah")
    cited = Place("As-Sa'diyah", 34.190556, 45.120778, "IRQ", 0, "cited: https://en.wikipedia.org/wiki/Sadiyah")
    rows = [_standing(far, False, 80_467.2, -48_280.32), _standing(cited, True, 1_000.0, 31_186.88)]
    path = tmp_path / "places.csv"
    write_places_csv(path, rows)
    with path.open(newline="", encoding="utf-8") as handle:
        read = list(csv.DictReader(handle))
    assert [r["name"] for r in read] == ["Baʿqūbah", "As-Sa'diyah"]
    assert read[1] == {
        "name": "As-Sa'diyah",
        "country": "IRQ",
        "lat_deg": "34.190556",
        "lon_deg": "45.120778",
        "population": "0",
        "inside": "True",
        "distance_km": "1.00",
        "distance_mi": f"{1000 / MI_M:.2f}",
        "edge_km": "31.19",
        "edge_mi": f"{31_186.88 / MI_M:.2f}",
        "distance_to": "IRN–IRQ border",
        "source": "cited: https://en.wikipedia.org/wiki/Sadiyah",
    }
    assert read[0]["distance_mi"] == "50.00" and read[0]["edge_mi"] == "-30.00"


# -- the default report, built once -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world() -> World:
    return load_world()


@pytest.fixture(scope="module")
def report(world: World, tmp_path_factory: pytest.TempPathFactory) -> ZoneReport:
    return build_report(world, out_dir=tmp_path_factory.mktemp("report"))


def _border_distance_m(world: World, lat_deg: float, lon_deg: float) -> float:
    """Geodesic distance to the Iran–Iraq border, as the least distance to the border's points every ~100 m."""
    dense = shapely.segmentize(world.border("IRN", "IRQ"), 0.001)
    lon, lat = shapely.get_coordinates(dense).T
    _, _, distance = WGS84.inv(np.full(lon.shape, lon_deg), np.full(lat.shape, lat_deg), lon, lat)
    return float(np.min(distance))


@pytest.mark.slow
def test_report_writes_its_files_and_nothing_else(report: ZoneReport) -> None:
    out = report.files[0].parent
    assert sorted(p.name for p in report.files) == sorted(FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert all(p.stat().st_size > 0 for p in report.files)


@pytest.mark.slow
def test_zone_file_holds_the_national_zone_and_the_diyala_part_of_it(report: ZoneReport, world: World) -> None:
    features = json.loads(report.files[0].with_name("zone.geojson").read_text(encoding="utf-8"))["features"]
    national, focus = (shape(f["geometry"]) for f in features)
    assert national.equals(report.national.geometry) and focus.equals(report.focus.geometry)
    assert focus.difference(national).area < 1e-9 * national.area
    diyala = world.province("Diyala", "IRQ").geometry
    assert focus.difference(diyala).area < 1e-6 * focus.area
    focus_m2, national_m2 = (abs(WGS84.geometry_area_perimeter(g)[0]) for g in (focus, national))  # sign = winding
    assert 0 < focus_m2 < national_m2


@pytest.mark.slow
def test_places_agree_with_the_zone_and_an_independent_border_distance(report: ZoneReport, world: World) -> None:
    with report.files[0].with_name("places.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    standings = report.places.inside + report.places.near_outside
    assert [r["name"] for r in rows] == [s.place.name for s in standings] and len(rows) > 0
    width_m = 20 * MI_M
    for row in rows:
        lat, lon = float(row["lat_deg"]), float(row["lon_deg"])
        distance_m = _border_distance_m(world, lat, lon)
        assert float(row["distance_km"]) == pytest.approx(distance_m / 1000, abs=0.05), row["name"]
        assert float(row["distance_mi"]) == pytest.approx(distance_m / MI_M, abs=0.05), row["name"]
        assert float(row["edge_km"]) == pytest.approx((width_m - distance_m) / 1000, abs=0.05), row["name"]
        assert (row["inside"] == "True") == report.focus.geometry.covers(shapely.Point(lon, lat)), row["name"]
        assert distance_m <= width_m + 5 * MI_M + 50  # "just outside" is within the 5 mi margin
    inside_km = [float(r["distance_km"]) for r in rows if r["inside"] == "True"]
    assert inside_km == sorted(inside_km) and max(inside_km, default=0) <= width_m / 1000 + 0.05
    points = json.loads(report.files[0].with_name("places.geojson").read_text(encoding="utf-8"))["features"]
    by_name = {f["properties"]["name"]: f["geometry"]["coordinates"] for f in points}
    for row in rows:
        assert by_name[row["name"]] == pytest.approx([float(row["lon_deg"]), float(row["lat_deg"])], abs=1e-6)


@pytest.mark.slow
def test_named_claims_are_checked_against_the_border_distance(report: ZoneReport, world: World) -> None:
    assert [c.place.name for c in report.checks] == [world.place(n).name for n in DEFAULT_CHECKS]
    for check in report.checks:
        distance_m = _border_distance_m(world, check.place.lat_deg, check.place.lon_deg)
        assert check.distance_m == pytest.approx(distance_m, abs=50), check.place.name
        assert check.inside == (distance_m < 20 * MI_M), check.place.name  # both towns lie in Diyala, Iraq
        assert check.edge_m == pytest.approx(20 * MI_M - distance_m, abs=50), check.place.name
