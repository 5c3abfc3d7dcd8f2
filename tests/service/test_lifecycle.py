"""Intent lifecycle, priorities, versions (409) and zones, through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest

from commonsky.service.examples import box, circle, zone_feature

LATE = {"start": "2014-12-01T07:00:00Z", "end": "2014-12-01T09:00:00Z"}


@pytest.fixture
def world(make_client: Any, database_url: str) -> Any:
    client, party = make_client(database_url)
    return client, party("icao", "authority"), party("usaf", "operator"), party("iqaf", "operator")


def test_conflict_is_reported_with_where_when_and_altitudes(world: Any, file_intent: Any) -> None:
    client, _, usaf, iqaf = world
    first = file_intent(client, usaf, [circle(33.75, 45.0, floor="FL100", ceiling="FL200")])
    assert first["accepted"] and first["intent"]["state"] == "accepted" and first["conflicts"] == []
    second = file_intent(client, iqaf, [circle(33.8, 45.05, floor="FL150", ceiling="FL250", **LATE)])
    assert not second["accepted"] and second["intent"]["state"] == "rejected"
    (conflict,) = second["conflicts"]
    assert conflict["with"] == "intent" and conflict["blocking"] and conflict["zone_id"] is None
    assert (conflict["start"], conflict["end"]) == ("2014-12-01T07:00:00Z", "2014-12-01T08:00:00Z")
    assert conflict["alt_lo_m"] == pytest.approx(15_000 * 0.3048) and conflict["alt_hi_m"] == pytest.approx(6096.0)
    assert conflict["where"]["type"] == "Polygon"


def test_touching_altitude_blocks_and_disjoint_times_do_not_conflict(world: Any, file_intent: Any) -> None:
    client, _, usaf, iqaf = world
    assert file_intent(client, usaf, [circle(33.75, 45.0, floor="FL100", ceiling="FL200")])["accepted"]
    assert file_intent(client, iqaf, [circle(33.75, 45.0, floor="FL200", ceiling="FL300")])["accepted"]
    later = circle(33.75, 45.0, start="2014-12-01T08:00:00Z", end="2014-12-01T10:00:00Z")
    assert file_intent(client, iqaf, [later])["accepted"]


def test_higher_priority_preempts_and_activated_is_never_preempted(world: Any, file_intent: Any) -> None:
    client, _, usaf, iqaf = world
    low = file_intent(client, usaf, [circle(33.75, 45.0)])["intent"]
    high = file_intent(client, iqaf, [circle(33.76, 45.01)], priority=5)
    assert high["accepted"] and high["preempts"]
    assert high["conflicts"][0]["blocking"] is False
    bumped = client.get(f"/intents/{low['id']}", headers=usaf.headers).json()
    assert bumped["state"] == "rejected" and "preempted" in bumped["note"] and bumped["version"] != low["version"]
    activated = client.put(
        f"/intents/{high['intent']['id']}/state",
        json={"version": high["intent"]["version"], "state": "activated"},
        headers=iqaf.headers,
    )
    assert activated.status_code == 200 and activated.json()["intent"]["state"] == "activated"
    higher = file_intent(client, usaf, [circle(33.75, 45.0)], priority=9)
    assert not higher["accepted"] and higher["conflicts"][0]["reason"] == "another party's intent"
    assert "activated" not in json.dumps(higher["conflicts"])  # its state is not told


def test_stale_version_gets_409_with_what_changed(world: Any, file_intent: Any) -> None:
    client, _, usaf, _ = world
    intent = file_intent(client, usaf, [circle(33.75, 45.0)])["intent"]
    moved = client.put(
        f"/intents/{intent['id']}",
        json={"version": intent["version"], "volumes": [circle(33.0, 45.0)], "priority": 1},
        headers=usaf.headers,
    )
    assert moved.status_code == 200 and moved.json()["accepted"]
    stale = client.put(
        f"/intents/{intent['id']}/state",
        json={"version": intent["version"], "state": "activated"},
        headers=usaf.headers,
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == moved.json()["intent"]["version"]
    assert {"volumes", "priority"} <= set(body["changed"])
    assert body["current"]["volumes"][0]["shape"]["centre"] == {"type": "Point", "coordinates": [45.0, 33.0]}


def test_refused_change_leaves_an_accepted_intent_as_it_was(world: Any, file_intent: Any) -> None:
    client, _, usaf, iqaf = world
    file_intent(client, usaf, [circle(33.75, 45.0)])
    mine = file_intent(client, iqaf, [circle(33.0, 45.0)])["intent"]
    change = {"volumes": [circle(33.75, 45.0)]}
    seen = client.post("/intents/check", json={**change, "intent_id": mine["id"]}, headers=iqaf.headers).json()
    assert seen["accepted"] is False and len(seen["key"]) == 1
    into = client.put(
        f"/intents/{mine['id']}",
        json={"version": mine["version"], **change, "key": seen["key"]},
        headers=iqaf.headers,
    ).json()
    assert not into["accepted"] and into["intent"]["version"] == mine["version"]
    assert into["intent"]["volumes"][0]["shape"]["centre"] == {"type": "Point", "coordinates": [45.0, 33.0]}


def test_rejected_intent_can_be_moved_and_rechecked(world: Any, file_intent: Any) -> None:
    client, _, usaf, iqaf = world
    blocker = file_intent(client, usaf, [circle(33.75, 45.0)])["intent"]
    filed = file_intent(client, iqaf, [circle(33.75, 45.0)])
    mine, mine_conflicts = filed["intent"], filed["conflicts"]
    assert mine["state"] == "rejected"
    recheck = client.put(
        f"/intents/{mine['id']}/state",
        json={"version": mine["version"], "state": "accepted", "key": [c["ovn"] for c in mine_conflicts]},
        headers=iqaf.headers,
    ).json()
    assert not recheck["accepted"] and recheck["intent"]["state"] == "rejected"
    ended = client.put(
        f"/intents/{blocker['id']}/state", json={"version": blocker["version"], "state": "ended"}, headers=usaf.headers
    )
    assert ended.json()["intent"]["state"] == "ended"
    again = client.put(
        f"/intents/{mine['id']}/state",
        json={"version": recheck["intent"]["version"], "state": "accepted"},
        headers=iqaf.headers,
    ).json()
    assert again["accepted"] and again["intent"]["state"] == "accepted"
    bad = client.put(
        f"/intents/{blocker['id']}/state",
        json={"version": ended.json()["intent"]["version"], "state": "activated"},
        headers=usaf.headers,
    )
    assert bad.status_code == 422 and "cannot go from ended to activated" in bad.json()["detail"]


def test_zones_bind_whom_they_name(world: Any, file_intent: Any) -> None:
    client, icao, usaf, iqaf = world
    zone = client.post(
        "/zones",
        json={"feature": zone_feature("Diyala ROZ", 44.8, 33.6, 45.3, 34.0, applies_to=["iqaf"])},
        headers=icao.headers,
    )
    assert zone.status_code == 201, zone.text
    blocked = file_intent(client, iqaf, [circle(33.75, 45.0)])
    assert not blocked["accepted"] and blocked["conflicts"][0]["zone_name"] == "Diyala ROZ"
    assert file_intent(client, usaf, [circle(33.75, 45.0)])["accepted"]
    above = file_intent(client, iqaf, [circle(33.75, 45.0, floor="FL300", ceiling="FL350")])
    assert above["accepted"]
    advisory = client.post(
        "/zones",
        json={"feature": zone_feature("Advisory", 44.0, 32.0, 44.5, 32.5, kind="advisory")},
        headers=icao.headers,
    )
    warned = file_intent(client, iqaf, [circle(32.25, 44.25)])
    assert warned["accepted"] and warned["conflicts"][0]["reason"] == "advisory zone"
    assert advisory.json()["feature"]["properties"]["binding"] is False


def test_new_zone_over_accepted_intent_is_counted_and_versions_guard_zone_writes(world: Any, file_intent: Any) -> None:
    client, icao, usaf, _ = world
    file_intent(client, usaf, [circle(33.75, 45.0)])
    zone = client.post(
        "/zones", json={"feature": zone_feature("Closed", 44.8, 33.6, 45.3, 34.0)}, headers=icao.headers
    ).json()
    assert zone["affected"] == 1
    moved = client.put(
        f"/zones/{zone['id']}",
        json={"version": zone["version"], "feature": zone_feature("Closed", 40.0, 30.0, 40.5, 30.5)},
        headers=icao.headers,
    )
    assert moved.status_code == 200 and moved.json()["affected"] == 0
    stale = client.delete(f"/zones/{zone['id']}", params={"version": zone["version"]}, headers=icao.headers)
    assert stale.status_code == 409 and stale.json()["current_version"] == moved.json()["version"]
    gone = client.delete(f"/zones/{zone['id']}", params={"version": moved.json()["version"]}, headers=icao.headers)
    assert gone.status_code == 204
    assert client.get(f"/zones/{zone['id']}", headers=usaf.headers).status_code == 404


def test_polygon_intents_and_multi_volume_routes(world: Any, file_intent: Any) -> None:
    client, _, usaf, iqaf = world
    route = [
        box(44.9, 33.7, 45.1, 33.8),
        box(45.1, 33.7, 45.3, 33.8, start="2014-12-01T08:00:00Z", end="2014-12-01T10:00:00Z"),
    ]
    assert file_intent(client, usaf, route)["accepted"]
    crossing = file_intent(
        client, iqaf, [box(45.2, 33.6, 45.25, 33.9, start="2014-12-01T09:00:00Z", end="2014-12-01T09:30:00Z")]
    )
    assert not crossing["accepted"]
    assert [c["volume_index"] for c in crossing["conflicts"]] == [0]
    assert crossing["conflicts"][0]["start"] == "2014-12-01T09:00:00Z"


def test_refusal_comes_with_verified_resolutions(world: Any, file_intent: Any) -> None:
    client, _, usaf, iqaf = world
    file_intent(client, usaf, [circle(33.75, 45.0, floor="FL100", ceiling="FL200")])
    refused = file_intent(client, iqaf, [circle(33.75, 45.0, floor="FL150", ceiling="FL250")])
    kinds = {r["kind"]: r for r in refused["resolutions"]}
    assert set(kinds) == {"time", "altitude"}
    assert kinds["time"]["dt_s"] == 7_200.0 and kinds["time"]["dz_m"] == 0.0  # the other leaves at 08:00
    assert kinds["altitude"]["dt_s"] == 0.0 and abs(kinds["altitude"]["dz_m"]) >= 1_500 * 0.3048
    volume = circle(
        33.75, 45.0, floor="FL150", ceiling="FL250", start="2014-12-01T08:00:00Z", end="2014-12-01T10:00:00Z"
    )
    assert file_intent(client, iqaf, [volume])["accepted"]  # the suggested slot really is free
    quiet = client.post(
        "/intents",
        params={"resolve": "false"},
        json={"volumes": [circle(33.75, 45.0, floor="FL150", ceiling="FL250")], "key": refused["key"]},
        headers=iqaf.headers,
    )
    assert quiet.json()["accepted"] is False and quiet.json()["resolutions"] == []


def test_daily_windows_only_conflict_when_both_are_active(world: Any, file_intent: Any) -> None:
    client, _, usaf, iqaf = world
    days = {"start": "2014-12-01T00:00:00Z", "end": "2014-12-04T00:00:00Z"}
    morning = {**circle(33.75, 45.0), **days, "daily": [[6 * 3600, 7 * 3600]]}
    assert file_intent(client, usaf, [morning])["accepted"]
    later = {**circle(33.75, 45.0), **days, "daily": [[8 * 3600, 9 * 3600]]}
    assert file_intent(client, iqaf, [later])["accepted"]
    overlapping = {**circle(33.75, 45.0), **days, "daily": [[6.5 * 3600, 7.5 * 3600]]}
    refused = file_intent(client, iqaf, [overlapping])
    assert not refused["accepted"]
    assert [i[0] for i in refused["conflicts"][0]["intervals"]] == [
        "2014-12-01T06:30:00Z",
        "2014-12-02T06:30:00Z",
        "2014-12-03T06:30:00Z",
    ]
