"""Zones as KML (OGC KML 2.2) for Google Earth and other viewers: one Placemark per zone, export only.

KML has one altitude per vertex, so each zone is drawn as its outline at the ceiling, extruded down to the ground
(``extrude``), with ``altitudeMode`` relativeToGround for an AGL ceiling and absolute for AMSL and flight levels
(a flight level drawn at its standard-atmosphere height); an unlimited ceiling is drawn on the ground. The floor,
ceiling, kind, validity and daily schedule are written as text and ``ExtendedData``. Circles and corridors are
drawn as their geodesic polygons.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from commonsky.airspace.formats._common import iso_text, polygons_of, zone_schedule
from commonsky.airspace.zone import Zone
from commonsky.units import AltitudeRef

NS = "http://www.opengis.net/kml/2.2"
_STYLE = {"prohibited": "ff0000cc", "restricted": "ff0080ff", "buffer": "ff00a5ff", "corridor": "ffcc6600"}


def write_kml(zones: Sequence[Zone]) -> str:
    """A KML document with one Placemark per zone."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}kml")
    document = ET.SubElement(root, f"{{{NS}}}Document")
    ET.SubElement(document, f"{{{NS}}}name").text = "commonsky zones"
    for kind, colour in (*_STYLE.items(), ("advisory", "ff00cc00")):
        style = ET.SubElement(document, f"{{{NS}}}Style", id=kind)
        ET.SubElement(ET.SubElement(style, f"{{{NS}}}LineStyle"), f"{{{NS}}}color").text = colour
        poly = ET.SubElement(style, f"{{{NS}}}PolyStyle")
        ET.SubElement(poly, f"{{{NS}}}color").text = "40" + colour[2:]
    for zone in zones:
        document.append(_placemark(zone))
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _placemark(zone: Zone) -> ET.Element:
    mark = ET.Element(f"{{{NS}}}Placemark")
    ET.SubElement(mark, f"{{{NS}}}name").text = zone.name
    start, end, daily = zone_schedule(zone)
    fields = {
        "kind": zone.kind.value,
        "binding": "yes" if zone.binding else "no",
        "floor": zone.floor.label(),
        "ceiling": zone.ceiling.label(),
        "valid_from": iso_text(start) or "",
        "valid_to": iso_text(end) or "",
        "daily": ", ".join(f"{w['start']}-{w['end']}" for w in daily or []),
        "applies_to": ", ".join(zone.applies_to),
    }
    ET.SubElement(mark, f"{{{NS}}}description").text = "; ".join(f"{k}: {v}" for k, v in fields.items() if v)
    ET.SubElement(mark, f"{{{NS}}}styleUrl").text = f"#{zone.kind.value}"
    data = ET.SubElement(mark, f"{{{NS}}}ExtendedData")
    for key, value in fields.items():
        item = ET.SubElement(data, f"{{{NS}}}Data", name=key)
        ET.SubElement(item, f"{{{NS}}}value").text = value
    polygons = polygons_of(zone)
    parent = ET.SubElement(mark, f"{{{NS}}}MultiGeometry") if len(polygons) > 1 else mark
    ceiling = zone.ceiling
    height = 0.0 if ceiling.is_unlimited else ceiling.value_m
    mode = "clampToGround" if ceiling.is_unlimited else "relativeToGround"
    if not ceiling.is_unlimited and ceiling.ref is not AltitudeRef.AGL:
        mode = "absolute"
    for polygon in polygons:
        element = ET.SubElement(parent, f"{{{NS}}}Polygon")
        ET.SubElement(element, f"{{{NS}}}extrude").text = "0" if ceiling.is_unlimited else "1"
        ET.SubElement(element, f"{{{NS}}}altitudeMode").text = mode
        for tag, ring in (("outerBoundaryIs", polygon.exterior), *(("innerBoundaryIs", r) for r in polygon.interiors)):
            linear = ET.SubElement(ET.SubElement(element, f"{{{NS}}}{tag}"), f"{{{NS}}}LinearRing")
            text = " ".join(f"{x!r},{y!r},{height:.2f}" for x, y in ring.coords)
            ET.SubElement(linear, f"{{{NS}}}coordinates").text = text
    return mark
