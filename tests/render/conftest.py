"""Fixtures for the map tests: a real zone (the reference Iraq–Iran 20-mile buffer), real places, the real world."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import shape

from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.render.layers import Layer, place_feature
from commonsky.units import parse_altitude

JALAWLA = (45.16806, 34.27194)  # lon, lat (Wikipedia, see shared/reference/README.md)
SADIYAH = (45.120778, 34.190556)


@pytest.fixture(scope="session")
def reference_geo(reference_dir: Path) -> dict[str, Any]:
    return json.loads((reference_dir / "geo" / "iran_iraq_border_ne10m_diyala.geojson").read_text())


@pytest.fixture(scope="session")
def buffer_zone(reference_geo: dict[str, Any]) -> Zone:
    """The part of Iraq within 20 statute miles of Iran (Natural Earth 10m), as a commonsky zone."""
    return Zone(
        name="Iraq within 20 mi of Iran",
        kind=ZoneKind.BUFFER,
        geometry=shape(reference_geo["features"][2]["geometry"]),
        ceiling=parse_altitude("FL100"),
        provenance={"source": "shared/reference geo golden file"},
    )


@pytest.fixture(scope="session")
def map_layers(buffer_zone: Zone, reference_geo: dict[str, Any]) -> list[Layer]:
    """A zone, the border it was built from, and two towns: one inside, one just outside."""
    places = (
        place_feature("Jalawla", *JALAWLA, inside=True, distance_km=27.6, edge_km=4.6),
        place_feature("As-Sa'diyah", *SADIYAH, inside=False, distance_km=33.6, edge_km=-1.4),
    )
    return [
        Layer(buffer_zone.name, "zone", (buffer_zone.to_feature(),)),
        Layer("Iran–Iraq border", "border", (reference_geo["features"][0],)),
        Layer("Towns", "place", places),
    ]


@pytest.fixture(scope="session")
def world() -> Any:
    """The bundled world (commonsky.geo.world); loading it is part of what the base-map tests check."""
    from commonsky.geo.world import load_world

    return load_world()
