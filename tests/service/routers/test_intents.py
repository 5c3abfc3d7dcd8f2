"""Intents through the API (`service.routers.intents`): a check stores nothing and gives the key a filing needs (a
filing without it is 409 naming what is missing); a refused filing comes with resolutions only when asked, each
free when filed; heavy requests (over the heavy cost) are decided the same; replacing and state changes need the
current version; too costly requests are 413 before anything is judged; operators list and read their own only."""

from __future__ import annotations

from typing import Any

import pytest

from commonsky.service.cost import request_cost
from commonsky.service.examples import box
from commonsky.service.schemas import VolumeIn

HEAVY = 10.0


@pytest.fixture
def api(make_client: Any, sqlite_url: str) -> tuple[Any, Any]:
    client, party = make_client(sqlite_url, heavy_request_cost=HEAVY)
    return client, party


def test_check_then_file_with_the_key(api: tuple[Any, Any]) -> None:
    client, party = api
    first, second = party("first", "operator"), party("second", "operator")
    here = box(45.0, 33.0, 45.5, 33.5)
    body = {"volumes": [here], "priority": 30}
    assert client.post("/intents", json=body | {"key": []}, headers=first.headers).status_code == 201
    overlapping = {"volumes": [box(45.2, 33.2, 45.7, 33.7)], "priority": 30}
    seen = client.post("/intents/check", json=overlapping, headers=second.headers).json()
    assert seen["accepted"] is False and seen["key"] and client.get("/intents", headers=second.headers).json() == []
    missing = client.post("/intents", json=overlapping | {"key": []}, headers=second.headers)
    assert missing.status_code == 409 and missing.json()["missing"]
    refused = client.post(
        "/intents", json=overlapping | {"key": seen["key"]}, params={"resolve": False}, headers=second.headers
    )
    assert refused.status_code == 201 and refused.json()["accepted"] is False and refused.json()["resolutions"] == []
    resolved = client.post("/intents", json=overlapping | {"key": seen["key"]}, headers=second.headers).json()
    assert resolved["resolutions"]
    for resolution in resolved["resolutions"]:
        moved = box(45.2, 33.2, 45.7, 33.7)
        if resolution["kind"] == "time":
            moved = box(
                45.2,
                33.2,
                45.7,
                33.7,
                start=_later(moved["start"], resolution["dt_s"]),
                end=_later(moved["end"], resolution["dt_s"]),
            )
        else:
            feet = round(resolution["dz_m"] / 0.3048 / 100)
            moved = box(45.2, 33.2, 45.7, 33.7, f"FL{100 + feet}", f"FL{200 + feet}")
        assert client.post("/intents/check", json={"volumes": [moved], "priority": 30}, headers=second.headers).json()[
            "accepted"
        ]


def _later(stamp: str, seconds: float) -> str:
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return moment.isoformat().replace("+00:00", "Z")


def test_heavy_requests_are_decided_the_same(api: tuple[Any, Any]) -> None:
    client, party = api
    ops = party("ops", "operator")
    wide = {
        "volumes": [box(44.0, 32.0, 46.0, 34.0, start="2014-12-01T00:00:00Z", end="2014-12-03T00:00:00Z")],
        "priority": 10,
    }
    assert client.post("/intents", json=wide | {"key": []}, headers=ops.headers).json()["accepted"] is True
    inside = {
        "volumes": [box(44.5, 32.5, 45.5, 33.5, start="2014-12-01T00:00:00Z", end="2014-12-02T12:00:00Z")],
        "priority": 10,
    }
    assert request_cost([VolumeIn.model_validate(v) for v in inside["volumes"]]) > HEAVY  # judged before the lock
    seen = client.post("/intents/check", json=inside, headers=ops.headers).json()
    decided = client.post(
        "/intents", json=inside | {"key": seen["key"]}, params={"resolve": False}, headers=ops.headers
    ).json()
    assert seen["accepted"] is False and decided["accepted"] is False


def test_versions_costs_and_ownership(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url, max_request_cost=100.0)
    ops, other, observer = party("ops", "operator"), party("other", "operator"), party("eye", "observer")
    made = client.post(
        "/intents", json={"volumes": [box(45.0, 33.0, 45.1, 33.1)], "priority": 10, "key": []}, headers=ops.headers
    ).json()
    intent = made["intent"]
    moved = {"volumes": [box(45.0, 33.0, 45.2, 33.1)], "priority": 10, "key": [], "version": intent["version"]}
    replaced = client.put(f"/intents/{intent['id']}", json=moved, headers=ops.headers)
    assert replaced.status_code == 200 and replaced.json()["intent"]["version"] != intent["version"]
    assert client.put(f"/intents/{intent['id']}", json=moved, headers=ops.headers).status_code == 409
    state = {"state": "activated", "version": intent["version"], "key": []}
    assert client.put(f"/intents/{intent['id']}/state", json=state, headers=ops.headers).status_code == 409
    state["version"] = replaced.json()["intent"]["version"]
    assert (
        client.put(f"/intents/{intent['id']}/state", json=state, headers=ops.headers).json()["intent"]["state"]
        == "activated"
    )
    assert client.get(f"/intents/{intent['id']}", headers=other.headers).status_code == 404
    assert client.get(f"/intents/{intent['id']}", headers=observer.headers).status_code == 200
    assert client.get("/intents", headers=other.headers).json() == []
    assert [i["id"] for i in client.get("/intents", params={"state": "activated"}, headers=ops.headers).json()] == [
        intent["id"]
    ]
    huge = {"volumes": [box(40.0, 30.0, 43.0, 33.0, end="2014-12-03T00:00:00Z")], "priority": 10, "key": []}
    too_costly = client.post("/intents", json=huge, headers=ops.headers)
    assert too_costly.status_code == 413 and "estimated judging cost" in too_costly.json()["detail"]
    assert len(client.get("/intents", headers=ops.headers).json()) == 1
    assert client.post("/intents", json=moved, headers=observer.headers).status_code == 403
