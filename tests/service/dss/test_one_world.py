"""One world (issue 15 item 4): F3548 references and the broker's intents see each other, on SQLite and PostgreSQL,
within the disclosure policy. Expected cells, steps and bands are computed here from the test's own numbers."""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from shapely.geometry import box, shape

from .conftest import trusting

SC = "utm.strategic_coordination"
USS = "uss-hidden-name.example"
STEP_S = 300.0  # the default disclosure grid: 0.1 degree cells, 5-minute steps, 1,000 ft bands
CELL = 0.1


@pytest.fixture
def sky(make_client: Any, database_url: str, tmp_path: Path, signer: rsa.RSAPrivateKey) -> Any:
    client, party = make_client(database_url, **trusting(signer, tmp_path, "a"))
    return client, party("hidden-operator", "operator"), party("prober-operator", "operator")


def token(key: rsa.RSAPrivateKey, sub: str) -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": sub, "aud": "a", "scope": SC, "iss": "test", "exp": now + 600, "nbf": now - 5}
    return {"Authorization": f"Bearer {jwt.encode(claims, key, algorithm='RS256')}"}


def at(t_s: float) -> str:
    return datetime.fromtimestamp(t_s, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def square(lon0: float, lat0: float, lon1: float, lat1: float) -> list[tuple[float, float]]:
    return [(lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1)]


def broker_volume(ring: list[tuple[float, float]], hi_m: float, t0_s: float, t1_s: float) -> dict[str, Any]:
    geometry = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    return {
        "shape": {"type": "polygon", "geometry": geometry},
        "floor": {"value": 0, "unit": "m", "ref": "AMSL"},
        "ceiling": {"value": hi_m, "unit": "m", "ref": "AMSL"},
        "start": at(t0_s),
        "end": at(t1_s),
    }


def dss_body(
    ring: list[tuple[float, float]], hi_m: float, t0_s: float, t1_s: float, key: list[str], state: str = "Accepted"
) -> dict[str, Any]:
    extent = {
        "volume": {
            "outline_polygon": {"vertices": [{"lng": x, "lat": y} for x, y in ring]},
            "altitude_lower": {"value": 0, "reference": "W84", "units": "M"},
            "altitude_upper": {"value": hi_m, "reference": "W84", "units": "M"},
        },
        "time_start": {"value": at(t0_s), "format": "RFC3339"},
        "time_end": {"value": at(t1_s), "format": "RFC3339"},
    }
    return {
        "extents": [extent],
        "key": key,
        "state": state,
        "uss_base_url": "https://uss.example/v1",
        "new_subscription": {"uss_base_url": "https://uss.example/v1", "notify_for_constraints": False},
    }


def put_reference(client: TestClient, who: dict[str, str], body: dict[str, Any]) -> Any:
    return client.put(f"/dss/v1/operational_intent_references/{uuid.uuid4()}", json=body, headers=who)


def test_a_broker_party_sees_a_dss_reference_as_another_partys_intent_and_no_more(sky: Any, signer: Any) -> None:
    client, _, prober = sky
    t0 = math.ceil(time.time() / STEP_S) * STEP_S + 3 * STEP_S
    hidden = square(8.52, 47.32, 8.54, 47.34)  # inside the cell (8.5, 47.3)-(8.6, 47.4)
    made = put_reference(client, token(signer, USS), dss_body(hidden, 120.0, t0 + 70, t0 + 1_300, []))
    assert made.status_code == 201, made.text
    reference = made.json()["operational_intent_reference"]
    probe = {"volumes": [broker_volume(square(8.0, 47.0, 9.0, 48.0), 150.0, t0 - 600, t0 + 3_000)], "priority": 50}
    answer = client.post("/intents/check", json=probe, headers=prober.headers)
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert seen["accepted"] is False and len(seen["conflicts"]) == 1
    conflict = seen["conflicts"][0]
    assert conflict["reason"] == "another party's intent" and conflict["blocking"] is True
    # where: the probe's own volume within the one cell the reference meets; when: whole 5-minute steps.
    assert shape(conflict["where"]).symmetric_difference(box(8.5, 47.3, 8.6, 47.4)).area < 1e-9
    assert seconds(conflict["start"]) == math.floor((t0 + 70) / STEP_S) * STEP_S
    assert seconds(conflict["end"]) == math.ceil((t0 + 1_300) / STEP_S) * STEP_S
    assert (conflict["alt_lo_m"], conflict["alt_hi_m"]) == (0.0, 150.0)
    text = json.dumps(seen)
    for secret in (USS, reference["id"], reference["ovn"], "uss.example", "Accepted", "Activated"):
        assert secret not in text
    # Filing with the key of what it saw: stored, refused (a reference ranks above every filed priority).
    filed = client.post("/intents", json={**probe, "key": seen["key"]}, headers=prober.headers)
    assert filed.status_code == 201 and filed.json()["accepted"] is False, filed.text
    assert USS not in filed.text
    # A Nonconforming reference is in the way too; once both are deleted, the sky is free.
    other = put_reference(
        client, token(signer, USS), dss_body(hidden, 120.0, t0 + 70, t0 + 1_300, [], "Nonconforming")
    ).json()["operational_intent_reference"]
    for ref in (reference, other):
        url = f"/dss/v1/operational_intent_references/{ref['id']}/{ref['ovn']}"
        assert client.post("/intents/check", json=probe, headers=prober.headers).json()["accepted"] is False
        assert client.delete(url, headers=token(signer, USS)).status_code == 200
    assert client.post("/intents/check", json=probe, headers=prober.headers).json()["accepted"] is True


def test_a_uss_gets_the_broker_intent_as_a_reference_it_cannot_map_to_the_owner(sky: Any, signer: Any) -> None:
    client, hidden_party, _ = sky
    t0 = math.ceil(time.time() / STEP_S) * STEP_S + 3 * STEP_S
    route = {"volumes": [broker_volume(square(8.52, 47.32, 8.54, 47.34), 120.0, t0 + 70, t0 + 1_300)], "priority": 7}
    filed = client.post("/intents", json={**route, "key": []}, headers=hidden_party.headers)
    assert filed.status_code == 201 and filed.json()["accepted"] is True, filed.text
    intent_id = filed.json()["intent"]["id"]
    uss1, uss2 = token(signer, USS), token(signer, "another-uss")
    wide = square(8.45, 47.25, 8.65, 47.45)
    body = dss_body(wide, 200.0, t0 - 300, t0 + 3_000, [])
    refused = put_reference(client, uss1, body)
    assert refused.status_code == 409, refused.text
    missing = refused.json()["missing_operational_intents"]
    assert len(missing) == 1
    ref = missing[0]
    assert ref["manager"] == "commonsky" and ref["uss_base_url"] == "https://commonsky.invalid/uss"
    assert ref["state"] == "Accepted" and ref["ovn"] != "Available from USS"
    # Its times: the conflicting part of the USS's own volume at whole 5-minute steps, nothing sharper.
    assert seconds(ref["time_start"]["value"]) == math.floor((t0 + 70) / STEP_S) * STEP_S
    assert seconds(ref["time_end"]["value"]) == math.ceil((t0 + 1_300) / STEP_S) * STEP_S
    for secret in ("hidden-operator", intent_id, filed.json()["intent"]["version"], '"priority"'):
        assert secret not in refused.text
    # OVNs are per viewer: another USS sees another OVN for the same sky.
    other = put_reference(client, uss2, body).json()["missing_operational_intents"][0]
    assert other["ovn"] != ref["ovn"]
    # A move of the broker intent that the grid does not show (same cell, same steps, new version) leaves the OVN.
    moved = {"volumes": [broker_volume(square(8.53, 47.33, 8.55, 47.35), 120.0, t0 + 80, t0 + 1_250)]}
    update = {**moved, "priority": 7, "key": [], "version": filed.json()["intent"]["version"]}
    assert client.put(f"/intents/{intent_id}", json=update, headers=hidden_party.headers).json()["accepted"]
    assert put_reference(client, uss1, body).json()["missing_operational_intents"][0]["ovn"] == ref["ovn"]
    # With the OVN in its key, the write is stored (F3548: the USS knows of it); then both sides see the conflict.
    stored = put_reference(client, uss1, {**body, "key": [ref["ovn"]]})
    assert stored.status_code == 201, stored.text
    conflicts = client.get("/conflicts", headers=hidden_party.headers)
    assert conflicts.status_code == 200, conflicts.text
    assert [c["reason"] for c in conflicts.json()] == ["another party's intent"]
    assert USS not in conflicts.text and "uss.example" not in conflicts.text
    # Nonconforming and Contingent writes need no key (F3548).
    assert put_reference(client, uss2, dss_body(wide, 200.0, t0, t0 + 600, [], "Contingent")).status_code == 201


def test_the_two_sides_cannot_race_past_each_other(sky: Any, signer: Any) -> None:
    client, hidden_party, _ = sky
    t0 = math.ceil(time.time() / STEP_S) * STEP_S + 3 * STEP_S
    uss = token(signer, USS)
    outcomes = []
    for i in range(6):
        ring = square(10.0 + i, 40.02, 10.03 + i, 40.05)
        barrier = threading.Barrier(2)

        def broker_side(ring: list[tuple[float, float]] = ring, barrier: threading.Barrier = barrier) -> bool:
            body = {"volumes": [broker_volume(ring, 120.0, t0, t0 + 900)], "priority": 0, "key": []}
            barrier.wait()
            answer = client.post("/intents", json=body, headers=hidden_party.headers)
            assert answer.status_code in (201, 409), answer.text
            return answer.status_code == 201 and bool(answer.json()["accepted"])

        def dss_side(ring: list[tuple[float, float]] = ring, barrier: threading.Barrier = barrier) -> bool:
            barrier.wait()
            answer = put_reference(client, uss, dss_body(ring, 120.0, t0, t0 + 900, []))
            assert answer.status_code in (201, 409), answer.text
            return answer.status_code == 201

        with ThreadPoolExecutor(2) as pool:
            a, b = pool.submit(broker_side), pool.submit(dss_side)
            outcomes.append((a.result(), b.result()))
    assert all(won_a != won_b for won_a, won_b in outcomes), outcomes


def test_the_live_picture_holds_dss_references_as_volumes_of_their_uss(sky: Any, signer: Any) -> None:
    from commonsky.service.plan_feed import read_mark, read_plan

    client, _, _ = sky
    services = client.app.state.services  # type: ignore[attr-defined]
    t0 = math.ceil(time.time() / STEP_S) * STEP_S + 3 * STEP_S
    before = read_mark(services.db)
    ring = square(8.52, 47.32, 8.54, 47.34)
    made = put_reference(client, token(signer, USS), dss_body(ring, 120.0, t0, t0 + 900, [], "Activated"))
    assert made.status_code == 201, made.text
    assert read_mark(services.db) != before
    plan = read_plan(services.db, services.broker, t0 - 60, t0 + 60)
    [intent] = [i for i in plan.intents if i.party == f"dss:{USS}"]
    assert intent.state.value == "activated" and len(intent.volumes) == 1
    volume = intent.volumes[0]
    assert volume.footprint.symmetric_difference(box(8.52, 47.32, 8.54, 47.34)).area < 1e-12
    assert (volume.window.start_s, volume.window.end_s) == (t0, t0 + 900)
    assert read_plan(services.db, services.broker, t0 + 1_000, t0 + 2_000).intents == ()


def test_a_reference_written_after_a_prejudged_filing_is_seen_under_the_lock(sky: Any, signer: Any) -> None:
    from commonsky.service import auth

    client, _, _ = sky
    services = client.app.state.services  # type: ignore[attr-defined]
    broker = services.broker
    party, _ = auth.create_party(services.db, "late-filer", "operator")
    t0 = math.ceil(time.time() / STEP_S) * STEP_S + 3 * STEP_S
    ring = square(12.02, 41.02, 12.05, 41.05)
    volumes, bounds = broker._prepare([broker_volume(ring, 120.0, t0, t0 + 900)])
    pre = broker.judge.prejudge(party, "candidate", volumes, bounds, 0)
    assert pre.verdict.blocking is False
    made = put_reference(client, token(signer, USS), dss_body(ring, 120.0, t0, t0 + 900, []))
    assert made.status_code == 201, made.text
    with services.db.write() as session:
        verdict = broker.judge.judge_locked(session, pre, party, "candidate", volumes, bounds, 0)
    assert verdict.blocking is True


def test_a_uss_pays_for_its_writes_from_the_probe_budget_as_a_broker_filing(
    make_client: Any, database_url: str, tmp_path: Path, signer: rsa.RSAPrivateKey
) -> None:
    """Every PUT of a reference is charged what filing its volumes would cost (issue 15 item 4): one cell,
    under 100 steps x bands, costs the floor of 100 units; a budget of 350 pays three, the fourth is 429."""
    client, _ = make_client(database_url, probe_budget_units=350.0, **trusting(signer, tmp_path, "a"))
    t0 = math.ceil(time.time() / STEP_S) * STEP_S + 3 * STEP_S
    cost = 1 * max(math.ceil(1_230 / STEP_S + 1) * 1, 100)  # 1 cell x max(<= 6 steps x 1 band, floor 100)
    assert cost == 100
    who = token(signer, USS)
    answers = []
    for i in range(5):
        ring = square(8.52 + 0.01 * i, 47.32, 8.525 + 0.01 * i, 47.325)  # all inside the cell (8.5, 47.3)
        entity = str(uuid.uuid4())
        body = dss_body(ring, 120.0, t0 + 70, t0 + 1_300, [])
        answers.append((entity, client.put(f"/dss/v1/operational_intent_references/{entity}", json=body, headers=who)))
    accepted = [a for _, a in answers if a.status_code == 201]
    assert len(accepted) == int(350.0 // cost) == 3
    for entity, refused in answers[3:]:
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["Retry-After"]) >= 1
        assert set(refused.json()) == {"message"} and "\n" not in refused.json()["message"]
        assert client.get(f"/dss/v1/operational_intent_references/{entity}", headers=who).status_code == 404
    other = client.put(  # another USS has its own budget
        f"/dss/v1/operational_intent_references/{uuid.uuid4()}",
        json=dss_body(square(8.72, 47.32, 8.725, 47.325), 120.0, t0 + 70, t0 + 1_300, []),
        headers=token(signer, "another-uss.example"),
    )
    assert other.status_code == 201, other.text
