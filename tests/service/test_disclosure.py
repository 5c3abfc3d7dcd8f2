"""The disclosure policy: every conflict a party is shown is its own volume within the grid cells the exact
overlap meets, at whole steps and bands; the authority owns the grid. Expected views are computed here with
shapely from the bodies filed, independently of the broker."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from commonsky.service.examples import box, polygon

FT_M = 0.3048


def _poly(ring: list[tuple[float, float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


def _volume(geometry: BaseGeometry, floor: str, ceiling: str, start: str, end: str) -> dict[str, Any]:
    return polygon(mapping(geometry), floor, ceiling, start, end)


def _cells_meeting(geometry: Any, cell: float) -> Any:
    x0, y0, x1, y1 = geometry.bounds
    boxes = [
        shapely.box(ix * cell, iy * cell, (ix + 1) * cell, (iy + 1) * cell)
        for ix in range(math.floor(x0 / cell), math.floor(x1 / cell) + 1)
        for iy in range(math.floor(y0 / cell), math.floor(y1 / cell) + 1)
    ]
    return shapely.union_all([b for b in boxes if shapely.intersection(b, geometry).area > 1e-12])


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC).timestamp()


@pytest.fixture
def world(make_client: Any, database_url: str) -> Any:
    client, party = make_client(database_url)
    return client, party("icao", "authority"), party("usaf", "operator"), party("iqaf", "operator")


CASES = [
    # hidden (lon/lat polygon), its times and band; the probe likewise
    (
        shapely.Polygon([(44.93, 33.71), (45.17, 33.74), (45.21, 33.93), (45.01, 33.88)]),
        ("2014-12-01T06:07:00Z", "2014-12-01T07:13:00Z", "FL103", "FL187"),
        shapely.box(44.80, 33.60, 45.40, 34.10),
        ("2014-12-01T06:00:00Z", "2014-12-01T08:00:00Z", "FL050", "FL150"),
    ),
    (
        shapely.Point(45.04, 33.77).buffer(0.07, quad_segs=8),
        ("2014-12-01T06:31:00Z", "2014-12-01T06:52:30Z", "FL095", "FL096"),
        shapely.Polygon([(44.99, 33.70), (45.12, 33.72), (45.05, 33.85)]),
        ("2014-12-01T06:33:20Z", "2014-12-01T09:00:00Z", "FL090", "FL100"),
    ),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_a_conflict_shows_the_own_volume_within_the_cells_at_whole_steps_and_bands(world: Any, case: int) -> None:
    client, _, usaf, iqaf = world
    hidden, (h0, h1, hf, hc), probe, (p0, p1, pf, pc) = CASES[case]
    filed = client.post(
        "/intents", json={"volumes": [_volume(hidden, hf, hc, h0, h1)], "key": []}, headers=usaf.headers
    )
    assert filed.status_code == 201 and filed.json()["accepted"]
    answer = client.post("/intents/check", json={"volumes": [_volume(probe, pf, pc, p0, p1)]}, headers=iqaf.headers)
    (view,) = answer.json()["conflicts"]
    expected = shapely.intersection(probe, _cells_meeting(shapely.intersection(probe, hidden), 0.1))
    where = shape(view["where"])
    assert shapely.symmetric_difference(where, expected).area < 1e-9
    assert where.area > shapely.intersection(probe, hidden).area  # coarser than the exact overlap
    # times: the overlap widened to 5-minute steps, within the probe's own window
    lo, hi = max(_seconds(h0), _seconds(p0)), min(_seconds(h1), _seconds(p1))
    start = max(math.floor(lo / 300) * 300, _seconds(p0))
    end = min(math.ceil(hi / 300) * 300, _seconds(p1))
    assert (_seconds(view["start"]), _seconds(view["end"])) == (start, end)
    # altitudes: the overlap widened to 1,000 ft bands, within the probe's own band
    band = 1000 * FT_M
    flo, fhi = max(float(hf[2:]), float(pf[2:])) * 100 * FT_M, min(float(hc[2:]), float(pc[2:])) * 100 * FT_M
    alt_lo = max(math.floor(flo / band) * band, float(pf[2:]) * 100 * FT_M)
    alt_hi = min(math.ceil(fhi / band) * band, float(pc[2:]) * 100 * FT_M)
    assert view["alt_lo_m"] == pytest.approx(alt_lo) and view["alt_hi_m"] == pytest.approx(alt_hi)
    assert view["reason"] == "another party's intent" and view["zone_id"] is None
    # nothing of the hidden intent but this: no vertex of it appears in any answer
    for x, y in list(shapely.get_coordinates(hidden))[:-1]:
        assert f"{x}, {y}" not in answer.text and f"{x},{y}" not in answer.text


def test_the_authority_sets_the_grid_and_answers_follow_it(world: Any) -> None:
    client, icao, usaf, iqaf = world
    assert client.get("/policy/disclosure", headers=iqaf.headers).json() == {
        "cell_deg": 0.1,
        "step_s": 300.0,
        "band_ft": 1000.0,
    }
    hidden = box(45.01, 33.71, 45.03, 33.73)
    assert client.post("/intents", json={"volumes": [hidden], "key": []}, headers=usaf.headers).json()["accepted"]
    probe = {"volumes": [box(44.5, 33.5, 45.5, 34.0)]}
    fine = shape(client.post("/intents/check", json=probe, headers=iqaf.headers).json()["conflicts"][0]["where"])
    assert fine.area == pytest.approx(0.01)  # one 0.1 degree cell
    wider = {"cell_deg": 0.5, "step_s": 900.0, "band_ft": 2000.0}
    assert client.put("/policy/disclosure", json=wider, headers=iqaf.headers).status_code == 403
    refused = client.put("/policy/disclosure", json={**wider, "cell_deg": 0.0}, headers=icao.headers)
    assert refused.status_code == 422 and "\n" not in refused.json()["detail"]
    assert client.put("/policy/disclosure", json=wider, headers=icao.headers).json() == wider
    coarse = shape(client.post("/intents/check", json=probe, headers=iqaf.headers).json()["conflicts"][0]["where"])
    assert coarse.area == pytest.approx(0.25)  # one 0.5 degree cell, within the probe
    entries = client.get("/audit", params={"limit": 1000}, headers=icao.headers).json()
    assert any(e["action"] == "set-policy" and e["change"]["cell_deg"] == 0.5 for e in entries)


def test_several_intents_of_a_party_are_one_view_and_ovns_carry_only_the_grid(world: Any) -> None:
    client, _, usaf, iqaf = world
    for lon in (45.01, 45.04, 45.07):  # three intents in one cell: the prober cannot count them
        body = {"volumes": [box(lon, 33.71, lon + 0.02, 33.73)], "key": []}
        assert client.post("/intents", json=body, headers=usaf.headers).json()["accepted"]
    probe = {"volumes": [box(44.9, 33.6, 45.2, 33.9)]}
    first = client.post("/intents/check", json=probe, headers=iqaf.headers).json()
    assert len(first["conflicts"]) == 1 and len(first["key"]) == 1
    assert "preempted" not in first and first["preempts"] is False  # equal priority: it is refused


def test_resolutions_say_no_more_than_the_grid(world: Any) -> None:
    client, _, usaf, iqaf = world
    hidden = _volume(
        shapely.box(45.0, 33.7, 45.1, 33.8), "FL097", "FL153", "2014-12-01T06:00:00Z", "2014-12-01T07:13:20Z"
    )
    assert client.post("/intents", json={"volumes": [hidden], "key": []}, headers=usaf.headers).json()["accepted"]
    mine = _volume(
        shapely.box(45.02, 33.72, 45.08, 33.78), "FL120", "FL130", "2014-12-01T07:00:00Z", "2014-12-01T07:30:00Z"
    )
    answer = client.post("/intents/check", json={"volumes": [mine]}, headers=iqaf.headers).json()
    assert not answer["accepted"]
    kinds = {r["kind"]: r for r in answer["resolutions"]}
    assert set(kinds) == {"time", "altitude"}
    # the exact answers would be a delay of 13 min 20 s and a climb (or descent) of 3,300 ft: the grid rounds them
    # up, so they tell the other's end and floor/ceiling no sharper than a step and a band
    assert kinds["time"]["dt_s"] == 900.0 and kinds["altitude"]["dz_m"] == pytest.approx(4_000 * FT_M)
    for kind in kinds.values():
        assert kind["dt_s"] % 300 == 0 and round(kind["dz_m"] / (1000 * FT_M), 9) % 1 == 0
