"""Idempotency-Key: a retried write gets its first answer and is stored once; a reused key with another body is 422;
identical requests at once store one write. (A write whose answer a crash lost: tests/service/test_durability.py.)"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from commonsky.service.examples import circle, zone_feature
from commonsky.service.models import IntentRow, ZoneRow


def _count(client: Any, table: Any) -> int:
    with client.app.state.services.db.read() as session:
        found: int = session.scalar(select(func.count()).select_from(table))
        return found


def test_a_retried_filing_gets_its_first_answer_and_is_stored_once(make_client: Any, database_url: str) -> None:
    client, party = make_client(database_url)
    usaf = party("usaf", "operator")
    body = {"volumes": [circle(33.0, 45.0)]}
    headers = {**usaf.headers, "Idempotency-Key": "file-1"}
    first = client.post("/intents", json=body, headers=headers)
    again = client.post("/intents", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(client, IntentRow) == 1
    # another key is another filing, which now conflicts with the first: the retry above never did
    other = client.post("/intents", json=body, headers={**usaf.headers, "Idempotency-Key": "file-2"})
    assert other.status_code == 409 and _count(client, IntentRow) == 1


def test_a_key_reused_for_another_request_is_422_with_one_line(make_client: Any, database_url: str) -> None:
    client, party = make_client(database_url)
    usaf = party("usaf", "operator")
    headers = {**usaf.headers, "Idempotency-Key": "k"}
    assert client.post("/intents", json={"volumes": [circle(33.0, 45.0)]}, headers=headers).status_code == 201
    reused = client.post("/intents", json={"volumes": [circle(20.0, 45.0)]}, headers=headers)
    assert (
        reused.status_code == 422 and reused.json()["detail"] == "Idempotency-Key 'k' was used for a different request"
    )
    bad = client.post(
        "/intents", json={"volumes": [circle(20.0, 45.0)]}, headers={**usaf.headers, "Idempotency-Key": "a b"}
    )
    assert bad.status_code == 422 and "\n" not in bad.json()["detail"]
    assert _count(client, IntentRow) == 1


def test_keys_belong_to_one_party(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url)
    usaf, iran = party("usaf", "operator"), party("iran", "operator")
    a = client.post(
        "/intents", json={"volumes": [circle(33.0, 45.0)]}, headers={**usaf.headers, "Idempotency-Key": "x"}
    )
    b = client.post(
        "/intents", json={"volumes": [circle(20.0, 45.0)]}, headers={**iran.headers, "Idempotency-Key": "x"}
    )
    assert a.status_code == b.status_code == 201 and a.json()["intent"]["id"] != b.json()["intent"]["id"]


def test_refusals_are_replayed_too_but_not_come_back_later(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url)
    usaf = party("usaf", "operator")
    headers = {**usaf.headers, "Idempotency-Key": "bad"}
    body = {"volumes": [{**circle(33.0, 45.0), "floor": "9" * 400}]}
    first = client.post("/intents", json=body, headers=headers)
    again = client.post("/intents", json=body, headers=headers)
    assert first.status_code == again.status_code == 422 and first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_zone_and_party_writes_are_idempotent(make_client: Any, database_url: str) -> None:
    client, party = make_client(database_url)
    caa = party("caa", "authority")
    headers = {**caa.headers, "Idempotency-Key": "zone-1"}
    body = {"feature": zone_feature("Baghdad TMA", 44.0, 33.0, 45.0, 34.0)}
    first, again = (client.post("/zones", json=body, headers=headers) for _ in range(2))
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert _count(client, ZoneRow) == 1
    headers = {**caa.headers, "Idempotency-Key": "party-1"}
    made = [client.post("/parties", json={"name": "rjaf", "role": "operator"}, headers=headers) for _ in range(2)]
    assert [m.status_code for m in made] == [201, 201] and made[0].json() == made[1].json()


def test_identical_requests_at_once_store_one_write(make_client: Any, database_url: str) -> None:
    client, party = make_client(database_url, max_in_flight_per_party=12, max_in_flight=16, db_pool_size=20)
    usaf = party("usaf", "operator")
    headers = {**usaf.headers, "Idempotency-Key": "burst"}
    body = {"volumes": [circle(33.0, 45.0)]}
    answers: list[Any] = []
    lock = threading.Lock()

    def send() -> None:
        response = client.post("/intents", json=body, headers=headers)
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {a.status_code for a in answers} <= {201, 409}, [a.text for a in answers]
    ids = {a.json()["intent"]["id"] for a in answers if a.status_code == 201}
    assert len(ids) == 1 and _count(client, IntentRow) == 1
    retry = client.post("/intents", json=body, headers=headers)
    assert retry.status_code == 201 and retry.json()["intent"]["id"] in ids


def test_the_answer_kept_for_a_lost_write_is_the_disclosed_one(make_client: Any, database_url: str) -> None:
    """The answer stored in the write's own transaction (sent to a retry if the first answer was lost) is the
    route's answer as the disclosure policy shows it, not the broker's internals."""
    import json

    from commonsky.service import idempotency
    from commonsky.service.models import IdempotencyRow
    from commonsky.service.routers.intents import _wire

    client, party = make_client(database_url)
    usaf, iqaf = party("usaf", "operator"), party("iqaf", "operator")
    hidden = client.post("/intents", json={"volumes": [circle(33.0, 45.0)], "priority": 7}, headers=usaf.headers)
    assert hidden.status_code == 201 and hidden.json()["accepted"]
    services = client.app.state.services
    caller = services.keys.authenticate(iqaf.key)
    claim = idempotency.Claim(party_id=caller.id, key="lost-1", request_sha256="0" * 64, scope={"type": "http"})
    token = idempotency._current.set(claim)
    try:
        idempotency.answer_as(_wire)
        decision = services.broker.submit(caller, [circle(33.0, 45.0)], 0)
    finally:
        idempotency._current.reset(token)
    with services.db.read() as session:
        row = session.get(IdempotencyRow, (caller.id, "lost-1"))
    assert row is not None and not decision.accepted
    kept = json.loads(row.body)
    assert kept == json.loads(_wire(decision))  # the answer as sent (resolutions come after the commit: none here)
    assert kept["conflicts"] and {c["with"] for c in kept["conflicts"]} == {"intent"}
    other = hidden.json()["intent"]
    assert other["id"] not in row.body and "usaf" not in row.body and '"priority":7' not in row.body
