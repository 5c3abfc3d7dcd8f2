"""/dss/v1 in-process, on SQLite: tokens (keys, audiences, scopes), the key check from both sides, notification
indices, malformed and oversized extents. Tokens are signed here with a key made for the test."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from .conftest import new_key

Token = Callable[..., dict[str, str]]
SC = "utm.strategic_coordination"


def token(key: rsa.RSAPrivateKey, sub: str, scope: str = SC, aud: str = "dss.test") -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": sub, "aud": aud, "scope": scope, "iss": "test", "exp": now + 600, "nbf": now - 5}
    return {"Authorization": f"Bearer {jwt.encode(claims, key, algorithm='RS256')}"}


def rfc3339(moment: datetime) -> dict[str, str]:
    return {"value": moment.isoformat().replace("+00:00", "Z"), "format": "RFC3339"}


def volume(lat: float, lng: float, radius_m: float, start_min: float, end_min: float) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "volume": {
            "outline_circle": {"center": {"lat": lat, "lng": lng}, "radius": {"value": radius_m, "units": "M"}},
            "altitude_lower": {"value": 0, "reference": "W84", "units": "M"},
            "altitude_upper": {"value": 120, "reference": "W84", "units": "M"},
        },
        "time_start": rfc3339(now + timedelta(minutes=start_min)),
        "time_end": rfc3339(now + timedelta(minutes=end_min)),
    }


def intent_body(extents: list[dict[str, Any]], key: list[str] | None = None) -> dict[str, Any]:
    return {
        "extents": extents,
        "key": key or [],
        "state": "Accepted",
        "uss_base_url": "https://uss.example/v1",
        "new_subscription": {"uss_base_url": "https://uss.example/v1", "notify_for_constraints": True},
    }


def test_dss_is_off_without_trusted_keys(make_client: Any, sqlite_url: str, signer: rsa.RSAPrivateKey) -> None:
    client, _ = make_client(sqlite_url)
    assert (
        client.get(f"/dss/v1/operational_intent_references/{uuid.uuid4()}", headers=token(signer, "u")).status_code
        == 404
    )


def test_tokens_need_a_trusted_key_an_accepted_audience_and_the_scope(dss: TestClient, signer: Any) -> None:
    url = f"/dss/v1/operational_intent_references/{uuid.uuid4()}"
    assert dss.get(url).status_code == 401
    assert dss.get(url, headers=token(new_key(), "uss1")).status_code == 401
    assert dss.get(url, headers=token(signer, "uss1", aud="elsewhere")).status_code == 401
    assert dss.get(url, headers=token(signer, "uss1", scope="utm.constraint_management")).status_code == 403
    assert dss.get(url, headers=token(signer, "uss1")).status_code == 404
    assert dss.get(url, headers=token(signer, "uss1")).json()["message"] == "operational intent not found"


def test_the_key_check_sees_a_conflict_from_both_sides(dss: TestClient, signer: Any) -> None:
    uss1, uss2 = token(signer, "uss1"), token(signer, "uss2")
    a, b, far = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    made = dss.put(
        f"/dss/v1/operational_intent_references/{a}", json=intent_body([volume(10, 20, 300, 5, 60)]), headers=uss1
    )
    assert made.status_code == 201, made.text
    ovn_a = made.json()["operational_intent_reference"]["ovn"]
    # B overlaps A (centres 400 m apart, radii 300 m, same hour): 409 naming A, without A's OVN.
    overlap = [volume(10.0036, 20, 300, 10, 50)]
    refused = dss.put(f"/dss/v1/operational_intent_references/{b}", json=intent_body(overlap), headers=uss2)
    assert refused.status_code == 409, refused.text
    missing = refused.json()["missing_operational_intents"]
    assert [m["id"] for m in missing] == [str(a)] and missing[0]["ovn"] != ovn_a
    # 2 km away, or after A ends: no key needed.
    assert (
        dss.put(
            f"/dss/v1/operational_intent_references/{far}",
            json=intent_body([volume(10.018, 20, 300, 5, 60)]),
            headers=uss2,
        ).status_code
        == 201
    )
    made_b = dss.put(f"/dss/v1/operational_intent_references/{b}", json=intent_body(overlap, [ovn_a]), headers=uss2)
    assert made_b.status_code == 201, made_b.text
    # A's subscription was told about B: its notification index moved on by one.
    sub_a = made.json()["operational_intent_reference"]["subscription_id"]

    def told(answer: Any) -> dict[str, int]:
        return {
            s["subscription_id"]: s["notification_index"] for u in answer["subscribers"] for s in u["subscriptions"]
        }

    assert told(made_b.json())[sub_a] == told(made.json())[sub_a] + 1
    # Now A cannot change without B's OVN.
    update = {**intent_body([volume(10, 20, 300, 5, 60)], [ovn_a]), "subscription_id": sub_a}
    del update["new_subscription"]
    again = dss.put(f"/dss/v1/operational_intent_references/{a}/{ovn_a}", json=update, headers=uss1)
    assert again.status_code == 409, again.text
    assert [m["id"] for m in again.json()["missing_operational_intents"]] == [str(b)]


def test_a_circle_is_stored_with_its_area(dss: TestClient, signer: Any) -> None:
    """A 1 km circle answers a query 990 m from its centre and not one 1,010 m away (independent: 1 km along a
    meridian is 1000 / 110,574 degrees of latitude at the equator)."""
    uss1 = token(signer, "uss1")
    made = dss.put(
        f"/dss/v1/operational_intent_references/{uuid.uuid4()}",
        json=intent_body([volume(0, 30, 1000, 5, 60)]),
        headers=uss1,
    )
    assert made.status_code == 201, made.text
    m_per_deg = 110_574.0
    for distance_m, found in ((990.0, True), (1010.0, False)):
        probe = volume(-distance_m / m_per_deg - 1e-6, 30, 0.5, 0, 90)
        answer = dss.post("/dss/v1/operational_intent_references/query", json={"area_of_interest": probe}, headers=uss1)
        assert answer.status_code == 200, answer.text
        assert bool(answer.json()["operational_intent_references"]) is found, distance_m


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda v: v["volume"].update(outline_polygon={"vertices": [{"lat": 0, "lng": 0}] * 3}), "exactly one"),
        (lambda v: v["volume"]["altitude_lower"].update(reference="AGL"), "W84"),
        (lambda v: v["time_end"].update(value="tomorrow"), "time_end"),
        (lambda v: v["volume"]["outline_circle"]["radius"].update(value=60_000), "km²"),
        (lambda v: v.update(time_start=v["time_end"], time_end=v["time_start"]), "after time_end"),
    ],
)
def test_malformed_or_oversized_extents_get_400(dss: TestClient, signer: Any, change: Any, why: str) -> None:
    extent = volume(5, 5, 100, 5, 60)
    change(extent)
    answer = dss.put(
        f"/dss/v1/operational_intent_references/{uuid.uuid4()}",
        json=intent_body([extent]),
        headers=token(signer, "uss1"),
    )
    assert answer.status_code == 400, answer.text
    assert why in answer.json()["message"]
    assert math.pi * 60**2 > 10_000  # the 60 km circle is above F3548's 10,000 km² (independent of the product)


def test_uss_availability_needs_the_current_version(dss: TestClient, signer: Any) -> None:
    arbiter = token(signer, "arbiter", scope="utm.availability_arbitration")
    first = dss.put("/dss/v1/uss_availability/uss9", json={"availability": "Down"}, headers=arbiter)
    assert first.status_code == 200 and first.json()["status"]["availability"] == "Down"
    stale = dss.put("/dss/v1/uss_availability/uss9", json={"availability": "Normal"}, headers=arbiter)
    assert stale.status_code == 409
    assert (
        dss.put(
            "/dss/v1/uss_availability/uss9", json={"availability": "Normal"}, headers=token(signer, "uss9")
        ).status_code
        == 403
    )
    made = dss.put(
        f"/dss/v1/operational_intent_references/{uuid.uuid4()}",
        json=intent_body([volume(-20, -40, 100, 5, 60)]),
        headers=token(signer, "uss9"),
    )
    assert made.json()["operational_intent_reference"]["uss_availability"] == "Down"
    report = dss.post("/dss/v1/reports", json={"exchange": {"url": "https://x"}}, headers=token(signer, "uss9"))
    assert report.status_code == 201 and report.json()["report_id"]
