"""The area key (ASTM F3548's ``key``): a write names the OVNs of what it saw in its way, or gets 409 with what it
missed, and a refused write stores nothing. Through the HTTP API and racing threads, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from commonsky.service.auth import create_party
from commonsky.service.errors import AreaChangedError
from commonsky.service.examples import circle, zone_feature

RACERS = 32
AREAS = 8


@pytest.fixture
def world(make_client: Any, database_url: str) -> Any:
    client, party = make_client(database_url)
    return client, party("icao", "authority"), party("usaf", "operator"), party("iqaf", "operator")


def _post(client: Any, who: Any, volumes: list[dict[str, Any]], key: list[str], priority: int = 0) -> Any:
    return client.post("/intents", json={"volumes": volumes, "priority": priority, "key": key}, headers=who.headers)


def _check(client: Any, who: Any, volumes: list[dict[str, Any]], priority: int = 0, **extra: Any) -> Any:
    body = {"volumes": volumes, "priority": priority, **extra}
    answer = client.post("/intents/check", json=body, headers=who.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _audit(client: Any, icao: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get("/audit", params={"limit": 1000}, headers=icao.headers).json()
    return entries


def test_empty_key_over_an_intent_gets_409_and_stores_nothing(world: Any) -> None:
    client, icao, usaf, iqaf = world
    first = _post(client, usaf, [circle(33.75, 45.0, floor="FL100", ceiling="FL200")], [])
    assert first.status_code == 201 and first.json()["key"] == []  # an empty sky needs no key
    before = _audit(client, icao)
    mine = [circle(33.8, 45.05, floor="FL150", ceiling="FL250")]
    blind = _post(client, iqaf, mine, [])
    assert blind.status_code == 409, blind.text
    body = blind.json()
    assert body["changed"] == ["area"] and body["current_version"] is None and body["stale"] == []
    (missing,) = body["missing"]
    assert missing["blocking"] and missing["alt_lo_m"] == pytest.approx(15_000 * 0.3048)
    assert body["key"] == [missing["ovn"]] and "1 conflict(s)" in body["detail"]
    assert _audit(client, icao) == before and client.get("/intents", headers=iqaf.headers).json() == []
    # the key a check hands out is the one the 409 names; filed with it, the intent is decided
    assert _check(client, iqaf, mine)["key"] == body["key"]
    decided = _post(client, iqaf, mine, body["key"])
    assert decided.status_code == 201 and decided.json()["intent"]["state"] == "rejected"
    assert decided.json()["key"] == body["key"]


def test_no_preemption_without_naming_the_preempted(world: Any) -> None:
    client, _, usaf, iqaf = world
    low = _post(client, usaf, [circle(33.75, 45.0)], []).json()["intent"]
    high = [circle(33.76, 45.01)]
    preview = _check(client, iqaf, high, priority=5)
    assert preview["accepted"] and preview["preempts"] and not preview["conflicts"][0]["blocking"]
    assert _post(client, iqaf, high, [], priority=5).status_code == 409
    untouched = client.get(f"/intents/{low['id']}", headers=usaf.headers).json()
    assert untouched["state"] == "accepted" and untouched["version"] == low["version"]
    done = _post(client, iqaf, high, preview["key"], priority=5).json()
    assert done["accepted"] and done["preempts"]
    assert client.get(f"/intents/{low['id']}", headers=usaf.headers).json()["state"] == "rejected"


def test_a_change_in_the_way_makes_the_key_stale(world: Any) -> None:
    client, _, usaf, iqaf = world
    theirs = _post(client, usaf, [circle(33.75, 45.0)], []).json()["intent"]
    mine = [circle(33.76, 45.01)]
    seen = _check(client, iqaf, mine, priority=5)["key"]
    # usaf lowers its ceiling by 500 ft: a new version, but the 1,000 ft bands the grid shows are the same, so the
    # OVN is too (an OVN carries no more than the grid: it does not tell when another party writes)
    lowered = client.put(
        f"/intents/{theirs['id']}",
        json={"version": theirs["version"], "volumes": [circle(33.75, 45.0, ceiling="FL195")], "key": []},
        headers=usaf.headers,
    ).json()
    assert lowered["accepted"] and lowered["intent"]["version"] != theirs["version"]
    assert _check(client, iqaf, mine, priority=5)["key"] == seen
    # usaf moves its intent 11 km south: still in the way, in other cells, so with a new OVN
    moved = client.put(
        f"/intents/{theirs['id']}",
        json={"version": lowered["intent"]["version"], "volumes": [circle(33.65, 45.0)], "key": []},
        headers=usaf.headers,
    )
    assert moved.status_code == 200 and moved.json()["accepted"]
    refused = _post(client, iqaf, mine, seen, priority=5)
    assert refused.status_code == 409
    body = refused.json()
    assert body["stale"] == seen and body["key"] != seen and [m["ovn"] for m in body["missing"]] == body["key"]
    assert _post(client, iqaf, mine, body["key"], priority=5).json()["preempts"]


def test_extra_ovns_are_ignored_and_own_intent_is_not_in_its_own_way(world: Any) -> None:
    client, _, usaf, iqaf = world
    _post(client, usaf, [circle(20.0, 40.0)], [])
    mine = _post(client, iqaf, [circle(33.75, 45.0)], ["not-in-the-way"]).json()
    assert mine["accepted"]
    intent = mine["intent"]
    # a change of one's own intent over itself: the intent is not in its own way
    change = [circle(33.76, 45.0)]
    assert _check(client, iqaf, change, intent_id=intent["id"])["key"] == []
    assert _check(client, iqaf, change)["key"] != []  # as a new intent, the old one would be in the way
    elsewhere = client.post("/intents/check", json={"volumes": change, "intent_id": intent["id"]}, headers=usaf.headers)
    assert elsewhere.status_code == 404  # another party's intent cannot be previewed (nor its existence learned)
    updated = client.put(
        f"/intents/{intent['id']}", json={"version": intent["version"], "volumes": change}, headers=iqaf.headers
    )
    assert updated.status_code == 200 and updated.json()["accepted"]


def test_ovns_are_per_viewer_and_conflicts_list_them(world: Any) -> None:
    client, _, usaf, iqaf = world
    theirs = _post(client, usaf, [circle(33.75, 45.0)], []).json()["intent"]
    icao_like = [circle(33.75, 45.0, floor="FL300", ceiling="FL310")]
    assert _post(client, iqaf, icao_like, []).status_code == 201  # above: nothing in the way
    seen_by_iqaf = _check(client, iqaf, [circle(33.75, 45.0)])["key"]
    seen_by_usaf = _check(client, usaf, [circle(33.75, 45.0)])["key"]
    assert len(seen_by_iqaf) == 1 and seen_by_usaf != seen_by_iqaf  # same intent, different OVN per viewer
    for token in seen_by_iqaf + seen_by_usaf:
        assert theirs["version"] not in token and theirs["id"] not in token
    filed = _post(client, iqaf, [circle(33.76, 45.0)], seen_by_iqaf)
    assert filed.status_code == 201 and not filed.json()["accepted"]
    listed = client.get("/conflicts", headers=iqaf.headers).json()
    assert {c["ovn"] for c in listed} == set(seen_by_iqaf)


def test_zones_are_in_the_key_and_a_changed_zone_is_stale(world: Any) -> None:
    client, icao, _, iqaf = world
    zone = client.post(
        "/zones",
        json={"feature": zone_feature("ROZ", 44.8, 33.6, 45.3, 34.0, applies_to=["iqaf"])},
        headers=icao.headers,
    ).json()
    mine = [circle(33.75, 45.0)]
    seen = _check(client, iqaf, mine)
    assert not seen["accepted"] and seen["conflicts"][0]["zone_name"] == "ROZ" and len(seen["key"]) == 1
    wider = zone_feature("ROZ", 44.7, 33.5, 45.4, 34.1, applies_to=["iqaf"])
    changed = client.put(
        f"/zones/{zone['id']}", json={"version": zone["version"], "feature": wider}, headers=icao.headers
    )
    assert changed.status_code == 200
    refused = _post(client, iqaf, mine, seen["key"])
    assert refused.status_code == 409 and refused.json()["stale"] == seen["key"]
    assert refused.json()["missing"][0]["zone_name"] == "ROZ"


def test_recheck_names_the_key(world: Any) -> None:
    client, _, usaf, iqaf = world
    _post(client, usaf, [circle(33.75, 45.0)], [])
    seen = _check(client, iqaf, [circle(33.75, 45.0)])["key"]
    mine = _post(client, iqaf, [circle(33.75, 45.0)], seen).json()["intent"]
    again = {"version": mine["version"], "state": "accepted"}
    blind = client.put(f"/intents/{mine['id']}/state", json=again, headers=iqaf.headers)
    assert blind.status_code == 409 and blind.json()["key"] == seen
    assert client.get(f"/intents/{mine['id']}", headers=iqaf.headers).json()["version"] == mine["version"]
    named = client.put(f"/intents/{mine['id']}/state", json={**again, "key": seen}, headers=iqaf.headers)
    assert named.status_code == 200 and named.json()["intent"]["state"] == "rejected"


def _race(broker: Any, parties: list[Any], volumes: list[dict[str, Any]], keys: list[list[str]]) -> list[str]:
    """Every party files ``volumes`` with its key at the same instant; returns the outcomes."""
    outcomes: list[str] = []
    lock, gate = threading.Lock(), threading.Barrier(len(parties))

    def race(i: int) -> None:
        gate.wait(timeout=30)
        try:
            decision = broker.submit(parties[i], volumes, 0, key=keys[i])
            outcome = "accepted" if decision.accepted else "rejected"
        except AreaChangedError as error:
            outcome = f"409 missing {len(error.missing)}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(parties))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(outcomes)


def test_racing_writers_that_saw_the_same_empty_sky(make_client: Any, database_url: str) -> None:
    """32 writers check the same empty patch, then all file with the empty key it gave them, at once: in each
    patch exactly one is decided (accepted) and every other gets 409 naming the winner, none a decision taken
    on a sky it did not see. Without the key check the losers would be stored as rejected: the test can fail."""
    client, _ = make_client(database_url)
    services = client.app.state.services
    parties = [create_party(services.db, f"racer{i}", "operator")[0] for i in range(RACERS)]
    for area in range(AREAS):
        volumes = [circle(30.0 + area, 40.0, floor="FL100", ceiling="FL200")]
        keys = [services.broker.check(p, volumes, 0).key for p in parties]
        assert keys == [[]] * RACERS
        outcomes = _race(services.broker, parties, volumes, keys)
        assert outcomes == ["409 missing 1"] * (RACERS - 1) + ["accepted"], area
