"""Every role the later features hand over (intents, conflicts, tracks, coverage) draws in all three outputs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import mapping

from commonsky.render.html import render_html
from commonsky.render.kml import render_kml
from commonsky.render.layers import Layer
from commonsky.render.png import render_png


def _feature(geom: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


@pytest.fixture(scope="module")
def role_layers() -> list[Layer]:
    route = shapely.LineString([(44.0, 33.0), (44.6, 33.4), (45.2, 33.5)])
    return [
        Layer("Coverage of radar R1", "coverage", (_feature(shapely.Point(44.5, 33.3).buffer(0.5), name="R1"),)),
        Layer("Intent MSN-7", "intent", (_feature(route.buffer(0.05), name="MSN-7", gufi="a1"),)),
        Layer("Track 406B90", "track", (_feature(route, name="406B90"), _feature(shapely.Point(45.2, 33.5)))),
        Layer("Conflicts", "conflict", (_feature(shapely.Point(44.6, 33.4), name="MSN-7 / MSN-9", tcpa_s=84.0),)),
        Layer("Notes", "other", (_feature(shapely.MultiPoint([(44.1, 33.6), (44.2, 33.7)]), name="pair"),)),
    ]


def test_legend_swatches_follow_geometry(role_layers: list[Layer]) -> None:
    from commonsky.render.layers import legend_entries

    shapes = {entry.label: entry.shape for entry in legend_entries(role_layers)}
    assert shapes == {
        "Coverage of radar R1": "fill",
        "Intent MSN-7": "fill",
        "Track 406B90": "line",
        "Conflicts": "point",
        "Notes": "point",
    }


def test_png_draws_every_role(tmp_path: Path, role_layers: list[Layer]) -> None:
    out = tmp_path / "roles.png"
    render_png(role_layers, out, title="Roles", dpi=60)
    assert out.stat().st_size > 10_000


def test_html_draws_every_role(tmp_path: Path, role_layers: list[Layer]) -> None:
    out = tmp_path / "roles.html"
    render_html(role_layers, out, title="Roles")
    text = out.read_text(encoding="utf-8")
    for layer in role_layers:
        assert f'data-layer="{layer.name}"' in text
    assert text.count('class="pt"') == 4  # the track's last fix, the conflict, the two notes


def test_kml_draws_every_role(tmp_path: Path, role_layers: list[Layer]) -> None:
    out = tmp_path / "roles.kml"
    render_kml(role_layers, out, title="Roles")
    root = ET.parse(out).getroot()
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    assert len(root.findall(".//k:Placemark", ns)) == 6
    assert {s.get("id") for s in root.findall(".//k:Style", ns)} == {"coverage", "intent", "track", "conflict", "other"}
    multipoint = root.findall(".//k:Folder", ns)[-1].find(".//k:MultiGeometry", ns)
    assert multipoint is not None and len(multipoint.findall("k:Point", ns)) == 2
