"""ED-269 in: the samples read as the files say (limits, times, authorities, offsets and holes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Geod

from commonsky.airspace.formats.ed269 import read_ed269
from commonsky.airspace.zone import ZoneKind
from commonsky.units import Altitude, AltitudeRef

DATA = Path(__file__).parents[1] / "data"


GEOD = Geod(ellps="WGS84")


FT = 0.3048


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def test_ed269_sample_reads_as_the_file_says() -> None:
    result = read_ed269(_load("ed269_sample.json"), "ed269_sample.json")
    zones = {z.name: z for z in result.zones}
    assert list(zones) == ["LSGG Geneva approach (1/2)", "LSGG Geneva approach (2/2)", "Stadium Geneva (events)"]
    low, high, stadium = zones.values()
    assert (low.floor, low.ceiling) == (Altitude(0.0, AltitudeRef.AGL), Altitude(120.0, AltitudeRef.AGL))
    assert (high.floor, high.ceiling) == (Altitude(120.0, AltitudeRef.AGL), Altitude(1500.0, AltitudeRef.AMSL))
    assert low.kind is ZoneKind.RESTRICTED and low.binding
    assert low.extra["ed269"]["zone"]["extendedProperties"]["addInfo"].startswith("Exemption")
    assert stadium.kind is ZoneKind.PROHIBITED
    assert stadium.ceiling == Altitude(1000 * FT, AltitudeRef.AGL)
    assert stadium.valid_from == datetime(2026, 6, 1, tzinfo=UTC)
    assert stadium.valid_to == datetime(2026, 9, 30, 23, 59, tzinfo=UTC)
    assert stadium.extra["daily"] == [{"start": "16:00", "end": "22:30"}]
    coords = np.array(stadium.geometry.exterior.coords)
    _, _, dist = GEOD.inv(np.full(len(coords), 6.1184), np.full(len(coords), 46.1775), coords[:, 0], coords[:, 1])
    assert np.abs(np.asarray(dist) - 3000 * FT).max() < 1e-6  # a geodesic circle of 3000 ft, not degrees
    assert any("SAT/SUN" in note for note in result.notes)


def test_ed269_authority_list_with_offsets_and_holes() -> None:
    zones = read_ed269(_load("ed269_uaszonelist.json"), "list.json").zones
    city, reserve = zones
    assert city.ceiling.is_unlimited and city.floor == Altitude(0.0, AltitudeRef.AGL)  # "0" and null limits
    assert reserve.kind is ZoneKind.RESTRICTED  # CONDITIONAL
    assert reserve.geometry.geom_type == "MultiPolygon"  # two volumes with the same limits: one zone
    assert len(reserve.geometry.geoms[0].interiors) == 1
    assert reserve.valid_from == datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert reserve.extra["daily"] == [{"start": "02:30", "end": "20:00"}]  # 04:30-22:00 at +02:00
