"""Parties and keys through the API (`service.routers.parties`): the authority creates parties (the key shown once
works at once), lists them by name, issues and revokes keys (a revoked key stops working at once in this process);
every party reads itself; no one else manages parties."""

from __future__ import annotations

from typing import Any


def test_the_authority_manages_parties_and_keys(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url)
    caa = party("caa", "authority")
    made = client.post("/parties", json={"name": "iqaf", "role": "operator"}, headers=caa.headers)
    assert made.status_code == 201
    key = made.json()["key"]
    headers = {"Authorization": f"Bearer {key['key']}"}
    me = client.get("/parties/me", headers=headers).json()
    assert me == made.json()["party"] and (me["name"], me["role"]) == ("iqaf", "operator")
    assert client.post("/parties", json={"name": "iqaf", "role": "operator"}, headers=caa.headers).status_code == 422
    second = client.post("/parties/iqaf/keys", headers=caa.headers).json()
    assert client.get("/parties/me", headers={"Authorization": f"Bearer {second['key']}"}).status_code == 200
    client.get("/parties/me", headers=headers)  # cached now
    assert client.delete(f"/keys/{key['key_id']}", headers=caa.headers).status_code == 204
    assert client.get("/parties/me", headers=headers).status_code == 401
    assert client.get("/parties/me", headers={"Authorization": f"Bearer {second['key']}"}).status_code == 200
    names = [p["name"] for p in client.get("/parties", headers=caa.headers).json()]
    assert names == sorted(names) == ["caa", "iqaf"]
    assert [
        p["name"] for p in client.get("/parties", params={"limit": 1, "offset": 1}, headers=caa.headers).json()
    ] == ["iqaf"]


def test_no_one_else_manages_parties(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url)
    ops = party("ops", "operator")
    assert client.get("/parties/me", headers=ops.headers).json()["name"] == "ops"
    assert client.get("/parties", headers=ops.headers).status_code == 403
    assert client.post("/parties", json={"name": "x", "role": "authority"}, headers=ops.headers).status_code == 403
    assert client.post("/parties/ops/keys", headers=ops.headers).status_code == 403
    assert client.get("/parties/me").status_code == 401
