"""What each role can read and write, and what one party can learn of another's intents (nothing but conflicts)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from commonsky.service.examples import circle, zone_feature

ROLES = ("authority", "operator", "other", "observer", "anonymous")


@pytest.fixture
def world(make_client: Any, sqlite_url: str) -> dict[str, Any]:
    client, party = make_client(sqlite_url)
    callers = {
        "authority": party("icao", "authority"),
        "operator": party("usaf", "operator"),
        "other": party("iqaf", "operator"),
        "observer": party("unmonitor", "observer"),
    }
    intent = client.post(
        "/intents", json={"volumes": [circle(33.75, 45.0)]}, headers=callers["operator"].headers
    ).json()["intent"]
    zone = client.post(
        "/zones", json={"feature": zone_feature("ROZ", 40.0, 30.0, 40.5, 30.5)}, headers=callers["authority"].headers
    ).json()
    return {"client": client, "callers": callers, "intent": intent, "zone": zone}


def _current(world: dict[str, Any]) -> dict[str, Any]:
    owner = world["callers"]["operator"]
    body: dict[str, Any] = world["client"].get(f"/intents/{world['intent']['id']}", headers=owner.headers).json()
    return body


def _zone_version(world: dict[str, Any]) -> str:
    owner = world["callers"]["authority"]
    return str(world["client"].get(f"/zones/{world['zone']['id']}", headers=owner.headers).json()["version"])


Request = Callable[[dict[str, Any]], tuple[str, str, dict[str, Any] | None]]
# (what, request builder, expected status per role: authority, operator (owner), other operator, observer, anonymous)
MATRIX: list[tuple[str, Request, tuple[int, int, int, int, int]]] = [
    ("read parties", lambda w: ("GET", "/parties", None), (200, 403, 403, 403, 401)),
    ("read self", lambda w: ("GET", "/parties/me", None), (200, 200, 200, 200, 401)),
    (
        "create party",
        lambda w: ("POST", "/parties", {"name": f"p{id(w) % 997}x", "role": "operator"}),
        (201, 403, 403, 403, 401),
    ),
    ("issue key", lambda w: ("POST", "/parties/usaf/keys", None), (201, 403, 403, 403, 401)),
    ("read zones", lambda w: ("GET", "/zones", None), (200, 200, 200, 200, 401)),
    (
        "create zone",
        lambda w: ("POST", "/zones", {"feature": zone_feature("Z", 41.0, 30.0, 41.5, 30.5)}),
        (201, 403, 403, 403, 401),
    ),
    (
        "replace zone",
        lambda w: (
            "PUT",
            f"/zones/{w['zone']['id']}",
            {"version": _zone_version(w), "feature": zone_feature("ROZ", 40, 30, 40.6, 30.5)},
        ),
        (200, 403, 403, 403, 401),
    ),
    ("file intent", lambda w: ("POST", "/intents", {"volumes": [circle(20.0, 40.0)]}), (403, 201, 201, 403, 401)),
    ("list intents", lambda w: ("GET", "/intents", None), (200, 200, 200, 200, 401)),
    ("read the intent", lambda w: ("GET", f"/intents/{w['intent']['id']}", None), (200, 200, 404, 200, 401)),
    (
        "replace the intent",
        lambda w: (
            "PUT",
            f"/intents/{w['intent']['id']}",
            {"version": _current(w)["version"], "volumes": [circle(33.7, 45.0)]},
        ),
        (403, 200, 404, 403, 401),
    ),
    (
        "change its state",
        lambda w: ("PUT", f"/intents/{w['intent']['id']}/state", {"version": _current(w)["version"], "state": "ended"}),
        (403, 200, 404, 403, 401),
    ),
    ("own conflicts", lambda w: ("GET", "/conflicts", None), (200, 200, 200, 200, 401)),
    ("read audit", lambda w: ("GET", "/audit", None), (200, 403, 403, 403, 401)),
    ("verify audit", lambda w: ("GET", "/audit/verify", None), (200, 403, 403, 403, 401)),
]


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(world: dict[str, Any], role: str) -> None:
    """Every request of the matrix, in order (state-changing ones last), as one role."""
    headers = world["callers"][role].headers if role != "anonymous" else {}
    wrong = []
    for what, build, expected in MATRIX:
        method, path, body = build(world)
        response = world["client"].request(method, path, json=body, headers=headers)
        if response.status_code != expected[ROLES.index(role)]:
            wrong.append(f"{what}: {response.status_code} {response.text[:200]}")
    assert wrong == []


def test_a_party_never_sees_anothers_route_or_identity(world: dict[str, Any]) -> None:
    client, callers, intent = world["client"], world["callers"], world["intent"]
    other = callers["other"]
    # the other operator files into the first one's volume: it learns where/when/altitudes, nothing else
    body = {"volumes": [circle(33.8, 45.05, radius_m=5_000)]}
    blind = client.post("/intents", json=body, headers=other.headers)  # an empty key: 409, with what is missing
    assert blind.status_code == 409 and len(blind.json()["missing"]) == 1
    checked = client.post("/intents/check", json=body, headers=other.headers)
    answer = client.post("/intents", json={**body, "key": blind.json()["key"]}, headers=other.headers)
    seen = [
        blind.text,
        checked.text,
        answer.text,
        client.get("/intents", headers=other.headers).text,
        client.get("/conflicts", headers=other.headers).text,
    ]
    text = "\n".join(seen)
    probe = client.get(f"/intents/{intent['id']}", headers=other.headers)
    assert probe.status_code == 404 and probe.json() == {"detail": f"no intent {intent['id']}"}
    assert answer.json()["accepted"] is False
    for secret in (intent["id"], intent["version"], "usaf", "[33.75, 45.0]", "[33.75,45.0]", 'radius_m":10000'):
        assert secret not in text, secret
    conflict = answer.json()["conflicts"][0]
    assert set(conflict) == {
        "intent_id",
        "volume_index",
        "with",
        "zone_id",
        "zone_name",
        "blocking",
        "reason",
        "ovn",
        "where",
        "start",
        "end",
        "intervals",
        "alt_lo_m",
        "alt_hi_m",
    }
    assert conflict["intent_id"] == answer.json()["intent"]["id"]
    assert blind.json()["missing"][0]["ovn"] == conflict["ovn"] == checked.json()["conflicts"][0]["ovn"]
    # the overlap lies inside the caller's own 5 km circle: it is not the other's 10 km route
    own = json.dumps(conflict["where"])
    assert own.count("[") > 4
    listed = client.get("/intents", headers=other.headers).json()
    assert {i["party"] for i in listed} == {"iqaf"}


def test_observer_and_authority_see_the_whole_picture(world: dict[str, Any]) -> None:
    client, callers = world["client"], world["callers"]
    client.post("/intents", json={"volumes": [circle(20.0, 40.0)]}, headers=callers["other"].headers)
    for role in ("observer", "authority"):
        parties = {i["party"] for i in client.get("/intents", headers=callers[role].headers).json()}
        assert parties == {"usaf", "iqaf"}, role
    assert client.get("/conflicts", headers=callers["observer"].headers).json() == []


def test_revoked_key_and_malformed_keys_are_refused(world: dict[str, Any]) -> None:
    client, callers = world["client"], world["callers"]
    issued = client.post("/parties/usaf/keys", headers=callers["authority"].headers).json()
    fresh = {"Authorization": f"Bearer {issued['key']}"}
    assert client.get("/parties/me", headers=fresh).json()["name"] == "usaf"
    assert client.delete(f"/keys/{issued['key_id']}", headers=callers["authority"].headers).status_code == 204
    assert client.get("/parties/me", headers=fresh).status_code == 401
    tampered = issued["key"][:-1] + ("A" if issued["key"][-1] != "A" else "B")
    for key in (tampered, "csk_nothex_x", "", "Bearer"):
        assert client.get("/parties/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
