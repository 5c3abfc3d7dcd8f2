"""The bundled world (Natural Earth countries and provinces, GeoNames and cited places) against peers' golden files."""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely import LineString, MultiLineString, Polygon
from shapely.geometry import shape

from commonsky.errors import InputError, NoSharedBorderError, NotFoundError
from commonsky.geo import borders
from commonsky.geo.places import normalize_name, read_cited_places
from commonsky.geo.world import World, load_world, shared_boundary

WGS84 = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def world() -> World:
    return load_world()


@pytest.fixture(scope="module")
def reference_features(reference_dir: Path) -> list[dict[str, Any]]:
    collection = json.loads((reference_dir / "geo" / "iran_iraq_border_ne10m_diyala.geojson").read_text())
    features: list[dict[str, Any]] = collection["features"]
    return features


@pytest.fixture(scope="module")
def cited_towns(reference_dir: Path) -> dict[str, tuple[float, float]]:
    """Town coordinates quoted in the reference README ("Jalawla 34.27194 N 45.16806 E")."""
    text = (reference_dir / "README.md").read_text()
    found = re.findall(r"([A-Z][\w'-]+) (\d+\.\d+) N (\d+\.\d+) E", text)
    return {name: (float(lat), float(lon)) for name, lat, lon in found}


# -- borders --------------------------------------------------------------------------------------------------------
def test_iran_iraq_border_matches_the_reference_line(world: World, reference_features: list[dict[str, Any]]) -> None:
    feature = reference_features[0]
    reference = shape(feature["geometry"])
    border = world.border("IRQ", "IRN")
    assert isinstance(border, LineString)
    # Same line: every vertex of ours lies on the reference (which is rounded to 1e-6 deg) and vice versa within
    # 2e-5 deg; the reference runs about 1 m further at both tripoints (it clipped by distance, not by segment).
    ours = shapely.points(shapely.get_coordinates(border))
    assert shapely.distance(ours, reference).max() < 1e-6
    assert shapely.hausdorff_distance(border, reference) < 2e-5
    assert abs(len(border.coords) - len(reference.coords)) <= 2
    length_m = WGS84.geometry_length(border)
    assert length_m == pytest.approx(WGS84.geometry_length(reference), rel=1e-3)
    assert length_m / 1e3 == pytest.approx(feature["properties"]["length_km_wgs84"], rel=1e-3)


def test_border_is_the_same_line_from_either_side(world: World) -> None:
    forward, backward = world.border("IRQ", "IRN"), world.border("IRN", "IRQ")
    assert shapely.hausdorff_distance(forward, backward) < 2e-5
    assert forward.length == pytest.approx(backward.length, rel=1e-6)


def test_enclave_border_is_its_whole_outline(world: World) -> None:
    lesotho = world.country("Lesotho")
    border = world.border("LSO", "ZAF")
    assert isinstance(lesotho.geometry, Polygon)
    assert border.is_ring
    assert border.length == pytest.approx(lesotho.geometry.exterior.length, rel=1e-12)


def test_countries_without_a_land_border(world: World) -> None:
    with pytest.raises(NoSharedBorderError, match=r"^IRQ and FRA share no land border$"):
        world.border("Iraq", "France")
    with pytest.raises(NoSharedBorderError):
        world.border("IRQ", "iq")


def test_neighbours_of_iraq_are_its_six_land_neighbours(world: World) -> None:
    assert [c.iso3 for c in world.neighbours("IRQ")] == sorted(["IRN", "TUR", "SYR", "JOR", "SAU", "KWT"])


def test_world_keeps_offering_the_border_functions() -> None:
    assert shared_boundary is borders.shared_boundary


def test_neighbours_are_symmetric(world: World) -> None:
    for neighbour in world.neighbours("IRN"):
        assert "IRN" in {c.iso3 for c in world.neighbours(neighbour.iso3)}


# -- countries ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "iso3"),
    [
        ("IRQ", "IRQ"),
        ("irq", "IRQ"),
        ("IQ", "IRQ"),
        ("Iraq", "IRQ"),
        ("Republic of Iraq", "IRQ"),
        ("Irak", "IRQ"),
        ("IRN", "IRN"),
        ("Iran", "IRN"),
        ("Islamic Republic of Iran", "IRN"),
        ("Persia", "IRN"),
        ("France", "FRA"),
        ("FR", "FRA"),
        ("FRA", "FRA"),
        ("Norway", "NOR"),
        ("NO", "NOR"),
        ("UK", "GBR"),
        ("United Kingdom", "GBR"),
        ("USA", "USA"),
        ("United States of America", "USA"),
        ("Côte d'Ivoire", "CIV"),
        ("ivory coast", "CIV"),
        ("Türkiye", "TUR"),
        ("South Sudan", "SSD"),
        ("Kosovo", "KOS"),
        ("XK", "KOS"),
    ],
)
def test_country_lookup_by_code_name_or_alias(world: World, key: str, iso3: str) -> None:
    assert world.country(key).iso3 == iso3


def test_country_codes_are_unique_and_geometries_valid(world: World) -> None:
    countries = world.countries()
    assert len(countries) == 250  # every Admin-0 record of Natural Earth 1:10m
    assert len({c.iso3 for c in countries}) == len(countries)
    iso2 = [c.iso2 for c in countries if c.iso2]
    assert len(set(iso2)) == len(iso2)
    assert all(re.fullmatch(r"[A-Z]{3}", c.iso3) for c in countries)
    geometries = np.array([c.geometry for c in countries])
    assert shapely.is_valid(geometries).all()
    coords = shapely.get_coordinates(geometries)
    assert (np.abs(coords[:, 0]) <= 180).all() and (np.abs(coords[:, 1]) <= 90).all()
    assert world.country("FRA").iso2 == "FR" and world.country("NOR").iso2 == "NO"  # NE gives -99 there


def test_unknown_country_suggests_close_codes(world: World) -> None:
    with pytest.raises(NotFoundError) as caught:
        world.country("IRK")
    message = str(caught.value)
    assert message.startswith("unknown country 'IRK' (did you mean IRQ (Iraq), IRN (Iran)")
    with pytest.raises(NotFoundError, match=r"DEU \(Germany\)"):
        world.country("Germny")


# -- provinces ------------------------------------------------------------------------------------------------------
def test_diyala_matches_the_reference(world: World, reference_features: list[dict[str, Any]]) -> None:
    feature = reference_features[1]
    reference = shape(feature["geometry"])
    diyala = world.province("Diyala")
    assert diyala.country_iso3 == "IRQ"
    area_km2 = abs(WGS84.geometry_area_perimeter(diyala.geometry)[0]) / 1e6
    assert area_km2 == pytest.approx(feature["properties"]["area_km2_wgs84"], rel=1e-3)
    assert area_km2 == pytest.approx(abs(WGS84.geometry_area_perimeter(reference)[0]) / 1e6, rel=1e-3)
    assert shapely.hausdorff_distance(diyala.geometry, reference) < 1e-5


def test_province_lookup(world: World) -> None:
    iraq = world.provinces("Iraq")
    assert len(iraq) == 18 and all(p.country_iso3 == "IRQ" for p in iraq)
    assert world.province("Muhafazat Diyala").name == "Diyala"  # the GeoNames name
    assert world.province("diyala", country="IQ").name == "Diyala"
    assert {p.country_iso3 for p in world.provinces()} >= {"IRQ", "IRN", "SYR", "TUR", "USA", "BRA"}
    assert shapely.is_valid(np.array([p.geometry for p in world.provinces()])).all()


def test_province_errors_name_the_problem(world: World) -> None:
    with pytest.raises(NotFoundError, match=r"unknown province 'Diyalah' \(did you mean Diyala \(IRQ\)"):
        world.province("Diyalah")
    with pytest.raises(NotFoundError, match=r"ambiguous.*give a country"):
        world.province("Central")
    with pytest.raises(NotFoundError, match="unknown province 'Diyala' in IRN"):
        world.province("Diyala", country="IRN")


# -- places ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spelling", "town"),
    [
        ("Jalawla", "Jalawla"),
        ("Jalula", "Jalawla"),
        ("JALAWLA", "Jalawla"),
        ("As-Sa'diyah", "As-Sa'diyah"),
        ("As Sadiyah", "As-Sa'diyah"),
        ("as-sa’diyah", "As-Sa'diyah"),
    ],
)
def test_cited_towns_are_found_under_their_spellings(
    world: World, cited_towns: dict[str, tuple[float, float]], spelling: str, town: str
) -> None:
    place = world.place(spelling)
    assert place.name == town
    assert (place.lat_deg, place.lon_deg) == cited_towns[town]
    assert place.country_iso3 == "IRQ"
    assert place.source.startswith("cited: https://en.wikipedia.org/wiki/")


def test_geonames_places_inside_diyala(world: World) -> None:
    diyala = world.province("Diyala", "IRQ")
    arrays = world.place_arrays(diyala.geometry.bounds)
    inside = shapely.contains_xy(diyala.geometry, arrays.lon_deg, arrays.lat_deg)
    names = {normalize_name(n) for n in arrays.names[inside]}
    assert {"baqubah", "khanaqin", "jalawla", "as sadiyah", "buhriz", "khan bani saad"} <= names
    baqubah = world.place("Baqubah")
    assert re.fullmatch(r"GeoNames \d+", baqubah.source)
    assert baqubah.country_iso3 == "IRQ" and baqubah.population > 100_000
    assert shapely.contains_xy(diyala.geometry, baqubah.lon_deg, baqubah.lat_deg)


def test_place_arrays_and_values_agree(world: World) -> None:
    box = (44.0, 33.0, 46.0, 35.0)
    arrays = world.place_arrays(box)
    values = world.places(box)
    assert len(values) == len(arrays.lat_deg) > 10
    assert sorted((p.lat_deg, p.lon_deg) for p in values) == sorted(zip(arrays.lat_deg, arrays.lon_deg, strict=True))
    first = world.place_at(int(arrays.index[0]))
    assert (first.name, first.lat_deg, first.country_iso3) == (
        arrays.names[0],
        arrays.lat_deg[0],
        arrays.country_iso3[0],
    )
    populations = [p.population for p in values]
    assert populations == sorted(populations, reverse=True)


def test_every_place_belongs_to_a_bundled_country(world: World) -> None:
    arrays = world.place_arrays()
    assert len(arrays.lat_deg) > 200_000
    assert set(np.unique(arrays.country_iso3)) <= {c.iso3 for c in world.countries()}
    assert world.place("Saint-Denis", country="FRA").lat_deg < -20  # Reunion: in France in Natural Earth


def test_places_bbox_across_the_antimeridian(world: World) -> None:
    across = world.place_arrays((170.0, -20.0, -170.0, -10.0))
    east, west = world.place_arrays((170.0, -20.0, 180.0, -10.0)), world.place_arrays((-180.0, -20.0, -170.0, -10.0))
    assert len(across.lat_deg) == len(east.lat_deg) + len(west.lat_deg) > 0
    assert ((across.lon_deg >= 170) | (across.lon_deg <= -170)).all()


def test_place_ties_prefer_the_most_populous(world: World) -> None:
    assert world.place("Paris").country_iso3 == "FRA"
    in_usa = world.place("paris", country="United States")
    assert in_usa.country_iso3 == "USA" and in_usa.population < world.place("Paris").population


def test_unknown_place_suggests_close_names(world: World) -> None:
    with pytest.raises(NotFoundError, match=r"^unknown place 'Baqubahh' \(did you mean Baqubah \(IRQ\)"):
        world.place("Baqubahh")
    with pytest.raises(NotFoundError, match=r"unknown place 'Jalwla'.*Jalawla \(IRQ\)"):
        world.place("Jalwla")
    with pytest.raises(NotFoundError, match="unknown place 'Baqubah' in IRN"):
        world.place("Baqubah", country="IRN")


def test_normalize_name_folds_case_diacritics_and_apostrophes() -> None:
    assert normalize_name("As-Sa'diyah") == normalize_name("AS SA’DIYAH") == "as sadiyah"
    assert normalize_name("Khānaqīn") == "khanaqin"
    assert normalize_name("Łódź") == "lodz"
    assert normalize_name("  Baʿqūbah ") == "baqubah"


def test_cited_file_rejects_bad_rows() -> None:
    header = "name,alternate_names,lat_deg,lon_deg,country_iso3,population,source_url,accessed\n"
    with pytest.raises(InputError, match="line 2"):
        read_cited_places(header + "X,,north,45,IRQ,,https://example.org,2026-11-25\n")
    with pytest.raises(InputError, match="line 3: coordinates out of range"):
        read_cited_places("# a comment\n" + header + "X,,95,45,IRQ,,https://example.org,2026-11-25\n")
    with pytest.raises(InputError, match="needs a name and a source URL"):
        read_cited_places(header + "X,,34,45,IRQ,,,2026-11-25\n")


# -- the bundle -----------------------------------------------------------------------------------------------------
def test_bundle_ships_inside_the_package_and_loads_once() -> None:
    data = resources.files("commonsky.data")
    names = ("countries.zip", "qgis_gpl/provinces.zip", "places.zip", "places_extra.csv")
    sizes = [len(data.joinpath(*name.split("/")).read_bytes()) for name in names]
    assert sum(sizes) < 25e6
    cited = read_cited_places(data.joinpath("places_extra.csv").read_text(encoding="utf-8"))
    assert all(c.source_url.startswith("https://") for c in cited)
    assert load_world() is load_world()


def test_gpl_provinces_travel_with_their_licence() -> None:
    gpl = resources.files("commonsky.data").joinpath("qgis_gpl")
    assert sorted(entry.name for entry in gpl.iterdir()) == ["COPYING", "README.md", "provinces.zip"]
    assert "GNU GENERAL PUBLIC LICENSE\n                       Version 2" in gpl.joinpath("COPYING").read_text()
    notice = gpl.joinpath("README.md").read_text(encoding="utf-8")
    assert "qgis-common" in notice and "GPL-2" in notice and "world_map.gpkg" in notice


def test_geometries_are_lon_lat(world: World) -> None:
    lon, lat = world.place("Baqubah").lon_deg, world.place("Baqubah").lat_deg
    assert world.country("IRQ").geometry.contains(shapely.Point(lon, lat))
    border = world.border("IRQ", "IRN")
    assert isinstance(border, LineString | MultiLineString)
    assert 44 < border.centroid.x < 48 and 30 < border.centroid.y < 37


# -- the build script -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def build_script(project_root: Path) -> Any:
    spec = importlib.util.spec_from_file_location("build_data", project_root / "scripts" / "build_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_writes_the_same_bytes_twice(build_script: Any, tmp_path: Path) -> None:
    members = {"coords.npy": np.array([[44.5, 33.25]]), "meta.json": {"b": 1, "a": [2]}, "names.txt": "Baʿqūbah"}
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    build_script.write_bundle(first, members)
    build_script.write_bundle(second, dict(reversed(members.items())))
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read("names.txt").decode() == "Baʿqūbah"


def test_build_script_decodes_geopackage_blobs(build_script: Any) -> None:
    polygon = Polygon([(44.0, 33.0), (45.0, 33.0), (45.0, 34.0), (44.0, 33.0)])
    envelope = struct.pack("<4d", 44.0, 45.0, 33.0, 34.0)
    for flags, extra in ((0b0000_0001, b""), (0b0000_0011, envelope)):  # little-endian; no envelope, then xy one
        blob = b"GP" + bytes([0, flags]) + struct.pack("<i", 4326) + extra + shapely.to_wkb(polygon)
        assert build_script.gpkg_geometry(blob).equals(polygon)
    with pytest.raises(SystemExit):
        build_script.gpkg_geometry(b"XX" + bytes(6) + shapely.to_wkb(polygon))


def test_build_script_orders_shapefile_rings_into_polygons(build_script: Any) -> None:
    shell = np.array([(0.0, 0.0), (0.0, 4.0), (4.0, 4.0), (4.0, 0.0), (0.0, 0.0)])  # clockwise: a shell
    hole = np.array([(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 2.0), (1.0, 1.0)])  # counter-clockwise: a hole
    island = shell + 10.0
    geom = build_script.assemble([shell, hole, island])
    assert geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    assert geom.area == pytest.approx(16 - 1 + 16)
