"""The base map from the bundled world: countries, land borders and provinces clipped to the view."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape

from commonsky.render.basemap import clip_rects
from commonsky.render.layers import basemap_layers

IRAQ_VIEW = (37.5, 28.5, 50.0, 38.5)


@pytest.fixture(scope="module")
def iraq_base(world: Any) -> dict[str, Any]:
    layers = basemap_layers(IRAQ_VIEW, world, tolerance_deg=0.0)
    assert [(layer.role, layer.base) for layer in layers] == [
        ("country", True),
        ("province", True),
        ("border", True),
    ]
    return {layer.role: layer for layer in layers}


def test_countries_in_view(iraq_base: dict[str, Any]) -> None:
    codes = {f["properties"]["iso3"] for f in iraq_base["country"].features}
    assert {"IRQ", "IRN", "SYR", "TUR", "JOR", "SAU", "KWT"} <= codes
    assert not codes & {"FRA", "USA", "CHN"}
    box = shapely.box(*clip_rects(IRAQ_VIEW)[0])
    for feature in iraq_base["country"].features:
        assert box.buffer(1e-9).contains(shape(feature["geometry"]))


def test_land_borders_are_shared_edges_only(
    iraq_base: dict[str, Any], world: Any, reference_geo: dict[str, Any]
) -> None:
    pairs = {tuple(f["properties"]["between"]): f for f in iraq_base["border"].features}
    for a, b in pairs:
        assert b in {c.iso3 for c in world.neighbours(a)}, f"{a}-{b} drawn as a land border"
    iraq_pairs = {frozenset(p) for p in pairs if "IRQ" in p}
    assert iraq_pairs == {frozenset(("IRQ", c.iso3)) for c in world.neighbours("IRQ")}
    # The Iran–Iraq border found by the drawing agrees with the reference line (Natural Earth 10m, 1310.2 km).
    line = shape(pairs[("IRN", "IRQ")]["geometry"])
    length_km = Geod(ellps="WGS84").geometry_length(line) / 1000.0
    assert length_km == pytest.approx(reference_geo["features"][0]["properties"]["length_km_wgs84"], rel=0.01)


def test_provinces_in_view(iraq_base: dict[str, Any]) -> None:
    names = {(f["properties"]["name"], f["properties"]["country_iso3"]) for f in iraq_base["province"].features}
    assert ("Diyala", "IRQ") in names
    assert any(country == "IRN" for _, country in names)


def test_basemap_across_the_antimeridian_keeps_lon_in_range(world: Any) -> None:
    layers = basemap_layers((165.0, 55.0, -160.0, 72.0), world)
    countries = {f["properties"]["iso3"]: shape(f["geometry"]) for f in layers[0].features}
    assert {"RUS", "USA"} <= set(countries)
    for geom in countries.values():
        lons = shapely.get_coordinates(geom)[:, 0]
        assert np.all(np.abs(lons) <= 180.0)
    russia_lons = shapely.get_coordinates(countries["RUS"])[:, 0]
    assert russia_lons.max() > 175.0 and russia_lons.min() < -175.0  # Chukotka on both sides of 180°
    # clipped to the view plus its 5 % margin (163.25°E to 158.25°W): nothing of European Russia comes along
    assert np.all((russia_lons >= 163.25 - 1e-9) | (russia_lons <= -158.25 + 1e-9))
