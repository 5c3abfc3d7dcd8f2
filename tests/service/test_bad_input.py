"""Hostile input gets 422 (or 413) with one line and stores nothing: huge numbers, booleans as numbers, names that
reorder what others read, ids echoed at any length, bodies too costly to judge. And the circle centre's forms."""

from __future__ import annotations

import math
from typing import Any

import pytest
from sqlalchemy import func, select

from commonsky.service.examples import circle, zone_feature
from commonsky.service.models import IntentRow, ZoneRow


@pytest.fixture
def world(make_client: Any, sqlite_url: str) -> Any:
    client, party = make_client(sqlite_url)
    return client, party("usaf", "operator"), party("caa", "authority")


def _stored(client: Any, table: Any) -> int:
    with client.app.state.services.db.read() as session:
        found: int = session.scalar(select(func.count()).select_from(table))
        return found


def _one_line_422(response: Any, *words: str) -> str:
    assert response.status_code == 422, response.text[:300]
    detail: str = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and len(detail) <= 500, detail
    assert all(word in detail for word in words), detail
    return detail


@pytest.mark.parametrize(
    "floor,words",
    [
        ("9" * 400, ("volumes[0].floor", "at most 40 characters")),
        ("9" * 39, ("volumes[0].floor", "out of range")),
        ("1e308 ft", ("volumes[0].floor",)),
        ({"value": True, "unit": "ft", "ref": "AMSL"}, ("volumes[0].floor.value",)),
    ],
)
def test_altitudes_are_finite_and_in_range(world: Any, floor: Any, words: tuple[str, ...]) -> None:
    client, usaf, _ = world
    body = {"volumes": [{**circle(33.0, 45.0), "floor": floor}]}
    _one_line_422(client.post("/intents", json=body, headers=usaf.headers), *words)
    assert _stored(client, IntentRow) == 0


def test_booleans_are_not_numbers(world: Any) -> None:
    client, usaf, _ = world
    response = client.post("/intents", json={"volumes": [circle(33.0, 45.0)], "priority": True}, headers=usaf.headers)
    _one_line_422(response, "priority", "valid integer")
    radius = circle(33.0, 45.0)
    radius["shape"]["radius_m"] = True
    _one_line_422(client.post("/intents", json={"volumes": [radius]}, headers=usaf.headers), "radius_m")
    assert _stored(client, IntentRow) == 0


@pytest.mark.parametrize(
    "name,words",
    [
        ("\u202eenoz efas", ("properties.'name'", "U+202E")),
        ("safe\u2066zone", ("U+2066",)),
        ("two\nlines", ("U+000A",)),
        ("x" * 201, ("longer than 200",)),
    ],
)
def test_zone_names_are_bounded_plain_text(world: Any, name: str, words: tuple[str, ...]) -> None:
    client, _, caa = world
    response = client.post("/zones", json={"feature": zone_feature(name, 44.0, 33.0, 45.0, 34.0)}, headers=caa.headers)
    _one_line_422(response, *words)
    assert _stored(client, ZoneRow) == 0
    fine = client.post("/zones", json={"feature": zone_feature("x" * 200, 44.0, 33.0, 45.0, 34.0)}, headers=caa.headers)
    assert fine.status_code == 201


def test_a_404_echoes_at_most_100_characters_of_an_id(world: Any) -> None:
    client, usaf, _ = world
    long_id = "a" * 65_000
    for path in (f"/intents/{long_id}", f"/zones/{long_id}"):
        response = client.get(path, headers=usaf.headers)
        assert response.status_code == 404
        detail = response.json()["detail"]
        assert "a" * 101 not in detail and "a" * 90 in detail, detail


def test_a_body_too_costly_to_judge_is_413_before_it_is_judged(world: Any) -> None:
    client, usaf, _ = world
    # the abusive body of the issue: a 10,000-point corridor, 500 km either side (about 2.6 s of CPU to judge)
    points = [[30.0 + 0.3 * math.sin(k / 50.0), 40.0 + 15.0 * k / 10_000] for k in range(10_000)]
    volume = {**circle(30.0, 40.0), "shape": {"type": "corridor", "points": points, "half_width_m": 500_000.0}}
    for path in ("/intents/check", "/intents"):
        response = client.post(path, json={"volumes": [volume]}, headers=usaf.headers)
        assert response.status_code == 413, response.text[:300]
        assert response.json()["detail"].startswith("estimated judging cost ")
    assert _stored(client, IntentRow) == 0
    narrow = {**volume, "shape": {"type": "corridor", "points": points[:500], "half_width_m": 5_000.0}}
    assert client.post("/intents/check", json={"volumes": [narrow]}, headers=usaf.headers).status_code == 200


def test_circle_centre_is_a_geojson_point_and_the_old_pair_still_reads(world: Any) -> None:
    client, usaf, _ = world
    new = circle(33.0, 45.0)
    assert new["shape"]["centre"] == {"type": "Point", "coordinates": [45.0, 33.0]}
    old = {**new, "shape": {**new["shape"], "centre": [20.0, 45.0]}}  # deprecated [lat, lon]
    filed = [client.post("/intents", json={"volumes": [v]}, headers=usaf.headers) for v in (new, old)]
    assert [f.status_code for f in filed] == [201, 201]
    shown = [f.json()["intent"]["volumes"][0]["shape"]["centre"] for f in filed]
    assert shown == [{"type": "Point", "coordinates": [45.0, 33.0]}, {"type": "Point", "coordinates": [45.0, 20.0]}]
    # the same circle in both forms is the same circle: the second filing meets the first
    again = {**new, "shape": {**new["shape"], "centre": [33.0, 45.0]}}
    check = client.post("/intents/check", json={"volumes": [again]}, headers=usaf.headers).json()
    assert check["accepted"] is False and check["conflicts"]
    swapped = {**new, "shape": {**new["shape"], "centre": {"type": "Point", "coordinates": [33.0, 95.0]}}}
    _one_line_422(client.post("/intents", json={"volumes": [swapped]}, headers=usaf.headers), "centre.coordinates[1]")
