"""KML 2.2 for Google Earth, written with xml.etree: one Folder per layer, one Placemark per feature.

Styles come from the shared palette (`commonsky.render.style`), one per role and kind, in KML's ``aabbggrr``
colours. Geometry is 2D, clamped to the ground and tessellated; zones may be extruded to their ceiling
(``extrude_zones``) when their floor is the surface. Lines keep their vertices (Google Earth joins them along
great circles, as commonsky's legs are geodesic); polygon edges are cut to 0.1° so they keep the lon/lat-straight
shape every commonsky containment test uses. Every coordinate is written as ``lon,lat`` within [-180, 180]: a part
given beyond the antimeridian is split there, and the parts of a MultiPolygon split at the antimeridian stay
separate Polygons of one MultiGeometry.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from commonsky.errors import UnitError
from commonsky.render.describe import feature_rows, feature_title
from commonsky.render.layers import Layer
from commonsky.render.style import ATTRIBUTION, Style, feature_kind, kml_colour
from commonsky.units import AltitudeRef, parse_altitude

KML_NS = "http://www.opengis.net/kml/2.2"
_ICON = "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"  # Google Earth's built-in dot
_EDGE_DEG = 0.1


def render_kml(layers: Sequence[Layer], out: Path | str, *, title: str, extrude_zones: bool = False) -> None:
    """Write ``layers`` to the KML file ``out`` (UTF-8, KML 2.2 namespace).

    With ``extrude_zones``, a zone whose floor is the surface (SFC/GND) and whose ceiling is finite is drawn as a
    column up to its ceiling (AGL ceilings relative to ground; AMSL and flight-level ceilings absolute, a flight
    level taken as its pressure altitude). Other zones stay flat, with their band in the description.
    """
    root = ET.Element("kml", {"xmlns": KML_NS})
    doc = ET.SubElement(root, "Document")
    _text(doc, "name", title)
    _text(doc, "description", f"Drawn by commonsky. Base data: {ATTRIBUTION}.")
    styles: dict[str, Style] = {}
    folders = []
    for layer in layers:
        folder = ET.Element("Folder")
        _text(folder, "name", layer.name)
        for feature in layer.features:
            if feature.get("geometry") is None:
                continue
            props = feature.get("properties") or {}
            style = layer.style_of(feature)
            style_id = _style_id(layer, props)
            styles[style_id] = style
            mark = ET.SubElement(folder, "Placemark")
            _text(mark, "name", feature_title(props, layer.name))
            _text(mark, "description", _description(layer, props))
            _text(mark, "styleUrl", f"#{style_id}")
            mark.append(_extended_data(props))
            height = _extrusion_m(props) if extrude_zones and layer.role == "zone" else None
            mark.append(_geometry(shape(feature["geometry"]), height))
        folders.append(folder)
    for style_id, style in styles.items():
        doc.append(_style(style_id, style))
    doc.extend(folders)
    ET.indent(root, space=" ")
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(target, encoding="UTF-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = value
    return element


def _style_id(layer: Layer, props: dict[str, Any]) -> str:
    kind = feature_kind(layer.role, props)
    parts = ("base" if layer.base else "", "muted" if layer.muted else "", layer.role, kind or "")
    return "-".join(p for p in parts if p)


def _style(style_id: str, style: Style) -> ET.Element:
    element = ET.Element("Style", {"id": style_id})
    icon = ET.SubElement(element, "IconStyle")
    _text(icon, "color", kml_colour(style.fill or style.colour, 1.0))
    _text(icon, "scale", f"{style.marker_pt / 9.0:.2f}")
    ET.SubElement(ET.SubElement(icon, "Icon"), "href").text = _ICON
    label = ET.SubElement(element, "LabelStyle")
    _text(label, "scale", "0.9" if style_id.startswith("place") else "0.0")
    line = ET.SubElement(element, "LineStyle")
    _text(line, "color", kml_colour(style.colour, style.opacity))
    _text(line, "width", f"{style.width_pt * 1.5:.1f}")
    poly = ET.SubElement(element, "PolyStyle")
    _text(poly, "color", kml_colour(style.fill or style.colour, style.fill_opacity if style.fill else 0.0))
    _text(poly, "fill", "1" if style.fill else "0")
    _text(poly, "outline", "1")
    return element


def _description(layer: Layer, props: dict[str, Any]) -> str:
    """A small HTML table of the properties (Google Earth renders the escaped HTML in the balloon)."""
    rows = "".join(f"<tr><td><b>{_esc(k)}</b></td><td>{_esc(v)}</td></tr>" for k, v in feature_rows(props))
    return f"<p>{_esc(layer.name)}</p><table>{rows}</table>"


def _extended_data(props: dict[str, Any]) -> ET.Element:
    """The raw properties as KML ExtendedData (what GIS tools import as attributes); objects and lists as JSON."""
    data = ET.Element("ExtendedData")
    for key, value in props.items():
        item = ET.SubElement(data, "Data", {"name": str(key)})
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        _text(item, "value", text)
    return data


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _extrusion_m(props: dict[str, Any]) -> tuple[float, str] | None:
    """(ceiling in metres, altitudeMode) for a surface-based zone with a finite ceiling, else None."""
    try:
        floor = parse_altitude(props.get("floor", "SFC"))
        ceiling = parse_altitude(props.get("ceiling", "UNL"))
    except (UnitError, TypeError):
        return None
    if floor.value_m != 0.0 or ceiling.is_unlimited or ceiling.value_m <= 0:
        return None
    mode = "relativeToGround" if ceiling.ref is AltitudeRef.AGL else "absolute"
    return ceiling.value_m, mode


def _geometry(geom: BaseGeometry, height: tuple[float, str] | None) -> ET.Element:
    parts = _wrapped_parts(geom)
    if len(parts) == 1 and geom.geom_type in ("Point", "LineString", "Polygon"):
        return _simple(parts[0], height)
    multi = ET.Element("MultiGeometry")
    multi.extend(_simple(part, height) for part in parts)
    return multi


def _wrapped_parts(geom: BaseGeometry) -> list[BaseGeometry]:
    """The simple parts of ``geom`` with every coordinate in lon [-180, 180]; a part reaching beyond the
    antimeridian is cut there and its far piece moved by 360 degrees."""
    out: list[BaseGeometry] = []
    for part in shapely.get_parts(geom):
        if part.is_empty:
            continue
        if part.geom_type == "GeometryCollection":
            out.extend(_wrapped_parts(part))
            continue
        min_lon, _, max_lon, _ = part.bounds
        if min_lon >= -180.0 and max_lon <= 180.0:
            out.append(part)
            continue
        for shift in (-720.0, -360.0, 0.0, 360.0, 720.0):
            moved = shapely.transform(part, lambda xy, s=shift: xy + np.array([s, 0.0]))
            piece = shapely.clip_by_rect(moved, -180.0, -90.0, 180.0, 90.0)
            if not piece.is_empty:
                out.extend(p for p in shapely.get_parts(piece) if not p.is_empty)
    return out


def _coords(xy: np.ndarray, height: tuple[float, str] | None) -> str:
    if height is None:
        return " ".join(f"{_num(x)},{_num(y)}" for x, y in xy[:, :2])
    return " ".join(f"{_num(x)},{_num(y)},{height[0]:.1f}" for x, y in xy[:, :2])


def _num(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _simple(part: BaseGeometry, height: tuple[float, str] | None) -> ET.Element:
    kind = part.geom_type
    if kind == "Point":
        element = ET.Element("Point")
        _text(element, "coordinates", _coords(np.array([[part.x, part.y]]), None))
        return element
    tag = "LineString" if kind in ("LineString", "LinearRing") else "Polygon"
    element = ET.Element(tag)
    if height is not None and tag == "Polygon":
        _text(element, "extrude", "1")
        _text(element, "altitudeMode", height[1])
    else:
        _text(element, "tessellate", "1")
        _text(element, "altitudeMode", "clampToGround")
    if tag == "LineString":
        _text(element, "coordinates", _coords(np.asarray(part.coords), None))
        return element
    # exterior counter-clockwise, holes clockwise, as KML asks; edges cut to 0.1° so that Google Earth, which draws
    # each edge as a great circle, shows the straight lon/lat edges every commonsky containment test uses
    polygon = shapely.orient_polygons(shapely.segmentize(part, _EDGE_DEG))
    boundary = ET.SubElement(ET.SubElement(element, "outerBoundaryIs"), "LinearRing")
    _text(boundary, "coordinates", _coords(np.asarray(polygon.exterior.coords), height))
    for ring in polygon.interiors:
        inner = ET.SubElement(ET.SubElement(element, "innerBoundaryIs"), "LinearRing")
        _text(inner, "coordinates", _coords(np.asarray(ring.coords), height))
    return element
