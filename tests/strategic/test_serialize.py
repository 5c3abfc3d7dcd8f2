"""Check results as JSON: two overlapping orbits, their conflict's area against the circle-lens formula, its time
and altitude overlap against the intents' own numbers, everything JSON-ready."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import shapely
from pyproj import Geod

from commonsky.airspace.volume import AltitudeBand, CircleShape, TimeWindow, Volume
from commonsky.plans.intent import Intent
from commonsky.strategic.engine import check
from commonsky.strategic.result import Verdict
from commonsky.strategic.serialize import altitude_text, result_to_json, where_text
from commonsky.units import FT_M, parse_altitude

T0 = 1_417_478_400.0  # 2014-12-02T00:00Z
R_M, D_M = 15_000.0, 10_000.0


def _orbit(
    intent_id: str, centre: tuple[float, float], floor: str, ceiling: str, start_h: float, end_h: float
) -> Intent:
    band = AltitudeBand(parse_altitude(floor), parse_altitude(ceiling))
    volume = Volume(CircleShape(centre, R_M), band, TimeWindow(T0 + start_h * 3600, T0 + end_h * 3600))
    return Intent(intent_id, intent_id, (volume,), priority=10)


def test_a_conflict_as_json() -> None:
    lon, lat, _ = Geod(ellps="WGS84").fwd(44.9, 34.0, 90.0, D_M)
    first = _orbit("a", (34.0, 44.9), "FL180", "FL220", 7.0, 9.0)
    second = _orbit("b", (lat, lon), "FL200", "FL260", 8.0, 10.0)
    result = check(second, [first])
    assert result.verdict is Verdict.REJECTED
    out = json.loads(json.dumps(result_to_json(result)))
    assert (out["intent"], out["party"], out["verdict"], out["filed"]) == ("b", "b", "rejected", None)
    [conflict] = out["conflicts"]
    assert (conflict["kind"], conflict["other"], conflict["effect"]) == ("intent", "a", "blocks")
    lens_km2 = (2 * R_M**2 * math.acos(D_M / (2 * R_M)) - D_M / 2 * math.sqrt(4 * R_M**2 - D_M**2)) / 1e6
    assert abs(conflict["where"]["area_km2"] - lens_km2) < 0.01 * lens_km2
    lat_p, lon_p = conflict["where"]["point"]
    assert (
        shapely.from_geojson(json.dumps(conflict["where"]["geometry"]))
        .buffer(1e-5)
        .contains(shapely.Point(lon_p, lat_p))
    )
    when = [datetime.fromisoformat(conflict["when"][k].replace("Z", "+00:00")) for k in ("start", "end")]
    assert when == [datetime.fromtimestamp(T0 + h * 3600, UTC) for h in (8.0, 9.0)]
    assert (conflict["altitude"]["lo_ft"], conflict["altitude"]["hi_ft"]) == (20_000, 22_000)
    assert out["start"].startswith("2014-12-02T08:00") and out["end"].startswith("2014-12-02T10:00")


def test_texts() -> None:
    assert altitude_text(20_000 * FT_M, 22_000 * FT_M) == "20,000-22,000 ft"
    lon, lat, _ = Geod(ellps="WGS84").fwd(44.9, 34.0, 90.0, D_M)
    result = check(
        _orbit("b", (lat, lon), "FL200", "FL260", 8, 10), [_orbit("a", (34.0, 44.9), "FL180", "FL220", 7, 9)]
    )
    text = where_text(result.conflicts[0])
    assert text.startswith("34.") and "N 44." in text and "E, " in text and text.endswith(" km²")
