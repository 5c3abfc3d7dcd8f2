"""ED-318 in: the sample reads as the file says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Geod

from commonsky.airspace.formats.ed318 import read_ed318
from commonsky.airspace.zone import ZoneKind
from commonsky.units import Altitude, AltitudeRef

DATA = Path(__file__).parents[1] / "data"


GEOD = Geod(ellps="WGS84")


FT = 0.3048


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def test_ed318_sample_reads_as_the_file_says() -> None:
    result = read_ed318(_load("ed318_sample.json"), "ed318_sample.json")
    belp, circle, block = result.zones
    assert belp.name == "LSZB Bern-Belp 2"
    assert (belp.floor, belp.ceiling) == (Altitude(60.0, AltitudeRef.AGL), Altitude(99_999.0, AltitudeRef.AGL))
    assert circle.name == "Bern night works (1/2)" and block.name == "Bern night works (2/2)"
    coords = np.array(circle.geometry.exterior.coords)
    _, _, dist = GEOD.inv(np.full(len(coords), 7.4470), np.full(len(coords), 46.9480), coords[:, 0], coords[:, 1])
    assert np.abs(np.asarray(dist) - 500.0).max() < 1e-6
    assert block.floor == Altitude(150 * FT, AltitudeRef.AGL) and block.ceiling == Altitude(2000 * FT, AltitudeRef.AMSL)
    assert circle.extra["daily"] == [{"start": "20:00", "end": "05:00"}]
    assert circle.kind is ZoneKind.RESTRICTED and circle.binding  # CONDITIONAL
    assert any("WGS84" in note for note in result.notes)
    assert belp.extra["ed318"]["collection"]["metadata"]["otherGeoid"] == "CHGeo2004"
