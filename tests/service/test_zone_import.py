"""POST /zones/ed318: the authority publishes an ED-318 collection; each volume becomes a zone the broker decides
with; others may not; a bad collection is refused whole (4xx) and nothing stored changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from commonsky.airspace.formats.ed318 import read_ed318

DATA = Path(__file__).parents[1] / "airspace" / "data"


def _collection() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / "ed318_sample.json").read_text())
    return doc


@pytest.fixture
def broker(make_client: Any, database_url: str) -> dict[str, Any]:
    client, party = make_client(database_url)
    return {"client": client, "authority": party("easa", "authority"), "operator": party("dronco", "operator")}


def test_authority_publishes_a_collection(broker: dict[str, Any]) -> None:
    client, authority = broker["client"], broker["authority"]
    answer = client.post("/zones/ed318", json=_collection(), headers=authority.headers)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    expected = [z.to_feature() for z in read_ed318(_collection(), "ED-318 collection").zones]
    assert [z["feature"]["properties"]["name"] for z in body["zones"]] == [f["properties"]["name"] for f in expected]
    assert any("WGS84" in note for note in body["notes"])
    listed = client.get("/zones", headers=authority.headers).json()
    assert sorted(z["id"] for z in listed) == sorted(z["id"] for z in body["zones"])
    stored = {z["feature"]["properties"]["name"]: z["feature"] for z in listed}
    for feature in expected:
        assert stored[feature["properties"]["name"]]["geometry"] == json.loads(json.dumps(feature["geometry"]))


def _zones_hit(client: Any, operator: Any, floor: str, ceiling: str, start: str, end: str) -> set[str]:
    """Names of the zones a check of a 50 m circle inside both Bern zones meets, between the given limits/times."""
    shape = {"type": "circle", "centre": [46.9452, 7.4500], "radius_m": 50.0}
    volume = {"shape": shape, "floor": floor, "ceiling": ceiling, "start": start, "end": end}
    answer = client.post("/intents/check", json={"volumes": [volume]}, headers=operator.headers)
    assert answer.status_code == 200, answer.text
    return {c["zone_name"] for c in answer.json()["conflicts"] if c["with"] == "zone"}


def test_published_zones_bind_intents_with_their_limits_and_times(broker: dict[str, Any]) -> None:
    client, operator = broker["client"], broker["operator"]
    assert client.post("/zones/ed318", json=_collection(), headers=broker["authority"].headers).status_code == 201
    belp, works = "LSZB Bern-Belp 2", "Bern night works (2/2)"
    # above Belp's 60 m AGL floor, on a May night: both the airport zone and the night works (150 ft AGL-2000 ft)
    night = ("2026-05-10T22:00:00Z", "2026-05-10T23:00:00Z")
    assert _zones_hit(client, operator, "100 m AGL", "150 m AGL", *night) >= {belp, works}
    # below Belp's floor and below the works' 150 ft floor: neither
    assert not _zones_hit(client, operator, "SFC", "40 m AGL", *night) & {belp, works}
    # same height by day: Belp (always) but not the works (20:00-05:00 only)
    day = ("2026-05-10T10:00:00Z", "2026-05-10T11:00:00Z")
    hit = _zones_hit(client, operator, "100 m AGL", "150 m AGL", *day)
    assert belp in hit and works not in hit


def test_only_the_authority_may_publish(broker: dict[str, Any]) -> None:
    client = broker["client"]
    assert client.post("/zones/ed318", json=_collection(), headers=broker["operator"].headers).status_code == 403
    assert client.post("/zones/ed318", json=_collection()).status_code == 401
    assert client.get("/zones", headers=broker["authority"].headers).json() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["features"][1]["properties"].update(type="MAYBE"), "not valid ED-318"),
        (
            lambda d: d["features"][1].update(geometry={"type": "LineString", "coordinates": [[7, 46], [8, 47]]}),
            "LineString zones are not supported",
        ),
        (lambda d: d.update(type="Feature"), "expected a GeoJSON FeatureCollection"),
    ],
)
def test_a_bad_collection_is_refused_whole(broker: dict[str, Any], change: Any, message: str) -> None:
    client, authority = broker["client"], broker["authority"]
    assert client.post("/zones/ed318", json=_collection(), headers=authority.headers).status_code == 201
    before = client.get("/zones", headers=authority.headers).json()
    doc = _collection()
    change(doc)
    answer = client.post("/zones/ed318", json=doc, headers=authority.headers)
    assert 400 <= answer.status_code < 500
    assert message in answer.json()["detail"] and "\n" not in answer.json()["detail"]
    assert client.get("/zones", headers=authority.headers).json() == before
