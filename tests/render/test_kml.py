"""KML 2.2 for Google Earth: structure, lon,lat order, styles, MultiGeometry, antimeridian, extrusion."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely

from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.render.kml import render_kml
from commonsky.render.layers import Layer, place_feature
from commonsky.render.style import kml_colour, role_style
from commonsky.units import FT_M, parse_altitude

NS = {"k": "http://www.opengis.net/kml/2.2"}
JALAWLA = (45.16806, 34.27194)


def _render(tmp_path: Path, layers: list[Layer], **options: bool) -> ET.Element:
    out = tmp_path / "map.kml"
    render_kml(layers, out, title="Test map", **options)
    assert out.read_bytes().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return ET.parse(out).getroot()


def _coords(text: str | None) -> np.ndarray:
    assert text is not None
    return np.array([[float(v) for v in item.split(",")] for item in text.split()])


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]) / 2.0)


def test_kml_structure_order_and_styles(tmp_path: Path, map_layers: list[Layer]) -> None:
    root = _render(tmp_path, map_layers)
    assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    doc = root.find("k:Document", NS)
    assert doc is not None and doc.findtext("k:name", namespaces=NS) == "Test map"
    folders = doc.findall("k:Folder", NS)
    assert [f.findtext("k:name", namespaces=NS) for f in folders] == [layer.name for layer in map_layers]
    marks = root.findall(".//k:Placemark", NS)
    assert len(marks) == sum(len(layer.features) for layer in map_layers) == 4
    by_name = {m.findtext("k:name", namespaces=NS): m for m in marks}
    point = _coords(by_name["Jalawla"].findtext("k:Point/k:coordinates", namespaces=NS))
    assert point[0] == pytest.approx(JALAWLA)  # lon, lat
    # every styleUrl points at a Style of the document, with KML aabbggrr colours from the shared palette
    styles = {s.get("id"): s for s in doc.findall("k:Style", NS)}
    for mark in marks:
        assert mark.findtext("k:styleUrl", namespaces=NS).lstrip("#") in styles
    buffer = styles["zone-buffer"]
    zone = role_style("zone", "buffer")
    assert zone.fill is not None
    assert buffer.findtext("k:PolyStyle/k:color", namespaces=NS) == kml_colour(zone.fill, zone.fill_opacity)
    assert buffer.findtext("k:LineStyle/k:color", namespaces=NS) == kml_colour(zone.colour, 1.0)
    assert styles["place-inside"].findtext("k:IconStyle/k:color", namespaces=NS) != (
        styles["place-outside"].findtext("k:IconStyle/k:color", namespaces=NS)
    )
    # the zone: a clamped 2D polygon, exterior counter-clockwise, with its altitude band in the description
    zone_mark = by_name["Iraq within 20 mi of Iran"]
    polygon = zone_mark.find("k:Polygon", NS)
    assert polygon is not None and polygon.findtext("k:altitudeMode", namespaces=NS) == "clampToGround"
    ring = _coords(polygon.findtext("k:outerBoundaryIs/k:LinearRing/k:coordinates", namespaces=NS))
    assert _signed_area(ring) > 0
    assert ring[:, 0].min() > 43.0 and ring[:, 0].max() < 49.0  # lon first: Iraq's east, not lat 29-37
    assert "FL100" in (zone_mark.findtext("k:description", namespaces=NS) or "")


def test_multipolygon_with_hole_becomes_multigeometry(tmp_path: Path) -> None:
    ring_with_hole = shapely.Polygon(
        [(40, 30), (42, 30), (42, 32), (40, 32)], [[(40.5, 30.5), (40.5, 31.5), (41.5, 31.5), (41.5, 30.5)]]
    )
    zone = Zone("Two parts", ZoneKind.PROHIBITED, shapely.MultiPolygon([ring_with_hole, shapely.box(43, 30, 44, 31)]))
    root = _render(tmp_path, [Layer(zone.name, "zone", (zone.to_feature(),))])
    multi = root.find(".//k:Placemark/k:MultiGeometry", NS)
    assert multi is not None
    polygons = multi.findall("k:Polygon", NS)
    assert len(polygons) == 2
    inner = polygons[0].findall("k:innerBoundaryIs/k:LinearRing/k:coordinates", NS)
    assert len(inner) == 1 and _signed_area(_coords(inner[0].text)) < 0  # holes clockwise
    assert polygons[1].find("k:innerBoundaryIs", NS) is None


def test_antimeridian_split_multipolygon_stays_two_valid_polygons(tmp_path: Path) -> None:
    split = shapely.MultiPolygon([shapely.box(178.0, -18.0, 180.0, -16.0), shapely.box(-180.0, -18.0, -179.0, -16.0)])
    beyond = shapely.box(179.0, 10.0, 181.0, 11.0)  # given past 180 by a program: must be cut there
    layer = Layer(
        "Across 180",
        "other",
        (
            {"type": "Feature", "properties": {"name": "split"}, "geometry": shapely.geometry.mapping(split)},
            {"type": "Feature", "properties": {"name": "beyond"}, "geometry": shapely.geometry.mapping(beyond)},
        ),
    )
    root = _render(tmp_path, [layer])
    for name in ("split", "beyond"):
        mark = next(m for m in root.findall(".//k:Placemark", NS) if m.findtext("k:name", namespaces=NS) == name)
        rings = [_coords(c.text) for c in mark.findall(".//k:outerBoundaryIs/k:LinearRing/k:coordinates", NS)]
        assert len(rings) == 2
        for ring in rings:
            assert np.all(np.abs(ring[:, 0]) <= 180.0)
            assert ring[:, 0].min() >= 170.0 or ring[:, 0].max() <= -170.0  # no ring runs the long way round
        areas = sorted(shapely.Polygon(r).area for r in rings)
        assert sum(areas) == pytest.approx(6.0 if name == "split" else 2.0)


def test_surface_zone_extrudes_to_its_ceiling_only_when_asked(tmp_path: Path) -> None:
    column = Zone("Column", ZoneKind.RESTRICTED, shapely.box(44, 33, 44.2, 33.2), ceiling=parse_altitude("FL100"))
    raised = Zone(
        "Raised",
        ZoneKind.RESTRICTED,
        shapely.box(45, 33, 45.2, 33.2),
        floor=parse_altitude("5000ft"),
        ceiling=parse_altitude("FL200"),
    )
    layers = [Layer(z.name, "zone", (z.to_feature(),)) for z in (column, raised)]
    flat = _render(tmp_path, layers)
    assert flat.find(".//k:extrude", NS) is None
    root = _render(tmp_path, layers, extrude_zones=True)
    polygons = root.findall(".//k:Polygon", NS)
    assert polygons[0].findtext("k:extrude", namespaces=NS) == "1"
    assert polygons[0].findtext("k:altitudeMode", namespaces=NS) == "absolute"
    ring = _coords(polygons[0].findtext(".//k:coordinates", namespaces=NS))
    assert ring[:, 2] == pytest.approx(10_000 * FT_M, abs=0.1)
    assert polygons[1].findtext("k:altitudeMode", namespaces=NS) == "clampToGround"  # a floating band stays flat


def test_places_have_names_and_property_tables(tmp_path: Path) -> None:
    layer = Layer("Towns", "place", (place_feature("Jalawla", *JALAWLA, inside=True, distance_km=27.6),))
    root = _render(tmp_path, [layer])
    mark = root.find(".//k:Placemark", NS)
    assert mark is not None
    description = mark.findtext("k:description", namespaces=NS) or ""
    assert "<table>" in description and "27.6 km / 17.1 mi" in description
    data = {d.get("name"): d.findtext("k:value", namespaces=NS) for d in mark.findall("k:ExtendedData/k:Data", NS)}
    assert data == {"name": "Jalawla", "inside": "true", "distance_km": "27.6"}
