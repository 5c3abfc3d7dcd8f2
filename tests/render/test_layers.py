"""Layers from files, bounding boxes (including across the antimeridian), the shared palette."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely

from commonsky.airspace.zone import Zone, ZoneKind, write_zones
from commonsky.errors import GeometryError, InputError
from commonsky.render.layers import Layer, auto_bbox, layers_from_file, legend_entries, normalise_bbox, place_feature
from commonsky.render.style import ZONE_KINDS, css_rgba, feature_style, kml_colour, role_style


def test_zone_file_gives_one_zone_layer_per_zone_styled_by_kind(tmp_path: Path, buffer_zone: Zone) -> None:
    corridor = Zone("Relief corridor", ZoneKind.CORRIDOR, shapely.box(44.0, 33.0, 44.2, 34.0))
    path = tmp_path / "zones.geojson"
    write_zones(path, [buffer_zone, corridor])
    layers = layers_from_file(path)
    assert [(layer.name, layer.role) for layer in layers] == [
        ("Iraq within 20 mi of Iran", "zone"),
        ("Relief corridor", "zone"),
    ]
    styles = [feature_style("zone", layer.features[0]["properties"]) for layer in layers]
    assert styles[0] == role_style("zone", "buffer") and styles[1] == role_style("zone", "corridor")
    assert styles[0].fill != styles[1].fill


def test_reference_file_roles(reference_dir: Path) -> None:
    """A boundary line becomes a border (named after it); polygons without a zone format are 'other'."""
    layers = layers_from_file(reference_dir / "geo" / "iran_iraq_border_ne10m_diyala.geojson")
    roles = {layer.role: layer for layer in layers}
    assert set(roles) == {"border", "other"}
    assert roles["border"].name == "Iran-Iraq international boundary"
    assert len(roles["other"].features) == 2


def test_named_points_become_places_and_roles_come_from_properties(tmp_path: Path) -> None:
    doc = {
        "type": "FeatureCollection",
        "name": "Diyala towns",
        "features": [
            place_feature("Jalawla", 45.16806, 34.27194, inside=True),
            place_feature("As-Sa'diyah", 45.120778, 34.190556, inside=False),
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [45.0, 34.0]}},
            {
                "type": "Feature",
                "properties": {"role": "track"},
                "geometry": {"type": "LineString", "coordinates": [[45.0, 34.0], [45.5, 34.2]]},
            },
            {
                "type": "Feature",
                "properties": {"format": "commonsky.intent/1", "name": "MSN-1"},
                "geometry": {"type": "LineString", "coordinates": [[44.0, 33.0], [44.5, 33.2]]},
            },
            {"type": "Feature", "properties": {"name": "no geometry"}, "geometry": None},
        ],
    }
    path = tmp_path / "mixed.geojson"
    path.write_text(json.dumps(doc))
    layers = {layer.role: layer for layer in layers_from_file(path)}
    assert set(layers) == {"place", "other", "track", "intent"}
    assert layers["place"].name == "Diyala towns: places"
    assert [f["properties"]["name"] for f in layers["place"].features] == ["Jalawla", "As-Sa'diyah"]
    assert layers["intent"].name == "MSN-1"


def test_bad_files_name_the_problem(tmp_path: Path) -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": bowtie}))
    with pytest.raises(GeometryError, match=r"bad.geojson: features\[0\].geometry: invalid geometry"):
        layers_from_file(path)
    empty = tmp_path / "empty.geojson"
    empty.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(InputError, match="no features"):
        layers_from_file(empty)
    with pytest.raises(InputError, match="unknown role"):
        Layer("x", "zones", ())


def _points(*lonlat: tuple[float, float]) -> list[Layer]:
    return [Layer("p", "place", tuple(place_feature(f"p{i}", lon, lat) for i, (lon, lat) in enumerate(lonlat)))]


def test_auto_bbox_pads_around_the_features(map_layers: list[Layer], buffer_zone: Zone) -> None:
    min_lon, min_lat, max_lon, max_lat = auto_bbox(map_layers, pad_frac=0.1)
    z_min_lon, z_min_lat, z_max_lon, z_max_lat = buffer_zone.geometry.bounds
    assert min_lon < z_min_lon and max_lon > z_max_lon and min_lat < z_min_lat and max_lat > z_max_lat
    assert (max_lat - min_lat) == pytest.approx((z_max_lat - z_min_lat) * 1.2, rel=0.02)


def test_auto_bbox_crosses_the_antimeridian_instead_of_spanning_the_globe() -> None:
    min_lon, _, max_lon, _ = auto_bbox(_points((179.0, -17.0), (-179.5, -16.0), (178.5, -18.0)), pad_frac=0.0)
    assert (min_lon, max_lon) == pytest.approx((178.5, 180.5))
    min_lon, _, max_lon, _ = auto_bbox(_points((-10.0, 50.0), (20.0, 52.0)), pad_frac=0.0)
    assert (min_lon, max_lon) == pytest.approx((-10.0, 20.0))


def test_auto_bbox_of_one_point_is_about_sixty_km() -> None:
    min_lon, min_lat, max_lon, max_lat = auto_bbox(_points((45.0, 34.0)), pad_frac=0.0)
    assert (max_lat - min_lat) * 111.0 == pytest.approx(60.0, rel=0.05)
    assert min_lon < 45.0 < max_lon


def test_normalise_bbox() -> None:
    assert normalise_bbox((170.0, -20.0, -170.0, 10.0)) == (170.0, -20.0, 190.0, 10.0)
    assert normalise_bbox((190.0, 0.0, 200.0, 1.0)) == (-170.0, 0.0, -160.0, 1.0)
    with pytest.raises(InputError, match="latitudes"):
        normalise_bbox((0.0, 10.0, 1.0, 5.0))
    with pytest.raises(InputError, match="four finite numbers"):
        normalise_bbox((0.0, float("nan"), 1.0, 5.0))


def test_palette_is_one_table_for_every_output() -> None:
    fills = {role_style("zone", kind).fill for kind in ZONE_KINDS}
    assert len(fills) == len(ZONE_KINDS)  # every kind tells itself apart
    assert kml_colour("#d9480f", 1.0) == "ff0f48d9"  # aabbggrr
    assert kml_colour("#102030", 0.5) == "80302010"
    assert css_rgba("#d9480f", 0.25) == "rgba(217,72,15,0.25)"
    assert role_style("satellite") == role_style("other")
    assert role_style("zone", "no such kind") == role_style("zone", "restricted")


def test_legend_lists_zone_kind_and_place_standing(map_layers: list[Layer]) -> None:
    labels = [(entry.label, entry.shape) for entry in legend_entries(map_layers)]
    assert labels == [
        ("Iraq within 20 mi of Iran (buffer)", "fill"),
        ("Iran–Iraq border", "line"),
        ("Place inside the zone", "point"),
        ("Place near, outside the zone", "point"),
    ]


def test_zone_places_layer_from_the_real_measurement(world: object, buffer_zone: Zone) -> None:
    """Places measured by commonsky.geo.zone_places come over with their standing and distances."""
    from commonsky.geo.zone_places import places_in_zone
    from commonsky.render.layers import zone_places_layer

    result = places_in_zone(world, buffer_zone, margin_m=8046.72)  # type: ignore[arg-type]
    layer = zone_places_layer(result)
    assert layer.role == "place" and len(layer.features) == len(result.inside) + len(result.near_outside) > 0
    first = layer.features[0]["properties"]
    assert first["inside"] is True and first["edge_km"] >= 0
    outside = [f["properties"] for f in layer.features if not f["properties"]["inside"]]
    assert all(p["edge_km"] < 0 for p in outside)


def test_property_rows_read_like_a_chart() -> None:
    from commonsky.render.describe import feature_rows

    rows = dict(
        feature_rows(
            {
                "format": "commonsky.zone/1",
                "name": "Z",
                "floor": {"value": 0, "unit": "ft", "ref": "AGL"},
                "ceiling": {"value": 320, "unit": "FL", "ref": "STD"},
                "valid_to": None,
                "applies_to": [],
                "distance_km": 33.6,
                "distance_mi": 20.88,
                "edge_km": -1.45,
                "edge_mi": -0.9,
                "binding": True,
                "provenance": {"source": "NE 10m", "method": "geodesic buffer"},
            }
        )
    )
    assert rows == {
        "floor": "SFC",
        "ceiling": "FL320",
        "valid to": "open",
        "applies to": "everyone",
        "distance": "33.6 km / 20.9 mi",
        "outside by": "1.4 km / 0.9 mi",
        "binding": "yes",
        "provenance": "source: NE 10m; method: geodesic buffer",
    }


def test_muted_context_layer_is_lighter_dashed_and_underneath(buffer_zone: Zone) -> None:
    feature = buffer_zone.to_feature()
    plain = Layer("Iraq", "zone", (feature,))
    context = Layer("Iraq", "zone", (feature,), muted=True)
    full, light = plain.style_of(feature), context.style_of(feature)
    assert light.colour == full.colour and light.fill == full.fill
    assert light.fill_opacity < full.fill_opacity and light.dash is not None and light.z < full.z
    assert legend_entries([context])[0].style == light
