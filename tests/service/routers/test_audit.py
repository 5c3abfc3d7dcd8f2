"""``GET /audit`` and ``/audit/verify`` (`service.routers.audit`): the authority reads the chain in order from any
point, each entry linked to the one before by its hash; the chain verifies; no one else may read it."""

from __future__ import annotations

import itertools
from typing import Any


def test_the_authority_pages_through_a_linked_chain(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url)
    caa = party("caa", "authority")
    ops = party("ops", "operator")
    for name in ("a", "b", "c"):
        assert client.post("/parties", json={"name": name, "role": "observer"}, headers=caa.headers).status_code == 201
    everything = client.get("/audit", params={"limit": 1000}, headers=caa.headers).json()
    assert [e["seq"] for e in everything] == sorted(e["seq"] for e in everything) and len(everything) >= 8
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(everything))
    created = [e["change"]["name"] for e in everything if e["action"] == "create" and e["actor"] == "caa"]
    assert created == ["a", "b", "c"]
    middle = everything[3]["seq"]
    page = client.get("/audit", params={"after": middle, "limit": 2}, headers=caa.headers).json()
    assert page == everything[4:6]
    assert client.get("/audit/verify", headers=caa.headers).json()["ok"] is True
    for path in ("/audit", "/audit/verify"):
        assert client.get(path, headers=ops.headers).status_code == 403
        assert client.get(path).status_code == 401
    assert client.get("/audit", params={"limit": 0}, headers=caa.headers).status_code == 422
