"""Grants and the disclosure policy through the API (`service.routers.grants`): everyone reads the policy and its
own grant; only the authority changes them, and a changed grant is what the party then reads and what bounds its
filings."""

from __future__ import annotations

from typing import Any

from commonsky.service.examples import circle


def test_grants_and_policy(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url)
    caa, ops = party("caa", "authority"), party("ops", "operator")
    assert client.get("/grants/me", headers=ops.headers).json()["max_priority"] == 50
    body = {"volumes": [circle(33.5, 45.0)], "priority": 80}
    assert client.post("/intents/check", json=body, headers=ops.headers).status_code == 403
    grant = {"max_priority": 90, "budget_units": 500_000.0}
    assert client.put("/parties/ops/grant", json=grant, headers=ops.headers).status_code == 403
    assert client.put("/parties/ops/grant", json=grant, headers=caa.headers).json().items() >= grant.items()
    assert client.get("/grants/me", headers=ops.headers).json().items() >= grant.items()
    assert client.post("/intents/check", json=body, headers=ops.headers).status_code == 200
    assert client.put("/parties/nobody/grant", json=grant, headers=caa.headers).status_code == 404
    policy = {"cell_deg": 0.5, "step_s": 900.0, "band_ft": 2_000.0}
    assert client.put("/policy/disclosure", json=policy, headers=ops.headers).status_code == 403
    assert client.put("/policy/disclosure", json=policy, headers=caa.headers).json() == policy
    assert client.get("/policy/disclosure", headers=ops.headers).json() == policy
    bad = policy | {"cell_deg": 50.0}
    assert client.put("/policy/disclosure", json=bad, headers=caa.headers).status_code in (400, 422)
    assert client.get("/policy/disclosure", headers=ops.headers).json() == policy
